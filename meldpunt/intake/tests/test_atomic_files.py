"""A submission or message that fails after its files were written leaves no blob behind."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import storages
from PIL import Image

from meldpunt.intake import services
from meldpunt.intake.models import Attachment, Message, Report
from meldpunt.testing import make_category

pytestmark = pytest.mark.django_db


def _photos(count: int) -> list[services.IncomingFile]:
    files = []
    for n in range(count):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (n * 40, 0, 0)).save(buffer, format="PNG")
        buffer.seek(0)
        files.append(services.IncomingFile(source=buffer, name=f"{n}.png"))
    return files


def _blobs() -> set[Path]:
    root = Path(storages["blobs"].location)
    return {path for path in root.rglob("*") if path.is_file()}


def _fail(**kwargs):
    raise RuntimeError("crash after the files were written")


def test_failed_submission_removes_the_blobs_it_wrote(monkeypatch):
    category = make_category()
    before = _blobs()
    monkeypatch.setattr(services, "audit_record", _fail)
    with pytest.raises(RuntimeError):
        services.report_submit(
            category=category, answers={"what": "x"}, questions={}, files=_photos(2)
        )
    assert not Report.objects.exists() and not Attachment.objects.exists()
    assert _blobs() == before


def test_failed_reporter_message_removes_the_blobs_it_wrote(monkeypatch):
    submission = services.report_submit(
        category=make_category(), answers={"what": "x"}, questions={}
    )
    access = services.mailbox_open(receipt=submission.receipt)
    before = _blobs()
    monkeypatch.setattr(services, "hour_now", _fail)
    with pytest.raises(RuntimeError):
        services.reporter_message_post(access=access, body="meer", files=_photos(2))
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert _blobs() == before
