"""Safe viewing pages: blurred by default, reveal one item, limits, access by key grant."""

import hashlib
import io

import pytest
from django.test import override_settings
from PIL import Image

from meldpunt.evidence.downloads import download_name
from meldpunt.evidence.models import ViewingSession
from meldpunt.evidence.services import evidence_prepare, evidence_store
from meldpunt.evidence.tests import corpus, office_corpus
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault import blobs, crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import AuditEvent, Role

pytestmark = [pytest.mark.django_db, pytest.mark.urls("meldpunt.evidence.tests.urls")]

inline_tasks = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


@pytest.fixture
def stored(django_capture_on_commit_callbacks):
    """A photo of a line with one analyst holding a grant, thumbnail made."""
    line = make_line()
    analyst = make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    prepared = evidence_prepare(
        source=io.BytesIO(corpus.jpeg(size=(600, 400))), name="foto.jpg", max_bytes=10**7
    )
    with inline_tasks, django_capture_on_commit_callbacks(execute=True):
        evidence = evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
    prepared.discard()
    return evidence, analyst


def test_default_view_is_blurred_grey_preview(client, stored):
    evidence, analyst = stored
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/")
    assert page.status_code == 200
    assert b'id="preview"' in page.content and b'id="revealed"' not in page.content
    preview = client.get(f"/staff/evidence/{evidence.pk}/preview.jpg")
    assert preview["Cache-Control"] == "no-store, private"
    image = Image.open(io.BytesIO(preview.content))
    assert image.mode == "L" and max(image.size) <= 160
    assert client.get(f"/staff/evidence/{evidence.pk}/revealed").status_code == 404


def test_reveal_shows_the_real_image_then_hide_ends_it(client, stored, settings):
    evidence, analyst = stored
    settings.EVIDENCE_VIEWING_CUTOFF = ""  # whatever the time of this test run
    sign_in(client, analyst)
    assert client.post(f"/staff/evidence/{evidence.pk}/reveal/").status_code == 302
    page = client.get(f"/staff/evidence/{evidence.pk}/")
    assert b'id="revealed"' in page.content
    revealed = client.get(f"/staff/evidence/{evidence.pk}/revealed")
    assert revealed.status_code == 200
    assert Image.open(io.BytesIO(revealed.content)).size == (600, 400)
    client.post(f"/staff/evidence/{evidence.pk}/hide/")
    assert client.get(f"/staff/evidence/{evidence.pk}/revealed").status_code == 404
    assert ViewingSession.objects.get().ended_at is not None


def test_cut_off_refuses_reveal_with_message(client, stored, settings):
    evidence, analyst = stored
    settings.EVIDENCE_VIEWING_CUTOFF = "00:00"
    sign_in(client, analyst)
    refused = client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    assert refused.status_code == 403
    assert b'id="refusal"' in refused.content
    assert not ViewingSession.objects.exists()


def test_staff_without_a_grant_sees_nothing(client, stored):
    evidence, _analyst = stored
    outsider = make_staff(lines=[make_line()])
    sign_in(client, outsider)
    for url in ("", "preview.jpg", "revealed"):
        assert client.get(f"/staff/evidence/{evidence.pk}/{url}").status_code == 404
    assert client.post(f"/staff/evidence/{evidence.pk}/reveal/").status_code == 404
    assert not ViewingSession.objects.exists()


def test_signed_out_is_sent_to_sign_in(client, stored):
    evidence, _analyst = stored
    response = client.get(f"/staff/evidence/{evidence.pk}/preview.jpg")
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.fixture
def photo_with_metadata():
    """A line's photo uploaded with EXIF (author, serial, GPS), XMP, a comment and a trailer."""
    line = make_line()
    analyst = make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    upload = corpus.jpeg(size=(120, 80))
    evidence = _store(upload, name="foto schuur.jpeg", data_key=data_key, key_bytes=key_bytes)
    return evidence, analyst, upload, key_bytes


def _store(upload: bytes, *, name: str, data_key, key_bytes: bytes, **options):
    prepared = evidence_prepare(source=io.BytesIO(upload), name=name, max_bytes=10**7, **options)
    try:
        return evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
    finally:
        prepared.discard()


def test_page_names_the_file_as_stored_and_offers_the_download(client, photo_with_metadata):
    evidence, analyst, _upload, _key = photo_with_metadata
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/").content.decode()
    assert '<h1 id="file-name">foto schuur.jpeg</h1>' in page
    assert f'action="/staff/evidence/{evidence.pk}/download/"' in page
    assert 'id="download-refused"' not in page
    # Evidence alone knows no case: no back link unless an app claims the file.
    assert 'id="back-to-case"' not in page


def test_download_is_the_cleaned_file_not_the_upload_and_is_audited(client, photo_with_metadata):
    evidence, analyst, upload, key_bytes = photo_with_metadata
    sign_in(client, analyst)
    response = client.post(f"/staff/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    body = response.content
    assert body == blobs.blob_read_all(key=key_bytes, name=evidence.blob_name)
    assert body != upload
    for planted in (corpus.SERIAL, corpus.AUTHOR, corpus.COMMENT):
        assert planted.encode() in upload and planted.encode() not in body
    assert Image.open(io.BytesIO(body)).size == (120, 80)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="foto schuur.jpeg"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="evidence.download")
    assert event.actor == analyst and event.target_id == str(evidence.pk)
    assert event.target_type == "evidence.evidencefile"


def test_download_is_a_post_not_a_link(client, photo_with_metadata):
    evidence, analyst, _upload, _key = photo_with_metadata
    sign_in(client, analyst)
    assert client.get(f"/staff/evidence/{evidence.pk}/download/").status_code == 405
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


def test_download_is_refused_to_those_not_allowed(client, photo_with_metadata):
    evidence, _analyst, _upload, _key = photo_with_metadata
    url = f"/staff/evidence/{evidence.pk}/download/"
    signed_out = client.post(url)
    assert signed_out.status_code == 302 and "sign-in" in signed_out["Location"]
    outsider = make_staff(lines=[make_line()])
    administrator = make_staff(lines=[evidence.data_key.line], role=Role.ADMINISTRATOR)
    for person in (outsider, administrator):
        client.logout()
        sign_in(client, person)
        refused = client.post(url)
        assert refused.status_code == 404
        assert b"\xff\xd8" not in refused.content
    assert client.post(f"/staff/evidence/{evidence.pk + 1000}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


def test_known_material_is_never_downloaded(client, tmp_path):
    line = make_line()
    analyst = make_staff(lines=[line])
    upload = corpus.jpeg(size=(120, 80))
    listed = tmp_path / "police.txt"
    listed.write_text(hashlib.md5(upload, usedforsecurity=False).hexdigest() + "\n")
    hash_list_import(hash_list=hash_list_create(name="police-2026"), path=listed)
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    evidence = _store(upload, name="bekend.jpg", data_key=data_key, key_bytes=key_bytes)
    sign_in(client, analyst)

    page = client.get(f"/staff/evidence/{evidence.pk}/").content.decode()
    assert 'id="download-refused"' in page and 'id="download"' not in page
    assert "bekend.jpg" not in page  # the name is withheld with the rest
    # Even after the analyst asked to see the preview, the file is not handed out.
    client.post(f"/staff/evidence/{evidence.pk}/known/")
    refused = client.post(f"/staff/evidence/{evidence.pk}/download/")
    assert refused.status_code == 403
    assert "Content-Disposition" not in refused
    assert 'id="refusal"' in refused.content.decode()
    assert "Bekend materiaal wordt hier nooit gedownload" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


def test_a_file_kept_uncleaned_is_not_downloaded(client):
    line = make_line()
    analyst = make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    evidence = _store(
        b"PK\x03\x04 an archive, kept as it came",
        name="archief.zip",
        data_key=data_key,
        key_bytes=key_bytes,
        keep_uncleaned=True,
    )
    assert not evidence.is_cleaned
    sign_in(client, analyst)
    refused = client.post(f"/staff/evidence/{evidence.pk}/download/")
    assert refused.status_code == 403 and b"PK\x03\x04" not in refused.content
    assert 'id="refusal"' in refused.content.decode()
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("foto schuur.jpeg", "image/jpeg", "foto schuur.jpeg"),
        ("IMG_0001.HEIC", "image/jpeg", "IMG_0001.jpg"),  # stored as JPEG
        ('../../"x"\r\nSet-Cookie: a=b.jpg', "image/jpeg", "x___Set-Cookie_ a_b.jpg"),
        ("café\u202egpj.exe", "image/png", "café_gpj.png"),
        ("...", "application/pdf", "file-7.pdf"),
        ("notes", "text/plain; charset=utf-8", "notes.txt"),
        ("geluid.wav", "audio/wav", "geluid.wav"),
    ],
)
def test_download_name_is_safe_and_follows_the_cleaned_type(name, media_type, expected):
    assert download_name(name=name, media_type=media_type, fallback="file-7") == expected


def _stored_file(data: bytes, name: str, django_capture_on_commit_callbacks):
    line = make_line()
    analyst = make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    prepared = evidence_prepare(source=io.BytesIO(data), name=name, max_bytes=10**7)
    with inline_tasks, django_capture_on_commit_callbacks(execute=True):
        evidence = evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
    prepared.discard()
    return evidence, analyst


def test_a_revealed_tiff_shows_its_thumbnail_which_browsers_can_draw(
    client, settings, django_capture_on_commit_callbacks
):
    evidence, analyst = _stored_file(corpus.tiff(), "scan.tif", django_capture_on_commit_callbacks)
    settings.EVIDENCE_VIEWING_CUTOFF = ""
    sign_in(client, analyst)
    client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    revealed = client.get(f"/staff/evidence/{evidence.pk}/revealed")
    assert revealed.status_code == 200 and revealed["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(revealed.content)).format == "JPEG"


def test_document_page_says_what_cleaning_changed(client, django_capture_on_commit_callbacks):
    evidence, analyst = _stored_file(
        office_corpus.docm(), "verslag.docm", django_capture_on_commit_callbacks
    )
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'id="cleaning"' in page.content
    for label in (b"Tracked insertions accepted: 1", b"Comments removed", b"Macros removed: 1"):
        assert label in page.content
    assert b'id="tracked-changes"' in page.content  # what the line's policy did
    # Its preview is a picture of its text, blurred until revealed.
    assert b'id="preview"' in page.content
    assert b"The beginning of the document&#x27;s text" in page.content


def test_a_pdf_is_blurred_first_and_its_first_pages_are_revealed(
    client, settings, django_capture_on_commit_callbacks
):
    evidence, analyst = _stored_file(
        corpus.pdf_with_bands(2), "brief.pdf", django_capture_on_commit_callbacks
    )
    settings.EVIDENCE_VIEWING_CUTOFF = ""
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'id="preview"' in page.content and b"The first pages of the document." in page.content
    blurred = Image.open(
        io.BytesIO(client.get(f"/staff/evidence/{evidence.pk}/preview.jpg").content)
    )
    assert blurred.mode == "L" and max(blurred.size) <= 160
    assert client.get(f"/staff/evidence/{evidence.pk}/revealed").status_code == 404
    client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    revealed = client.get(f"/staff/evidence/{evidence.pk}/revealed")
    assert revealed.status_code == 200 and revealed["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(revealed.content)).width == round(200 * corpus.PDF_BAND_SCALE)


def test_a_document_without_a_preview_says_why_and_the_page_still_opens(
    client, django_capture_on_commit_callbacks
):
    evidence, analyst = _stored_file(
        office_corpus.empty_odt(), "leeg.odt", django_capture_on_commit_callbacks
    )
    sign_in(client, analyst)
    page = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"No preview: the document has no text to show." in page.content
    assert client.get(f"/staff/evidence/{evidence.pk}/preview.jpg").status_code == 404
