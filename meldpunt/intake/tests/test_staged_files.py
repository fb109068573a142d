"""Files are chosen before the review, and their names are reviewed too (issue 11 item 4).

``bewijs_buurman_Kerkstraat12.jpg`` used to reach the analyst unchanged, and no
warning covered it because files were chosen after the review.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from PIL import Image

from meldpunt.evidence.meta import evidence_meta
from meldpunt.intake import staging
from meldpunt.intake.models import Attachment, Report, StagedFile
from meldpunt.intake.retention_tasks import purge_expired_reports
from meldpunt.intake.services import (
    IncomingFile,
    mailbox_open,
    report_submit,
    reporter_message_post,
)
from meldpunt.lines.models import FileNames
from meldpunt.testing import make_category, make_staff, sign_in, submission_token
from meldpunt.vault.models import Role, hour_now

pytestmark = pytest.mark.django_db

STREET_NAME = "bewijs_buurman_Kerkstraat12.jpg"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
TEXT_INPUT = re.compile(r'<input type="text" name="(name-\d+)" value="([^"]*)"')


def _jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return out.getvalue()


def _upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _jpeg() if content is None else content, "image/jpeg")


def _choose(client, category, *files: SimpleUploadedFile):
    """Step 1: answers and files; returns the review page."""
    url = f"/en/report/{category.line.slug}/{category.slug}/"
    return client.post(url, {"what": "Er wordt gedeald", "files": list(files)})


def _send_form(review) -> dict[str, str]:
    """What the review page's send form posts, as a browser would without changes."""
    page = review.content.decode()
    send = page[page.index('action="/en/report/') :]
    send = send[send.index("send/") :]
    fields = dict(HIDDEN.findall(send))
    fields.update(TEXT_INPUT.findall(send))
    fields.pop("csrfmiddlewaretoken", None)
    return fields | submission_token(page)


def _send(client, category, form: dict[str, str]):
    return client.post(f"/en/report/{category.line.slug}/{category.slug}/send/", form)


def _stored_names(receipt: str) -> list[str]:
    access = mailbox_open(receipt=receipt)
    return [
        evidence_meta(evidence=attachment.file, key_bytes=access.key_bytes)["name"]
        for attachment in Attachment.objects.filter(report=access.report)
    ]


def test_a_file_named_after_a_street_is_flagged_on_the_review_with_rename_and_drop(client):
    category = make_category()
    review = _choose(client, category, _upload(STREET_NAME))
    assert review.status_code == 200
    page = review.content.decode()
    assert "<mark>Kerkstraat12</mark>" in page
    assert "An address. If it is where you live or work, it can point to you." in page
    form = _send_form(review)
    assert form["name-0"] == "bewijs_buurman_Kerkstraat12"
    assert 'name="drop-0"' in page and 'type="checkbox"' in page
    assert not Report.objects.exists()  # nothing is sent before the review


def test_a_renamed_file_is_stored_under_its_new_name_only(client):
    category = make_category()
    form = _send_form(_choose(client, category, _upload(STREET_NAME)))
    sent = _send(client, category, form | {"name-0": "foto van de straat"})
    assert sent.status_code == 200, sent.content[:3000]
    assert _stored_names(sent.context["receipt"]) == ["foto van de straat.jpg"]
    assert not StagedFile.objects.exists()  # the batch is gone once sent


def test_a_dropped_file_is_not_sent_and_the_others_are(client):
    category = make_category()
    review = _choose(client, category, _upload(STREET_NAME), _upload("zonder-naam.jpg"))
    sent = _send(client, category, _send_form(review) | {"drop-0": "on"})
    assert sent.status_code == 200, sent.content[:3000]
    assert _stored_names(sent.context["receipt"]) == ["zonder-naam.jpg"]
    assert not StagedFile.objects.exists()


def test_an_empty_new_name_is_refused_and_nothing_is_sent(client):
    category = make_category()
    form = _send_form(_choose(client, category, _upload(STREET_NAME)))
    refused = _send(client, category, form | {"name-0": "  "})
    assert refused.status_code == 400
    assert "Give the file a name, or choose not to send it." in refused.content.decode()
    assert not Report.objects.exists() and StagedFile.objects.count() == 1


def _blob_files() -> set[str]:
    storage = storages["blobs"]
    found, folders = set(), [""]
    while folders:
        folder = folders.pop()
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}{name}/" for name in subfolders]
        found |= {folder + name for name in files}
    return found


def _all_stored_bytes() -> bytes:
    """Every value of every table, and every file in the blob store, as bytes."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                found += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                          for v in row]  # fmt: skip
    found += [storages["blobs"].open(name).read() for name in _blob_files()]
    return b"\n".join(found)


def test_a_neutral_name_line_never_stores_the_original_name(client):
    category = make_category()
    category.line.file_names = FileNames.NEUTRAL
    category.line.save()
    review = _choose(client, category, _upload(STREET_NAME))
    page = review.content.decode()
    assert "file-1.jpg" in page and "Kerkstraat" not in page
    assert "name-0" not in page  # nothing to rename, only whether to send it
    form = _send_form(review)
    # Staged, the file's sealed details already carry the neutral name.
    assert [upload.name for upload in staging.files_staged(secret=form["staged"])] == ["file-1.jpg"]
    assert b"Kerkstraat" not in _all_stored_bytes()
    sent = _send(client, category, form)
    assert _stored_names(sent.context["receipt"]) == ["file-1.jpg"]
    assert b"Kerkstraat" not in _all_stored_bytes()


def test_the_analyst_sees_only_the_final_name(client):
    category = make_category()
    analyst = make_staff(lines=[category.line], role=Role.ANALYST)
    form = _send_form(_choose(client, category, _upload(STREET_NAME)))
    _send(client, category, form | {"name-0": "straatfoto"})
    report = Report.objects.get()
    sign_in(client, analyst)
    case = client.get(f"/staff/cases/reports/{report.pk}/").content.decode()
    assert "straatfoto.jpg" in case
    assert "Kerkstraat" not in case and "buurman" not in case


def test_staged_files_are_encrypted_on_the_hour_and_unreadable_without_the_form(client):
    category = make_category()
    content = _jpeg("blue")
    form = _send_form(_choose(client, category, _upload(STREET_NAME, content)))
    staged = StagedFile.objects.get()
    assert staged.created_at == hour_now()
    stored = _all_stored_bytes()
    assert b"Kerkstraat" not in stored and form["staged"].encode() not in stored
    assert b"JFIF" not in storages["blobs"].open(staged.blob_name).read()
    assert staging.files_staged(secret=staging.staging_secret()) == []


def test_a_damaged_or_oversized_file_is_refused_at_the_first_step_and_nothing_is_kept(client):
    category = make_category()
    category.line.max_file_mb = 1
    category.line.save()
    blobs_before = _blob_files()
    damaged = _choose(client, category, _upload("kapot.jpg", b"\xff\xd8\xff\xe0 not really"))
    assert damaged.status_code == 400
    assert "kapot.jpg”: This file is damaged or incomplete" in damaged.content.decode()
    big = _choose(client, category, _upload("groot.jpg", _jpeg() + b"\0" * (1024 * 1024 + 1)))
    assert big.status_code == 400
    assert "is larger than 1 MB" in big.content.decode()
    # A good file beside a damaged one is not kept either: all files or none.
    both = _choose(client, category, _upload("goed.jpg"), _upload("kapot.jpg", b"\xff\xd8\xff"))
    assert both.status_code == 400
    assert not StagedFile.objects.exists() and not Report.objects.exists()
    assert _blob_files() == blobs_before


def test_files_that_expired_before_sending_stop_the_report_with_a_clear_message(client):
    category = make_category()
    form = _send_form(_choose(client, category, _upload(STREET_NAME)))
    staged = StagedFile.objects.get()
    StagedFile.objects.update(created_at=hour_now() - staging.STAGED_FOR)
    assert staging.staged_files_purge() == 0  # kept for STAGED_FOR, then removed
    StagedFile.objects.update(created_at=hour_now() - staging.STAGED_FOR - timedelta(hours=1))
    with override_settings(TASKS=IMMEDIATE):
        purge_expired_reports.enqueue()  # the daily purge
    assert not StagedFile.objects.exists()
    assert not storages["blobs"].exists(staged.blob_name)
    refused = _send(client, category, form)
    assert refused.status_code == 400
    assert "The files you chose are no longer kept." in refused.content.decode()
    assert not Report.objects.exists()


def test_going_back_to_the_answers_keeps_the_chosen_files(client):
    category = make_category()
    form = _send_form(_choose(client, category, _upload(STREET_NAME)))
    url = f"/en/report/{category.line.slug}/{category.slug}/"
    back = client.post(url, {"what": "Er wordt gedeald", "staged": form["staged"], "edit": "1"})
    assert STREET_NAME in back.content.decode()
    review = client.post(
        url, {"what": "Anders", "staged": form["staged"], "files": [_upload("tweede.jpg")]}
    )
    sent = _send(client, category, _send_form(review))
    assert sorted(_stored_names(sent.context["receipt"])) == [STREET_NAME, "tweede.jpg"]


def test_files_sent_without_a_review_get_neutral_names_on_a_neutral_line():
    """The API and mailbox messages have no review of names: the line's policy still holds."""
    category = make_category()
    category.line.file_names = FileNames.NEUTRAL
    category.line.save()
    submission = report_submit(
        category=category,
        answers={"what": "x"},
        questions={"what": "Wat?"},
        files=[IncomingFile(source=io.BytesIO(_jpeg()), name=STREET_NAME)],
    )
    access = mailbox_open(receipt=submission.receipt)
    reporter_message_post(
        access=access,
        body="nog een",
        files=[IncomingFile(source=io.BytesIO(_jpeg("blue")), name="Jan_de_Vries.JPG")],
    )
    assert sorted(_stored_names(submission.receipt)) == ["file-1.jpg", "file-1.jpg"]
    assert b"Kerkstraat" not in _all_stored_bytes() and b"Vries" not in _all_stored_bytes()
