"""Safe viewing pages: blurred by default, reveal one item, limits, access by key grant."""

import io

import pytest
from django.test import override_settings
from PIL import Image

from meldpunt.evidence.models import ViewingSession
from meldpunt.evidence.services import evidence_prepare, evidence_store
from meldpunt.evidence.tests import corpus
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create

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
