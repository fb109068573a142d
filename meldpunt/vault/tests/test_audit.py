"""The audit chain: intact chains verify, any altered or removed row is named."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from meldpunt.intake.services import report_submit
from meldpunt.testing import make_category, make_staff
from meldpunt.vault.audit import audit_record, audit_verify
from meldpunt.vault.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    actor = make_staff()
    AuditEvent.objects.all().delete()
    for number in range(1, 7):
        audit_record(
            actor=actor, action="report.open", target_id=str(number), details={"n": number}
        )
    return actor


def _verify(*args: str) -> str:
    """Run ``meldpunt audit verify``; on a broken chain raise CommandError with every
    break line it printed in the message (the command prints them to stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{err.getvalue()}{error}") from error
    return out.getvalue()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", AuditEvent._meta.db_table), params)


def test_intact_chain_prints_count_and_head(chain):
    output = _verify()
    head = AuditEvent.objects.order_by("-sequence").first().hash
    assert "6 events" in output and head in output


def test_empty_chain_is_intact():
    AuditEvent.objects.all().delete()
    assert "0 events" in _verify()


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("UPDATE {table} SET details = %s WHERE sequence = 4", '{"n": 40}'),
        ("UPDATE {table} SET action = %s WHERE sequence = 4", "report.export"),
        ("UPDATE {table} SET target_id = %s WHERE sequence = 4", "99"),
        ("UPDATE {table} SET actor_name = %s WHERE sequence = 4", "someone-else"),
    ],
    ids=["details", "action", "target", "actor"],
)
def test_altered_row_is_named(chain, sql, value):
    _raw(sql, [value])
    with pytest.raises(CommandError, match=r"event 4 \(report\.(open|export)\).*content does not"):
        _verify()
    report = audit_verify()
    assert [(b.sequence, b.problem) for b in report.breaks] == [
        (4, "content does not match its hash")
    ]
    assert report.checked == 6


def test_rehashed_row_breaks_the_link_of_the_next(chain):
    """An attacker who recomputes the altered row's hash is caught by the row after it."""
    from meldpunt.vault.audit import _event_hash

    event = AuditEvent.objects.get(sequence=4)
    event.details = {"n": 40}
    event.hash = _event_hash(event)
    _raw("UPDATE {table} SET details = %s, hash = %s WHERE sequence = 4", ['{"n": 40}', event.hash])
    with pytest.raises(CommandError, match=r"event 5 .*does not link"):
        _verify()
    assert [b.sequence for b in audit_verify().breaks] == [5]


def test_deleted_row_is_named_by_the_gap(chain):
    _raw("DELETE FROM {table} WHERE sequence = 3", [])
    with pytest.raises(CommandError, match=r"event 4 .*event 3 before it is missing"):
        _verify()
    assert [b.sequence for b in audit_verify().breaks] == [4]


def test_deleted_tail_is_caught_with_a_recorded_head(chain):
    head = audit_verify().head_hash
    _raw("DELETE FROM {table} WHERE sequence >= 5", [])
    assert "4 events" in _verify()  # without the head a shorter chain looks whole
    with pytest.raises(CommandError, match="removed from its end"):
        _verify("--head", head)


def test_recorded_head_of_an_intact_chain_passes_after_more_events(chain):
    head = audit_verify().head_hash
    audit_record(actor=chain, action="report.open", target_id="7")
    assert "7 events" in _verify("--head", head)


def test_every_break_is_reported_not_only_the_first(chain):
    """Tampering further down the chain is not hidden behind the first break."""
    for number in range(7, 13):
        audit_record(actor=chain, action="report.open", target_id=str(number))
    _raw("UPDATE {table} SET target_id = %s WHERE sequence = 2", ["99"])
    _raw("DELETE FROM {table} WHERE sequence IN (6, 7)", [])
    _raw("UPDATE {table} SET action = %s WHERE sequence = 11", ["report.export"])
    with pytest.raises(CommandError) as raised:
        _verify()
    lines = [line for line in str(raised.value).splitlines() if line.startswith("broken at")]
    assert lines == [
        "broken at event 2 (report.open): content does not match its hash",
        "broken at event 8 (report.open): events 6 to 7 before it are missing",
        "broken at event 11 (report.export): content does not match its hash",
    ]
    assert "broken in 3 places (10 events checked)" in str(raised.value)


def test_deleting_an_account_leaves_the_chain_intact(chain):
    """Accounts are deactivated, not deleted; if one is deleted anyway (a shell, a
    cascade), its events keep the actor id and name the hash covers."""
    name, actor_id = chain.username, chain.pk
    chain.delete()
    assert audit_verify().is_intact
    assert "6 events" in _verify()
    event = AuditEvent.objects.get(sequence=1)
    assert (event.actor_id, event.actor_name) == (actor_id, name)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_linear_chain():
    """Writers from several connections at once: no duplicate sequence, chain intact."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock under test is PostgreSQL's")
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections, transaction

    def write(number: int) -> None:
        try:
            for step in range(10):
                with transaction.atomic():
                    audit_record(actor=None, action="report.open", target_id=f"{number}-{step}")
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    report = audit_verify()
    assert report.is_intact and report.checked == AuditEvent.objects.count() >= 60


def test_what_a_reporter_causes_is_timed_to_the_hour_only(chain):
    report = report_submit(category=make_category(), answers={"what": "x"}, questions={}).report
    received = AuditEvent.objects.get(action="report.received")
    for moment in (received.created_at, report.data_key.created_at):
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
    assert audit_verify().is_intact
