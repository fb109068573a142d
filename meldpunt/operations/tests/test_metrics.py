from datetime import timedelta

import pytest
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from meldpunt.cases.models import StaffNotification
from meldpunt.hashes.models import HashStoreRevision
from meldpunt.hashes.services import hash_revision_bump
from meldpunt.operations.metrics import request_counts
from meldpunt.operations.selectors import task_counts, task_oldest_waiting_since
from meldpunt.testing import make_line, make_staff, sign_in

TOKEN = "metrics-token-for-tests-7b1e"  # noqa: S105
AUTHORIZED = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
HOURLY_TASKS = {"default": {"BACKEND": "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"}}


@task()
def metrics_probe_task() -> None:
    """Only enqueued, never run: the queue figures must count it."""


def _samples(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def _value(text: str, name: str, **labels: str) -> float | None:
    for sample in _samples(text):
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def _scrape(client) -> str:
    response = client.get("/metrics", **AUTHORIZED)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
def test_metrics_are_not_there_without_a_token_setting(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", **AUTHORIZED).status_code == 404


@pytest.mark.django_db
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert b"meldpunt_" not in wrong.content
    # The token in another scheme is not the bearer token.
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


@pytest.mark.django_db
def test_metrics_with_the_token_show_every_family(client, metrics_on):
    text = _scrape(client)
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "meldpunt_http_requests",
        "meldpunt_tasks",
        "meldpunt_task_oldest_waiting_age_seconds",
        "meldpunt_outbox_failing",
        "meldpunt_metrics_database_ok",
    } <= names
    # CPU time and memory would time each receipt derivation, so each report.
    assert not any(name.startswith(("process_", "python_gc_")) for name in names)
    assert _value(text, "meldpunt_metrics_database_ok") == 1
    for kind in ("delivery_email", "delivery_webhook", "forward_notification"):
        assert _value(text, "meldpunt_outbox_failing", kind=kind) == 0


@pytest.mark.django_db
def test_a_request_is_counted_by_view_name_only_never_its_path_or_query(client, metrics_on):
    staff = make_staff()
    sign_in(client, staff)
    report_id = "918273645"
    secret = "zoekwoord-geheim"
    # A staff page with a report id in the path and words in the query (404: no such report).
    client.get(
        f"/staff/cases/reports/{report_id}/?q={secret}&receipt={secret}",
        HTTP_USER_AGENT="AnonTest-UA/9.9 zx81",
        HTTP_X_FORWARDED_FOR="203.0.113.77",
    )
    client.get(f"/no-such-page-{secret}/?q={secret}")

    text = _scrape(client)
    assert _value(text, "meldpunt_http_requests_total", view="cases:report", status="404") >= 1
    assert _value(text, "meldpunt_http_requests_total", view="unmatched", status="404") >= 1
    for sample in _samples(text):
        for value in sample.labels.values():
            assert report_id not in value and secret not in value and "/" not in value
    assert secret not in text
    assert "/staff/cases" not in text and "reports/" not in text
    assert "AnonTest-UA" not in text and "203.0.113.77" not in text


@pytest.mark.django_db
def test_requests_of_anyone_not_signed_in_count_only_at_the_turn_of_the_hour(client, metrics_on):
    key = ("intake:mailbox_login", "200")
    before_request = timezone.now()
    counted_before = request_counts.released(now=before_request).get(key, 0)

    assert client.get("/mailbox/?q=not-in-metrics").status_code == 200
    # Within the hour of the request nothing shows, however often it is sampled.
    assert request_counts.released(now=before_request).get(key, 0) == counted_before
    assert _value(_scrape(client), "meldpunt_http_requests_total", view=key[0], status="200") in {
        None,
        counted_before,
    }
    # From the next hour on it is counted, under its view name.
    next_hour = timezone.now() + timedelta(hours=1)
    assert request_counts.released(now=next_hour)[key] == counted_before + 1


@pytest.mark.django_db
def test_queue_length_counts_a_real_enqueued_task_from_the_next_hour_on(
    client, metrics_on, settings
):
    settings.TASKS = HOURLY_TASKS
    now = timezone.now()
    waiting_before = task_counts(now=now)["waiting"]
    result = metrics_probe_task.enqueue()
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"

    # Queued in this hour: in no figure yet, so sampling cannot time it.
    assert _value(_scrape(client), "meldpunt_tasks", state="waiting") == waiting_before
    next_hour = now + timedelta(hours=1)
    assert task_counts(now=next_hour)["waiting"] == waiting_before + 1
    assert task_oldest_waiting_since(now=next_hour) is not None


@pytest.mark.django_db
def test_failed_tasks_and_the_oldest_waiting_task_show_in_the_metrics(client, metrics_on, settings):
    settings.TASKS = HOURLY_TASKS
    waiting = metrics_probe_task.enqueue()
    failed = metrics_probe_task.enqueue()
    three_hours_ago = timezone.now() - timedelta(hours=3)
    DBTaskResult.objects.filter(pk__in=[waiting.id, failed.id]).update(enqueued_at=three_hours_ago)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")

    text = _scrape(client)
    assert _value(text, "meldpunt_tasks", state="failed") >= 1
    assert _value(text, "meldpunt_tasks", state="waiting") >= 1
    assert _value(text, "meldpunt_task_oldest_waiting_age_seconds") >= 3 * 3600 - 60


@pytest.mark.django_db
def test_failing_staff_notifications_show_from_the_hour_after_they_were_made(client, metrics_on):
    line = make_line()
    staff = make_staff(lines=[line])
    earlier_hour = timezone.now() - timedelta(hours=2)
    StaffNotification.objects.create(
        user=staff,
        line=line,
        created_at=earlier_hour,
        next_attempt_at=timezone.now(),
        attempts=2,
        last_error="SMTPServerDisconnected: gone",
    )
    text = _scrape(client)
    assert _value(text, "meldpunt_outbox_failing", kind="staff_notification") == 1

    # One made in this hour (news of a report just sent) shows only from the next.
    other_line = make_line()
    StaffNotification.objects.create(
        user=staff,
        line=other_line,
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
        attempts=1,
        last_error="SMTPServerDisconnected: gone",
    )
    text = _scrape(client)
    assert _value(text, "meldpunt_outbox_failing", kind="staff_notification") == 1
    assert "SMTPServerDisconnected" not in text


@pytest.mark.django_db
def test_a_failing_database_leaves_the_request_counts_and_says_so(client, metrics_on):
    staff = make_staff()
    sign_in(client, staff)
    # A staff page counts at once: something to show without the database.
    client.get("/staff/cases/")
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        text = _scrape(client)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    assert _value(text, "meldpunt_metrics_database_ok") == 0
    assert _value(text, "meldpunt_tasks", state="waiting") is None
    assert _value(text, "meldpunt_outbox_failing", kind="staff_notification") is None
    assert _value(text, "meldpunt_http_requests_total", view="cases:queue") is not None


@pytest.mark.django_db
def test_the_hash_store_revision_age_appears_with_the_first_change(client, metrics_on):
    assert _value(_scrape(client), "meldpunt_hash_store_revision_age_seconds") is None
    hash_revision_bump()  # what every import, removal and switch of a list calls
    HashStoreRevision.objects.filter(pk=1).update(changed_at=timezone.now() - timedelta(minutes=10))
    age = _value(_scrape(client), "meldpunt_hash_store_revision_age_seconds")
    assert 600 <= age < 700
