"""Acceptance: a copy of the whole database and data directory reveals no report content.

Reports, messages and files with distinctive content go in through the real paths
(the reporter's web form and mailbox, the staff page, and the service the API
uses). Then the database is dumped as an attacker would copy it: on SQLite the
raw database pages (the file plus its -wal, or a page-for-page copy of an
in-memory test database); on PostgreSQL the output of ``pg_dump``. Together with
every file under the data directory (blob store, temporary upload files) it must
contain none of the content, in any of the encodings a database uses for text
and binary columns, nor the data keys or receipts that would open it.
"""

import base64
import io
import os
import secrets
import sqlite3
import string
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from meldpunt.intake.models import Report
from meldpunt.intake.services import IncomingFile, mailbox_open, report_submit
from meldpunt.testing import make_category, make_staff, sign_in, submission_token

# Committed transactions: pg_dump runs in another session and must see the rows.
pytestmark = pytest.mark.django_db(transaction=True)


def _marker(label: str) -> str:
    """A distinctive string of letters only: random hex digits can read as a postcode
    ("9214aa") or a phone number, which the reporter pages then stop to warn about."""
    return f"{label}-{''.join(secrets.choice(string.ascii_lowercase) for _ in range(24))}"


def _file_bytes(label: str) -> bytes:
    """A text file (so cleaning keeps its bytes) with distinctive lines."""
    lines = [_marker(label) for _ in range(200)]
    return ("\n".join(lines) + "\n").encode()


def _encodings(secret: bytes) -> set[bytes]:
    """The forms a value takes in a dump: raw, hex (bytea), base64 (sessions, JSON)."""
    return {
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret).rstrip(b"="),
    }


def _sqlite_dump(tmp_path: Path) -> bytes:
    name = str(connection.settings_dict["NAME"])
    if Path(name).is_file():
        return b"".join(
            Path(name + suffix).read_bytes()
            for suffix in ("", "-wal", "-journal")
            if Path(name + suffix).exists()
        )
    # The test database is in memory: copy its pages one for one (the backup API
    # copies free pages too, so deleted-but-not-overwritten data would show).
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return copy.read_bytes()


def _postgres_dump() -> bytes:
    config = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--dbname", config["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            command += [option, str(config[key])]
    environment = {**os.environ, "PGPASSWORD": config.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, env=environment, check=True)
    assert b"CREATE TABLE public.intake_report" in result.stdout
    return result.stdout


def _database_dump(tmp_path: Path) -> bytes:
    if connection.vendor == "postgresql":
        return _postgres_dump()
    assert connection.vendor == "sqlite"
    return _sqlite_dump(tmp_path)


def _data_dir_files() -> dict[Path, bytes]:
    return {
        path: path.read_bytes() for path in Path(settings.DATA_DIR).rglob("*") if path.is_file()
    }


def test_database_and_blob_store_reveal_no_content(tmp_path):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    texts = {label: _marker(label) for label in ("answer", "reporter-msg", "staff-msg", "api")}
    names = {label: _marker(label) + ".txt" for label in ("web-file", "msg-file", "api-file")}
    files = {label: _file_bytes(label) for label in names}

    # 1. A reporter uses the web form, with a file.
    reporter = Client()
    url = f"/report/{category.line.slug}/{category.slug}/"
    review = reporter.post(url, {"what": texts["answer"]})
    assert review.status_code == 200
    upload = SimpleUploadedFile(names["web-file"], files["web-file"], "text/plain")
    response = reporter.post(
        url + "send/",
        {"what": texts["answer"], "files": [upload], **submission_token(review.content.decode())},
    )
    assert response.status_code == 200, response.content[:500]
    receipt = response.context["receipt"]
    report = Report.objects.get()
    assert report.attachments.count() == 1

    # 2. Staff ask a question, the reporter answers with another file.
    staff = Client()
    sign_in(staff, analyst)
    page = staff.post(f"/staff/cases/reports/{report.pk}/", {"body": texts["staff-msg"]})
    assert page.status_code == 302
    assert reporter.post("/mailbox/", {"receipt": receipt}).status_code == 302
    upload = SimpleUploadedFile(names["msg-file"], files["msg-file"], "text/plain")
    answer = reporter.post(
        "/mailbox/messages/", {"body": texts["reporter-msg"], "confirm": "1", "files": [upload]}
    )
    assert answer.status_code in (200, 302)
    assert report.messages.count() == 2 and report.attachments.count() == 2

    # 3. The service the JSON API calls.
    api_report = report_submit(
        category=category,
        answers={"what": texts["api"]},
        questions={"what": "Wat weet u?"},
        files=[IncomingFile(io.BytesIO(files["api-file"]), names["api-file"], "files")],
    ).report

    # The content is really there and readable with the keys...
    detail = staff.get(f"/staff/cases/reports/{report.pk}/").content.decode()
    assert texts["answer"] in detail and texts["reporter-msg"] in detail
    data_keys = [mailbox_open(receipt=receipt).key_bytes]
    assert report.data_key_id != api_report.data_key_id

    # ... and nowhere in what an attacker can copy.
    sessions = "".join(repr(s.get_decoded()) for s in Session.objects.all()).encode()
    dumps = {"database": _database_dump(tmp_path), "sessions": sessions}
    dumps |= {str(path): data for path, data in _data_dir_files().items()}
    assert any("blobs" in name for name in dumps), "the blob store was not found"

    secrets_to_hide: dict[str, bytes] = {
        **{f"text {label}": text.encode() for label, text in texts.items()},
        **{f"file name {label}": name.encode() for label, name in names.items()},
        **{f"file {label} start": data[:48] for label, data in files.items()},
        **{f"file {label} middle": data[3000:3048] for label, data in files.items()},
        "receipt": receipt.encode(),
        "receipt unspaced": receipt.replace(" ", "").encode(),
        **{f"data key {n}": key for n, key in enumerate(data_keys)},
    }
    leaks = [
        f"{what} in {where}"
        for where, blob in dumps.items()
        for what, secret in secrets_to_hide.items()
        if any(form in blob for form in _encodings(secret))
    ]
    assert not leaks, leaks


def test_the_search_would_find_plaintext_if_it_were_stored(tmp_path):
    """Guard against a test that passes because it looks in the wrong place."""
    category = make_category()
    marker = _marker("plain")
    report_submit(category=category, answers={"what": "x"}, questions={})
    # The category name is configuration, stored in plaintext on purpose.
    type(category).objects.filter(pk=category.pk).update(name=marker)
    assert marker.encode() in _database_dump(tmp_path)
