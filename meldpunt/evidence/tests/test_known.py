"""Known material: matching at upload and in the worker, and the withheld evidence page."""

import hashlib
import io

import av
import numpy
import pytest
from django.test import override_settings
from PIL import Image

from meldpunt.evidence.models import EvidenceMatch, MatchSubject
from meldpunt.evidence.services import evidence_meta, evidence_prepare, evidence_store
from meldpunt.evidence.tests import corpus
from meldpunt.hashes.models import HashList
from meldpunt.hashes.services import hash_list_create, hash_list_import, hash_list_remove
from meldpunt.hashes.tests import pictures
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import AuditEvent

pytestmark = pytest.mark.django_db

inline_tasks = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


def _list(tmp_path, name: str, lines: list[str], algorithm: str | None = None) -> HashList:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    hash_list = hash_list_create(name=name, source="test")
    hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    return hash_list


def _store(data: bytes, name: str = "foto.jpg", recipients=()):
    key_bytes = crypto.new_data_key()
    line = make_line()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=list(recipients))
    prepared = evidence_prepare(source=io.BytesIO(data), name=name, max_bytes=10**7)
    try:
        return evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes), key_bytes
    finally:
        prepared.discard()


def test_the_file_as_received_matches_although_cleaning_changed_its_bytes(tmp_path):
    upload = corpus.jpeg(size=(300, 200))  # with EXIF, which cleaning removes
    _list(tmp_path, "police", [hashlib.md5(upload, usedforsecurity=False).hexdigest()])
    evidence, key_bytes = _store(upload)
    assert evidence_meta(evidence=evidence, key_bytes=key_bytes)["hashes"]["sha256"] != (
        hashlib.sha256(upload).hexdigest()
    )
    [match] = EvidenceMatch.objects.all()
    assert (match.list_name, match.subject, match.method) == ("police", "original", "md5")


def test_a_near_duplicate_picture_matches_by_pdq_of_the_cleaned_file(tmp_path):
    known = pictures.picture(1)
    inhope = _list(tmp_path, "inhope", [pictures.pdq(known)[0]], algorithm="pdq")
    evidence, _key = _store(pictures.jpeg(pictures.recompressed(known), quality=70))
    [match] = evidence.matches.all()
    assert match.hash_list == inhope and match.subject == MatchSubject.CLEANED
    assert match.method == "pdq" and 0 < match.distance <= 31
    unrelated, _key = _store(pictures.jpeg(pictures.picture(2)))
    assert not unrelated.matches.exists()


def test_a_removed_list_leaves_its_record(tmp_path):
    upload = pictures.jpeg(pictures.picture(3))  # no metadata: cleaning keeps the bytes
    police = _list(tmp_path, "police", [hashlib.sha1(upload, usedforsecurity=False).hexdigest()])
    evidence, _key = _store(upload)
    # Same bytes before and after cleaning: one match, on the file as received.
    assert evidence.matches.get().subject == MatchSubject.ORIGINAL
    hash_list_remove(hash_list=police)
    match = evidence.matches.get()
    assert match.hash_list is None and match.list_name == "police"


def _video(image: Image.Image, seconds: int = 3) -> bytes:
    """An H.264 MP4 showing one picture, as a screen recording of it would."""
    buffer = io.BytesIO()
    frame = numpy.asarray(image.convert("RGB"))
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = image.width, image.height, "yuv420p"
        for _ in range(5 * seconds):
            output.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        output.mux(stream.encode())
    return buffer.getvalue()


@inline_tasks
def test_the_worker_matches_a_video_by_its_vpdq_frames(
    tmp_path, django_capture_on_commit_callbacks
):
    known = pictures.picture(4, size=(320, 240))
    _list(tmp_path, "video-list", [pictures.pdq(known)[0]], algorithm="pdq")
    with django_capture_on_commit_callbacks(execute=True):
        evidence, key_bytes = _store(_video(known), name="clip.mp4")
    evidence.refresh_from_db()
    assert evidence_meta(evidence=evidence, key_bytes=key_bytes)["hashes"]["vpdq"]
    [match] = evidence.matches.all()
    assert (match.subject, match.method, match.list_name) == ("video", "vpdq", "video-list")
    assert match.frame_percent == 100.0 and match.distance <= 31
    with django_capture_on_commit_callbacks(execute=True):
        other, _key = _store(_video(pictures.picture(5, size=(320, 240))), name="other.mp4")
    assert not other.matches.exists()


@pytest.fixture
def known_file(tmp_path, django_capture_on_commit_callbacks):
    """A photo on a list, stored for a line with one analyst, thumbnail made."""
    upload = pictures.jpeg(pictures.picture(6))
    _list(tmp_path, "police", [hashlib.sha256(upload).hexdigest()], algorithm="sha256")
    analyst = make_staff(lines=[make_line()])
    with inline_tasks, django_capture_on_commit_callbacks(execute=True):
        evidence, _key = _store(upload, recipients=[analyst])
    assert evidence.previews.exists()
    return evidence, analyst


def test_known_material_shows_no_preview_until_asked_and_asking_is_audited(
    client, known_file, settings
):
    evidence, analyst = known_file
    settings.EVIDENCE_VIEWING_CUTOFF = ""
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/")
    assert page.status_code == 200
    assert b'id="known"' in page.content and b"police" in page.content
    assert b'id="preview"' not in page.content and b"/reveal/" not in page.content
    assert client.get(f"/staff/evidence/{evidence.pk}/preview.jpg").status_code == 404
    assert client.post(f"/staff/evidence/{evidence.pk}/reveal/").status_code == 302
    assert client.get(f"/staff/evidence/{evidence.pk}/revealed").status_code == 404
    assert not AuditEvent.objects.filter(action="evidence.known_show").exists()

    assert client.post(f"/staff/evidence/{evidence.pk}/known/").status_code == 302
    event = AuditEvent.objects.get(action="evidence.known_show")
    assert event.actor == analyst and event.target_id == str(evidence.pk)
    assert event.details == {"lists": ["police"]}
    page = client.get(f"/staff/evidence/{evidence.pk}/")
    assert b'id="preview"' in page.content  # blurred first, as for any file
    assert client.get(f"/staff/evidence/{evidence.pk}/preview.jpg").status_code == 200


def test_asking_to_see_needs_a_grant(client, known_file):
    evidence, _analyst = known_file
    sign_in(client, make_staff(lines=[make_line()]))
    assert client.post(f"/staff/evidence/{evidence.pk}/known/").status_code == 404
    assert not AuditEvent.objects.filter(action="evidence.known_show").exists()
