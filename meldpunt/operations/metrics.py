"""Prometheus metrics for the operator, with no label that could carry user data.

Labels are closed sets chosen by the code: a URL pattern's name (never the
path, which holds report ids, receipts in forms or search words in the query),
a status code, a task state, a delivery kind. Nothing about the client exists
to be counted: the anonymity middleware removed it before this runs.

Times matter as much as labels. A monitoring system samples every few seconds,
so a counter that rose the moment a reporter sent a report would stamp that
report to the second, which no table of meldpunt may do (docs/security.md,
"Times"). Requests of signed-in staff and partners count at once (their times
are kept exactly anyway); every other request is held back and counted at the
turn of the hour in which it was answered. The database figures count only
rows of ended hours (``meldpunt.operations.selectors``).

Request counts live in each process (waitress serves one process with many
threads); several web processes each publish their own, which Prometheus adds
up by its ``instance`` label. The database figures are read at scrape time, so
all processes answer them alike.
"""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from meldpunt.operations import selectors
from meldpunt.privacy.hours import hour_floor

UNMATCHED = "unmatched"

RequestKey = tuple[str, str]  # (view name, status code)


class RequestCounts:
    """Answered requests by view name and status, reporters' released by the hour."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._released: Counter[RequestKey] = Counter()
        self._held: dict[datetime, Counter[RequestKey]] = {}

    def _release_ended_hours(self, current_hour: datetime) -> None:
        # Under the lock. Also on every record, so that without scrapes (no
        # token set) at most the current hour is held.
        for hour in [hour for hour in self._held if hour < current_hour]:
            self._released.update(self._held.pop(hour))

    def record(self, *, view: str, status: int, is_signed_in: bool, now: datetime) -> None:
        key = (view, str(status))
        with self._lock:
            self._release_ended_hours(hour_floor(now))
            if is_signed_in:
                self._released[key] += 1
            else:
                self._held.setdefault(hour_floor(now), Counter())[key] += 1

    def released(self, *, now: datetime) -> dict[RequestKey, int]:
        """The counts so far, with the held ones of every ended hour added."""
        with self._lock:
            self._release_ended_hours(hour_floor(now))
            return dict(self._released)


request_counts = RequestCounts()


def _is_signed_in(request: HttpRequest) -> bool:
    """Whether the view already loaded a signed-in user, without loading it here.

    Every staff and partner page loads the user (``login_required``); a request
    whose view did not is counted as a reporter's, the safe side. Loading the
    user here would cost a query on every reporter page.
    """
    user = vars(request).get("_cached_user")
    return user is not None and bool(user.is_authenticated)


class RequestMetricsMiddleware:
    """Counts each answered request under its URL pattern's name and status code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        request_counts.record(
            view=match.view_name if match is not None and match.view_name else UNMATCHED,
            status=response.status_code,
            is_signed_in=_is_signed_in(request),
            now=timezone.now(),
        )
        return response


def _request_metrics(now: datetime) -> Iterator[Metric]:
    requests = CounterMetricFamily(
        "meldpunt_http_requests",
        "Answered requests by URL pattern name and status code (this process; "
        "requests of anyone not signed in are added at the turn of the hour).",
        labels=["view", "status"],
    )
    for (view, status), count in sorted(request_counts.released(now=now).items()):
        requests.add_metric([view, status], count)
    yield requests


def _database_metrics(now: datetime) -> Iterator[Metric]:
    tasks = GaugeMetricFamily(
        "meldpunt_tasks",
        "Task rows by state, of tasks queued before the current hour.",
        labels=["state"],
    )
    for state, count in selectors.task_counts(now=now).items():
        tasks.add_metric([state], count)
    yield tasks

    since = selectors.task_oldest_waiting_since(now=now)
    yield GaugeMetricFamily(
        "meldpunt_task_oldest_waiting_age_seconds",
        "How long the longest-waiting due task has waited (enqueue times are kept "
        "to the hour, so up to an hour too much); 0 when none waits.",
        value=(now - since).total_seconds() if since is not None else 0,
    )

    failing = GaugeMetricFamily(
        "meldpunt_outbox_failing",
        "Mails and webhook calls not delivered after a failed attempt, by kind.",
        labels=["kind"],
    )
    for kind, count in selectors.outbox_failing_counts(now=now).items():
        failing.add_metric([kind], count)
    yield failing

    changed_at = selectors.hash_store_changed_at()
    if changed_at is not None:
        yield GaugeMetricFamily(
            "meldpunt_hash_store_revision_age_seconds",
            "Time since the matchable hashes last changed; each process rebuilds "
            "its matcher index at its next query after a change.",
            value=(now - changed_at).total_seconds(),
        )


class MeldpuntCollector(Collector):
    """Everything above, computed at each scrape."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from _request_metrics(now)
        try:
            # Materialised first, so a failing database yields none of them; in
            # a savepoint, so a failed query leaves a surrounding transaction usable.
            with transaction.atomic():
                figures = list(_database_metrics(now))
        except DatabaseError:
            figures = []
        yield from figures
        yield GaugeMetricFamily(
            "meldpunt_metrics_database_ok",
            "1 when the database figures could be read at this scrape, else 0.",
            value=1 if figures else 0,
        )


# A registry of our own, without prometheus-client's process collector: a
# report costs a receipt derivation (about a second of CPU and 256 MiB), so the
# process's CPU time and memory sampled every few seconds would time it.
registry = CollectorRegistry(auto_describe=False)
registry.register(MeldpuntCollector())


def metrics_text() -> bytes:
    """The registry in Prometheus's text format."""
    return generate_latest(registry)
