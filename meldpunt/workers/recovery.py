"""Tasks whose worker died: found, then retried or failed, within minutes.

django_tasks_db marks a task RUNNING when a worker takes it and appends the
worker's id to ``worker_ids``; nothing ever looks at a RUNNING task again. A
worker killed mid-task (SIGKILL, the OOM killer, a power cut) thus leaves it
RUNNING for ever, and whatever waits for it (a file's previews, the next run
of a periodic chain) waits for ever too.

A task counts as abandoned when its last worker

* is the worker now starting under the same id (it cannot be running anything yet);
* records heartbeats (``meldpunt worker``) and has been silent for
  ``WORKER_DEAD_SECONDS``; or
* records none (a plain ``db_worker``) and the task has run for ``TASK_MAX_SECONDS``.

An abandoned task is put back in the queue (the same row, so ``worker_ids``
counts its attempts) until it has had ``TASK_ATTEMPTS`` attempts, then marked
failed with ``WorkerStopped``. Every task of the project is idempotent, so a
retry is safe. Apps whose state depends on a task register a handler, called in
the same transaction, to follow suit (the evidence app marks the file).

Recovery runs when ``meldpunt worker`` starts and every minute on any running
worker (``workers.tasks.workers_recover``).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.workers.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Heartbeats of workers gone this long are of no use to anyone.
HEARTBEAT_KEEP = timedelta(days=1)


class WorkerStopped(Exception):
    """Recorded as the error of a task whose worker died on its last attempt."""


@dataclass(frozen=True)
class AbandonedTask:
    """A task whose worker died, as its handler sees it."""

    args: list[Any]
    kwargs: dict[str, Any]
    is_retried: bool  # False: it had its last attempt and is now failed


@dataclass(frozen=True)
class Recovery:
    retried: int
    failed: int


_handlers: dict[str, Callable[[AbandonedTask], None]] = {}
_startup_checks: list[Callable[[], None]] = []
_sweeps: list[Callable[[], object]] = []


def task_recovery_register(task: Task, handler: Callable[[AbandonedTask], None]) -> None:
    """Call ``handler`` (inside recovery's transaction) for every abandoned run of ``task``."""
    _handlers[task.module_path] = handler


def worker_startup_register(check: Callable[[], None]) -> None:
    """Run ``check`` before a worker starts; ImproperlyConfigured from it stops the start."""
    if check not in _startup_checks:
        _startup_checks.append(check)


def worker_sweep_register(sweep: Callable[[], object]) -> None:
    """Run ``sweep`` at every worker start and every minute after recovery (e.g. expiry)."""
    if sweep not in _sweeps:
        _sweeps.append(sweep)


def worker_startup_check() -> None:
    for check in _startup_checks:
        check()


def worker_heartbeat(*, worker_id: str, started_at: datetime | None = None) -> None:
    """Record that the worker lives; ``started_at`` on its first beat."""
    now = timezone.now()
    if started_at is None:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
        return
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"started_at": started_at, "seen_at": now}
    )


def _is_abandoned(
    result: DBTaskResult, *, seen: dict[str, datetime], now: datetime, starting_worker_id: str
) -> bool:
    worker_id = result.worker_ids[-1] if result.worker_ids else ""
    if starting_worker_id and worker_id == starting_worker_id:
        return True
    if worker_id in seen:
        return seen[worker_id] < now - timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    # Task times are stored rounded down to the hour (privacy.tasktimes, so that no
    # row dates a reporter's upload): the task started at most an hour after that.
    started_by = (result.started_at or result.enqueued_at) + timedelta(hours=1)
    return started_by < now - timedelta(seconds=settings.TASK_MAX_SECONDS)


def tasks_recover(*, now: datetime | None = None, starting_worker_id: str = "") -> Recovery:
    """Retry or fail every RUNNING task whose worker died (see the module docstring)."""
    now = now or timezone.now()
    seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    retried = failed = 0
    for result in DBTaskResult.objects.running():
        if not _is_abandoned(result, seen=seen, now=now, starting_worker_id=starting_worker_id):
            continue
        with transaction.atomic():
            # The worker may have finished it after all since we looked.
            task_result = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=result.pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task_result is None or task_result.worker_ids != result.worker_ids:
                continue
            is_retried = len(task_result.worker_ids) < settings.TASK_ATTEMPTS
            if is_retried:
                task_result.status = TaskResultStatus.READY
                task_result.save(update_fields=["status"])
                retried += 1
            else:
                task_result.set_failed(
                    WorkerStopped(
                        f"the worker stopped while running this task, "
                        f"{len(task_result.worker_ids)} attempt(s)"
                    )
                )
                failed += 1
            logger.warning(
                "Task %s (%s) was abandoned by its worker; %s.",
                task_result.pk,
                task_result.task_path,
                "queued again" if is_retried else "failed",
            )
            handler = _handlers.get(task_result.task_path)
            if handler is not None:
                handler(
                    AbandonedTask(
                        args=task_result.args_kwargs["args"],
                        kwargs=task_result.args_kwargs["kwargs"],
                        is_retried=is_retried,
                    )
                )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEEP).delete()
    return Recovery(retried=retried, failed=failed)


def workers_sweep(*, starting_worker_id: str = "") -> Recovery:
    """Recovery followed by every registered sweep: what a worker does at start and each minute."""
    recovery = tasks_recover(starting_worker_id=starting_worker_id)
    for sweep in _sweeps:
        sweep()
    return recovery
