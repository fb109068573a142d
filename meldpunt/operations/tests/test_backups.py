"""`meldpunt backup` and `meldpunt restore` (issue 17 item 3).

The round trip runs the real `meldpunt` command in separate processes, each on an
installation of its own (data directory and database): SQLite to a fresh
PostgreSQL database and back to SQLite, and then opens the report with the staff
member's key and the mailbox with the receipt. The refusals run the same
commands on archives made from the test's own installation.
"""

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from meldpunt.datadir import shared_files
from meldpunt.intake.models import Report
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.operations.backups import MAGIC, archive_parts, backup_write
from meldpunt.stats.tasks import months_keep_task
from meldpunt.testing import make_category, make_staff
from meldpunt.vault.blobs import blob_names
from meldpunt.vault.installation import shared_files_export

PASSPHRASE = "correct horse battery staple"  # noqa: S105 - the tests' own archives
POSTGRES_ADMIN_URL = os.environ.get(
    "MELDPUNT_TEST_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
FILE = b"het bewijs, regel voor regel\n" * 700
WHAT, QUESTION, ANSWER = "Wat ik zag op de kade", "Welke dag was dat?", "Dinsdag, rond tienen"

# Run inside an installation by `meldpunt shell -c`: migrate (and keep a copy of the
# empty database, for an empty installation to restore into), then a line, an analyst,
# a report with a file, a question from staff and the reporter's answer in the mailbox.
SEED = f"""
import io, json, os, sqlite3
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
# An empty installation to restore into later, migrated as after installing.
with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as source:
    with sqlite3.connect(os.environ["EMPTY_COPY"]) as copy:
        source.backup(copy)
from meldpunt.intake.services import (IncomingFile, mailbox_open, report_key_for_staff,
    report_submit, reporter_message_post, staff_message_post)
from meldpunt.testing import PASSWORD, make_category, make_staff
from meldpunt.vault.keys import staff_key_unlock
category = make_category()
staff = make_staff(lines=[category.line], username="analist")
sent = report_submit(category=category, answers={{"what": {WHAT!r}}},
    questions={{"what": "Wat weet u?"}},
    files=[IncomingFile(io.BytesIO({FILE!r}), "bewijs.txt", "files")])
key = report_key_for_staff(report=sent.report, user=staff,
    private_key=staff_key_unlock(user=staff, password=PASSWORD))
staff_message_post(report=sent.report, actor=staff, key_bytes=key, body={QUESTION!r})
reporter_message_post(access=mailbox_open(receipt=sent.receipt), body={ANSWER!r})
print("RESULT " + json.dumps({{"receipt": sent.receipt}}))
"""

# Open the first report with the analyst's key (content, file, messages) and the
# mailbox with the receipt; then store a new report, which needs the restored
# database's id sequences to be past the restored rows.
OPEN = """
import hashlib, io, json, os
from meldpunt.intake.models import Report
from meldpunt.intake.services import (IncomingFile, mailbox_open, message_body,
    report_content, report_key_for_staff, report_submit)
from meldpunt.testing import PASSWORD
from meldpunt.vault.blobs import blob_read_all
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import StaffUser
staff = StaffUser.objects.get(username="analist")
report = Report.objects.order_by("pk").first()
key = report_key_for_staff(report=report, user=staff,
    private_key=staff_key_unlock(user=staff, password=PASSWORD))
files = [blob_read_all(key=key, name=a.file.blob_name) for a in report.attachments.all()]
box = mailbox_open(receipt=os.environ["RECEIPT"])
result = {
    "content": report_content(report=report, key_bytes=key)["answers"],
    "files": [hashlib.sha256(f).hexdigest() for f in files],
    "staff_reads": [message_body(message=m, key_bytes=key) for m in report.messages.order_by("pk")],
    "mailbox_report": box.report.pk == report.pk,
    "mailbox_reads": [message_body(message=m, key_bytes=box.key_bytes)
                      for m in box.report.messages.order_by("pk")],
}
if os.environ.get("SUBMIT_AGAIN"):
    report_submit(category=report.category, answers={"what": "nog een"},
        questions={"what": "Wat weet u?"}, files=[IncomingFile(io.BytesIO(b"x" * 99), "b.txt")])
result["reports"] = Report.objects.count()
print("RESULT " + json.dumps(result))
"""


def _meldpunt(
    *arguments: str, data_dir: Path, database_url: str = "", env: dict | None = None
) -> subprocess.CompletedProcess:
    """The `meldpunt` command of this interpreter, in the installation ``data_dir``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment["MELDPUNT_DATA_DIR"] = str(data_dir)
    if database_url:
        environment["DATABASE_URL"] = database_url
    environment.update(env or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "meldpunt.cli", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _result(completed: subprocess.CompletedProcess) -> dict:
    assert completed.returncode == 0, completed.stdout + completed.stderr
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _ok(completed: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.fixture
def postgres_database() -> str:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"meldpunt_backup_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_from_sqlite_to_postgresql_and_back_and_opens_with_staff_key_and_receipt(
    tmp_path, postgres_database
):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n")
    key = ["--passphrase-file", str(passphrase)]
    sqlite, postgres, back = tmp_path / "sqlite", tmp_path / "postgres", tmp_path / "back"

    # An installation on SQLite, with a report with a file and a mailbox message.
    back.mkdir()
    empty = {"EMPTY_COPY": str(back / "meldpunt.sqlite3")}
    receipt = _result(_meldpunt("shell", "-v", "0", "-c", SEED, data_dir=sqlite, env=empty))
    receipt = receipt["receipt"]
    archive = tmp_path / "sqlite.backup"
    made = _ok(_meldpunt("backup", str(archive), *key, data_dir=sqlite))
    assert "blobs: 1/1 (100 %)" in made.stderr  # progress, on stderr
    assert "receipt-salt.secret" in made.stdout

    # Into an empty PostgreSQL database (not even migrated), then used: a new report.
    _ok(_meldpunt("restore", str(archive), *key, data_dir=postgres, database_url=postgres_database))
    for name in ("receipt-salt.secret", "receipt-kdf.json", "receipt-tag-key.secret"):
        assert (postgres / name).read_bytes() == (sqlite / name).read_bytes()
    opened = _result(
        _meldpunt(
            "shell", "-v", "0", "-c", OPEN,
            data_dir=postgres, database_url=postgres_database,
            env={"RECEIPT": receipt, "SUBMIT_AGAIN": "1"},
        )
    )  # fmt: skip
    expected = {
        "content": {"what": WHAT},
        "files": [hashlib.sha256(FILE).hexdigest()],
        "staff_reads": [QUESTION, ANSWER],
        "mailbox_report": True,
        "mailbox_reads": [QUESTION, ANSWER],
    }
    assert opened == {**expected, "reports": 2}

    # And back, from PostgreSQL to an empty (migrated) installation on SQLite.
    archive = tmp_path / "postgres.backup"
    _ok(_meldpunt("backup", str(archive), *key, data_dir=postgres, database_url=postgres_database))
    _ok(_meldpunt("restore", str(archive), *key, data_dir=back))
    opened = _result(
        _meldpunt("shell", "-v", "0", "-c", OPEN, data_dir=back, env={"RECEIPT": receipt})
    )
    assert opened == {**expected, "reports": 2}
    assert sorted(path.name for path in (back / "blobs").rglob("*") if path.is_file()) == sorted(
        path.name for path in (postgres / "blobs").rglob("*") if path.is_file()
    )


def _installation_with_a_report() -> Report:
    category = make_category()
    make_staff(lines=[category.line])
    return report_submit(
        category=category,
        answers={"what": WHAT},
        questions={"what": "Wat weet u?"},
        files=[IncomingFile(io.BytesIO(FILE), "bewijs.txt", "files")],
    ).report


@pytest.fixture
def archive(db, tmp_path) -> Path:
    """An archive of the test's installation (made in this process, by the command)."""
    _installation_with_a_report()
    path = tmp_path / "installation.backup"
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE)
    call_command("backup", str(path), passphrase_file=passphrase, verbosity=0)
    return path


def _refused_into_an_empty_installation(archive: Path, tmp_path: Path, passphrase: str) -> str:
    """Restore ``archive`` into a new installation on SQLite; it must fail and write nothing."""
    target = tmp_path / "target"
    secret = tmp_path / "given-passphrase"
    secret.write_text(passphrase)
    with pytest.raises(CommandError, match="(?i)nothing was restored"):
        call_command("restore", str(archive), verify_only=True, passphrase_file=secret)
    # The command reads the passphrase from the environment when no file is named.
    completed = _meldpunt(
        "restore", str(archive), data_dir=target, env={"MELDPUNT_BACKUP_PASSPHRASE": passphrase}
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    assert "nothing was restored" in completed.stderr.lower()
    # What every meldpunt process makes at start (Django's secret, the temporary
    # folder), and nothing else: no database, no blobs, no receipt secrets.
    assert sorted(path.name for path in target.iterdir()) == ["django.secret", "tmp"]
    assert not any((target / "tmp").iterdir())
    return completed.stderr


def _largest_frame_middle(data: bytes) -> int:
    """The offset of the middle of the archive's largest encrypted frame."""
    position = len(MAGIC)
    position += 4 + int.from_bytes(data[position : position + 4])  # the plain header
    position += 24  # secretstream's header
    largest = (0, 0)
    while position < len(data):
        length = int.from_bytes(data[position : position + 4])
        largest = max(largest, (length, position + 4 + length // 2))
        position += 4 + length
    return largest[1]


def test_a_wrong_passphrase_is_refused_and_nothing_is_written(archive, tmp_path):
    data = archive.read_bytes()
    receipt_salt = Path(settings.DATA_DIR, "receipt-salt.secret").read_bytes()
    line = Report.objects.get().line
    for plaintext in (b"intake.report", line.slug.encode(), line.name.encode(), receipt_salt):
        assert plaintext not in data  # neither content nor metadata nor secrets in the clear
    message = _refused_into_an_empty_installation(archive, tmp_path, "not the right passphrase")
    assert "passphrase is wrong" in message


def test_a_truncated_archive_is_refused_and_nothing_is_written(archive, tmp_path):
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 40])  # the manifest's end is missing
    message = _refused_into_an_empty_installation(archive, tmp_path, PASSPHRASE)
    assert "incomplete" in message


def test_a_tampered_archive_is_refused_and_nothing_is_written(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[_largest_frame_middle(bytes(data))] ^= 0x01  # one bit of the database or the blob
    archive.write_bytes(bytes(data))
    message = _refused_into_an_empty_installation(archive, tmp_path, PASSPHRASE)
    assert "altered" in message


def test_an_extended_archive_is_refused(archive, tmp_path):
    archive.write_bytes(archive.read_bytes() + b"\0" * 20)
    with pytest.raises(CommandError, match="data after its end.*nothing was restored"):
        call_command(
            "restore", str(archive), verify_only=True, passphrase_file=tmp_path / "passphrase"
        )


def test_restore_refuses_an_installation_that_is_not_empty_and_changes_nothing(archive, tmp_path):
    passphrase = tmp_path / "passphrase"
    report = Report.objects.get()
    report.status = "closed"
    report.save(update_fields=["status"])
    before = (sorted(blob_names()), sorted(p.name for p in Path(settings.DATA_DIR).iterdir()))
    with pytest.raises(CommandError, match="not empty.*intake.Report.*Nothing was restored"):
        call_command("restore", str(archive), passphrase_file=passphrase, verbosity=0)
    report.refresh_from_db()
    assert report.status == "closed"  # the archive's copy says otherwise
    assert (sorted(blob_names()), sorted(p.name for p in Path(settings.DATA_DIR).iterdir())) == (
        before
    )
    assert connection.vendor in {"sqlite", "postgresql"}


def test_verify_only_checks_every_part_against_the_manifest_and_writes_nothing(
    archive, tmp_path, capsys
):
    before = Path(settings.DATA_DIR, "receipt-salt.secret").read_bytes()
    blobs = len(list(blob_names()))
    Report.objects.all().delete()
    call_command("restore", str(archive), verify_only=True, passphrase_file=tmp_path / "passphrase")
    out = capsys.readouterr().out
    assert "is intact" in out and f"{blobs} blobs" in out
    assert not Report.objects.exists()
    assert Path(settings.DATA_DIR, "receipt-salt.secret").read_bytes() == before


def test_a_backup_needs_a_passphrase_of_some_length(db, tmp_path):
    short = tmp_path / "short"
    short.write_text("kort")
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("backup", str(tmp_path / "out.backup"), passphrase_file=short, verbosity=0)
    assert not list(tmp_path.glob("*.backup*"))


@pytest.mark.django_db(transaction=True)
def test_a_forced_restore_replaces_what_the_installation_holds(tmp_path):
    report = _installation_with_a_report()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE)
    archive = tmp_path / "installation.backup"
    call_command("backup", str(archive), passphrase_file=passphrase, verbosity=0)
    Report.objects.filter(pk=report.pk).update(status="closed")
    later = _installation_with_a_report()  # not in the archive

    call_command("restore", str(archive), passphrase_file=passphrase, force=True, verbosity=0)
    assert list(Report.objects.values_list("pk", "status")) == [(report.pk, "new")]
    assert not Report.objects.filter(pk=later.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_restore_gathers_planner_statistics_and_queues_a_count_of_the_forgotten_months(
    tmp_path,
):
    _installation_with_a_report()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE)
    archive = tmp_path / "installation.backup"
    call_command("backup", str(archive), passphrase_file=passphrase, verbosity=0)
    out = io.StringIO()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        call_command("restore", str(archive), passphrase_file=passphrase, force=True, stdout=out)
    assert "a count of the forgotten months is queued" in out.getvalue()
    assert _planner_row_estimate(Report._meta.db_table) == Report.objects.count() == 1
    # The run migrate queued went with the rows the restore replaced; the command's stays.
    [queued] = DBTaskResult.objects.filter(task_path=months_keep_task.module_path)
    assert queued.status == TaskResultStatus.READY


def _planner_row_estimate(table: str) -> int | None:
    """The rows the query planner believes ``table`` holds, or None without statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            [(estimate,)] = cursor.fetchall()
            return None if estimate < 0 else int(estimate)
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        row = cursor.fetchone()
        return None if row is None else int(row[0].split()[0])


def test_on_several_machines_the_backup_holds_the_shared_files_in_use(db, tmp_path, monkeypatch):
    shared = tmp_path / "secrets"
    shared_files_export(shared)
    in_use = "ab" * 32  # a copy that differs from the data directory's own
    (shared / "receipt-tag-key.secret").write_text(in_use)
    monkeypatch.setenv("MELDPUNT_SECRETS_DIR", str(shared))
    archive = tmp_path / "machine.backup"
    backup_write(out=archive, passphrase=PASSPHRASE)

    files, manifest = {}, {}
    with archive.open("rb") as handle:
        for part in archive_parts(handle, PASSPHRASE, manifest):
            content = b"".join(part.chunks)
            if part.kind == "file":
                files[part.name] = content
    assert files["datadir/receipt-tag-key.secret"] == in_use.encode()
    assert {f"datadir/{name}" for name in shared_files()} <= set(files)
