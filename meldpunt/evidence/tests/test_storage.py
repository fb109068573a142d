"""Storing, the worker's derivatives, safe previews and the viewing ledger."""

import datetime
import io
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from meldpunt.evidence import tasks
from meldpunt.evidence.models import (
    DerivativeJob,
    DerivativeStatus,
    EvidencePreview,
    PreviewKind,
    ViewingSession,
)
from meldpunt.evidence.previews import safe_preview_make
from meldpunt.evidence.services import evidence_meta, evidence_prepare, evidence_store
from meldpunt.evidence.tests import corpus
from meldpunt.evidence.viewing import (
    ViewingBlocked,
    viewing_allowance,
    viewing_end,
    viewing_start,
)
from meldpunt.lines.models import Line
from meldpunt.vault import blobs, crypto
from meldpunt.vault.audit import audit_verify
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import AuditEvent

pytestmark = pytest.mark.django_db

# Tasks run inline, as a worker would run them right after the commit.
inline_tasks = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


def _store(data: bytes, name: str = "foto.jpg"):
    key_bytes = crypto.new_data_key()
    line = Line.objects.create(slug=f"l{Line.objects.count()}", name="Line")
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[])
    prepared = evidence_prepare(source=io.BytesIO(data), name=name, max_bytes=10**7)
    try:
        return evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes), key_bytes
    finally:
        prepared.discard()


def test_name_and_hashes_are_sealed_not_plain():
    evidence, key_bytes = _store(corpus.jpeg(), name="IMG_1234 Jansen.jpg")
    meta = evidence_meta(evidence=evidence, key_bytes=key_bytes)
    assert meta["name"] == "IMG_1234 Jansen.jpg"
    assert set(meta["hashes"]) >= {"sha256", "sha1", "md5", "pdq", "pdq_quality"}
    assert set(meta["original_hashes"]) == {"sha256", "sha1", "md5"}
    assert b"Jansen" not in bytes(evidence.sealed_meta)
    assert meta["hashes"]["sha256"].encode() not in bytes(evidence.sealed_meta)
    stored = blobs.blob_read_all(key=key_bytes, name=evidence.blob_name)
    assert corpus.AUTHOR.encode() not in stored
    assert evidence.media_type == "image/jpeg"


@inline_tasks
def test_worker_makes_an_encrypted_thumbnail_and_drops_its_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence, key_bytes = _store(corpus.jpeg(size=(900, 600)))
    evidence.refresh_from_db()
    assert evidence.derivative_status == DerivativeStatus.DONE
    assert not DerivativeJob.objects.exists()
    preview = EvidencePreview.objects.get(evidence=evidence, kind=PreviewKind.THUMBNAIL)
    thumbnail = blobs.blob_read_all(key=key_bytes, name=preview.blob_name)
    assert max(Image.open(io.BytesIO(thumbnail)).size) == 320
    # Running the task again (a second worker) does nothing.
    assert tasks.evidence_derivatives_make.call(evidence.pk) == "claimed elsewhere"


@inline_tasks
def test_an_images_thumbnail_is_decoded_in_the_limited_child(
    settings, django_capture_on_commit_callbacks
):
    """A cleaned JPEG keeps the sender's compressed data: libjpeg runs on it in the child."""
    settings.EVIDENCE_DERIVATIVE_MEMORY_BYTES = 32 * 1024 * 1024  # too small for the child
    with django_capture_on_commit_callbacks(execute=True):
        evidence, _key_bytes = _store(corpus.jpeg(size=(900, 600)))
    evidence.refresh_from_db()
    assert evidence.derivative_status == DerivativeStatus.FAILED
    assert not EvidencePreview.objects.filter(evidence=evidence).exists()
    assert not DerivativeJob.objects.exists()


@inline_tasks
def test_worker_makes_contact_sheet_and_vpdq_for_video(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence, key_bytes = _store(corpus.mp4(), name="clip.mp4")
    evidence.refresh_from_db()
    assert evidence.derivative_status == DerivativeStatus.DONE
    sheet = EvidencePreview.objects.get(evidence=evidence, kind=PreviewKind.CONTACT_SHEET)
    image = Image.open(io.BytesIO(blobs.blob_read_all(key=key_bytes, name=sheet.blob_name)))
    assert image.width == 639
    vpdq = evidence_meta(evidence=evidence, key_bytes=key_bytes)["hashes"]["vpdq"]
    assert vpdq and all(len(feature["hash"]) == 64 for feature in vpdq)
    assert json.dumps(vpdq)


@inline_tasks
def test_undecodable_video_marks_failure_and_worker_survives(django_capture_on_commit_callbacks):
    data = bytearray(corpus.mp4())
    # Garble the coded pictures but keep the container readable.
    start = data.index(b"mdat") + 200
    data[start : start + 4000] = bytes(4000)
    with django_capture_on_commit_callbacks(execute=True):
        evidence, _key = _store(bytes(data), name="clip.mp4")
    evidence.refresh_from_db()
    assert evidence.derivative_status in (DerivativeStatus.DONE, DerivativeStatus.FAILED)


def test_text_needs_no_worker():
    evidence, _key = _store(corpus.text(), name="notes.txt")
    assert evidence.derivative_status == DerivativeStatus.NOT_NEEDED
    assert not DerivativeJob.objects.exists()


def _edges(image: Image.Image) -> int:
    """Sum of differences between neighbouring pixels: high for sharp pictures."""
    data = image.tobytes()
    return sum(abs(a - b) for a, b in zip(data[1:], data[:-1], strict=False))


def test_safe_preview_is_small_grey_and_blurred():
    original = corpus.picture(400, 300)
    buffer = io.BytesIO()
    original.save(buffer, format="PNG")
    preview = Image.open(io.BytesIO(safe_preview_make(buffer.getvalue())))
    assert preview.mode == "L" and max(preview.size) == 160
    sharp = original.convert("L").resize(preview.size)
    assert _edges(preview) < _edges(sharp) / 2


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user(username="analyst1", password="x" * 20)


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localtime().date()
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def test_daily_limit_warns_then_blocks(settings, viewer):
    settings.EVIDENCE_VIEWING_DAILY_MINUTES = 10
    evidence, _key = _store(corpus.png(), name="a.png")
    first = viewing_start(viewer=viewer, evidence=evidence, at=_at(9))
    viewing_end(session=first, at=_at(9, 8))
    allowance = viewing_allowance(viewer=viewer, at=_at(9, 9))
    assert allowance.used_seconds == 480 and allowance.is_warning and not allowance.is_blocked
    second = viewing_start(viewer=viewer, evidence=evidence, at=_at(9, 10))
    viewing_end(session=second, at=_at(9, 13))
    with pytest.raises(ViewingBlocked):
        viewing_start(viewer=viewer, evidence=evidence, at=_at(9, 20))
    assert ViewingSession.objects.count() == 2
    assert AuditEvent.objects.filter(action="evidence.reveal").count() == 2
    assert audit_verify().is_intact


def test_cut_off_time_blocks_revealing(settings, viewer):
    settings.EVIDENCE_VIEWING_CUTOFF = "13:00"
    evidence, _key = _store(corpus.png(), name="a.png")
    with pytest.raises(ViewingBlocked) as blocked:
        viewing_start(viewer=viewer, evidence=evidence, at=_at(13, 5))
    assert "13:00" in blocked.value.message
    assert not ViewingSession.objects.exists()


def test_an_open_reveal_counts_the_default_seconds(settings, viewer):
    settings.EVIDENCE_VIEWING_DEFAULT_SECONDS = 120
    evidence, _key = _store(corpus.png(), name="a.png")
    viewing_start(viewer=viewer, evidence=evidence, at=_at(8))
    assert viewing_allowance(viewer=viewer, at=_at(11)).used_seconds == 120


def test_previews_made_while_the_file_was_destroyed_are_removed(monkeypatch):
    evidence, key_bytes = _store(corpus.jpeg(size=(400, 300)))
    real_thumbnail = tasks.image_thumbnail_make

    def purge_meanwhile(*, image):
        type(evidence).objects.filter(pk=evidence.pk).update(destroyed_at=timezone.now())
        return real_thumbnail(image=image)

    monkeypatch.setattr(tasks, "image_thumbnail_make", purge_meanwhile)
    blobs_before = _blob_count()
    assert tasks.evidence_derivatives_make.call(evidence.pk) == "destroyed meanwhile"
    assert not EvidencePreview.objects.exists()
    assert _blob_count() == blobs_before


def _blob_count() -> int:
    from pathlib import Path

    from django.core.files.storage import storages

    return sum(1 for path in Path(storages["blobs"].location).rglob("*") if path.is_file())


@inline_tasks
def test_child_that_dies_leaves_the_worker_running(settings, django_capture_on_commit_callbacks):
    # An address space far too small for FFmpeg: the child fails, as it would on a bomb.
    settings.EVIDENCE_DERIVATIVE_MEMORY_BYTES = 32 * 1024 * 1024
    with django_capture_on_commit_callbacks(execute=True):
        evidence, key_bytes = _store(corpus.mp4(), name="clip.mp4")
    evidence.refresh_from_db()
    assert evidence.derivative_status == DerivativeStatus.FAILED
    assert "vpdq" not in evidence_meta(evidence=evidence, key_bytes=key_bytes)["hashes"]
    assert not DerivativeJob.objects.exists()
