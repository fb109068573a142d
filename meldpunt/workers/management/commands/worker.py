"""``meldpunt worker``: django_tasks_db's worker, plus a heartbeat and recovery at start.

Use it instead of ``meldpunt db_worker`` (which it extends and accepts the same
options as): a worker that beats lets the others see within a minute that it
died, and a starting worker first retries or fails what dead workers left.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from meldpunt.workers.recovery import worker_heartbeat, worker_startup_check, workers_sweep
from meldpunt.workers.tasks import workers_recover_schedule

logger = logging.getLogger(__name__)


def _beat(worker_id: str) -> None:
    """Runs in a daemon thread for the life of the process: it dies with the worker."""
    while True:
        time.sleep(settings.WORKER_HEARTBEAT_SECONDS)
        try:
            worker_heartbeat(worker_id=worker_id)
        except DatabaseError as error:  # a locked SQLite database; the next beat will do
            logger.warning("Worker heartbeat not recorded: %s", error)
        finally:
            connections.close_all()  # this thread's connections only


class Command(DatabaseWorkerCommand):
    help = (
        "Run a background worker: checks its keys, recovers tasks of dead workers, "
        "then runs tasks while recording a heartbeat."
    )

    def handle(self, *args, worker_id: str, **options) -> None:
        try:
            worker_startup_check()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        worker_heartbeat(worker_id=worker_id, started_at=timezone.now())
        recovery = workers_sweep(starting_worker_id=worker_id)
        if recovery.retried or recovery.failed:
            self.stdout.write(
                f"Tasks of stopped workers: {recovery.retried} queued again, "
                f"{recovery.failed} failed."
            )
        workers_recover_schedule()
        threading.Thread(target=_beat, args=(worker_id,), daemon=True, name="heartbeat").start()
        super().handle(*args, worker_id=worker_id, **options)
