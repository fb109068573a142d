"""Exposure on the file page: a real reveal counts, and one's own limit suggests a break."""

import io
import re

import pytest
from django.test import override_settings

from meldpunt.evidence.exposure import exposure_limit_set, exposure_today
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
def stored(django_capture_on_commit_callbacks, settings):
    """A photo with a thumbnail, an analyst holding its key, and no time limit in the way."""
    settings.EVIDENCE_VIEWING_CUTOFF = ""  # whatever the time of this test run
    settings.EVIDENCE_VIEWING_DAILY_MINUTES = 24 * 60
    line = make_line()
    analyst = make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    prepared = evidence_prepare(
        source=io.BytesIO(corpus.jpeg(size=(300, 200))), name="foto.jpg", max_bytes=10**7
    )
    with inline_tasks, django_capture_on_commit_callbacks(execute=True):
        evidence = evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
    prepared.discard()
    return evidence, analyst


@pytest.fixture
def client(client):
    """English pages unless a test asks otherwise (the installation's default is Dutch)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _count_line(content: bytes) -> str:
    return re.search(rb'<p id="exposure">(.*?)</p>', content, re.S).group(1).decode()


def test_a_real_reveal_counts_for_today_and_the_page_says_so(client, stored):
    evidence, analyst = stored
    sign_in(client, analyst)
    page = f"/staff/evidence/{evidence.pk}/"
    assert "You revealed 0 items today." in _count_line(client.get(page).content)
    assert client.post(f"/staff/evidence/{evidence.pk}/reveal/").status_code == 302
    assert exposure_today(viewer=analyst).revealed == 1
    assert "You revealed 1 item today." in _count_line(client.get(page).content)
    client.post(f"/staff/evidence/{evidence.pk}/hide/")
    client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    assert exposure_today(viewer=analyst).revealed == 2


def test_the_break_suggestion_appears_only_once_the_own_limit_is_reached(client, stored):
    evidence, analyst = stored
    exposure_limit_set(user=analyst, daily_reveal_limit=2)
    sign_in(client, analyst)
    page = f"/staff/evidence/{evidence.pk}/"
    reveal = f"/staff/evidence/{evidence.pk}/reveal/"
    assert b'id="break-suggested"' not in client.get(page).content
    client.post(reveal)
    first = client.get(page).content
    assert b'id="break-suggested"' not in first
    assert "your own limit is 2" in _count_line(first)
    client.post(reveal)
    after = client.get(page).content
    assert b'id="break-suggested"' in after
    assert b"good moment for a break" in after
    # A suggestion, not a block: revealing still works, and the real picture is shown.
    assert client.post(reveal).status_code == 302
    assert b'id="revealed"' in client.get(page).content


def test_without_a_limit_no_break_is_suggested(client, stored):
    evidence, analyst = stored
    sign_in(client, analyst)
    for _ in range(3):
        client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    assert exposure_today(viewer=analyst).revealed == 3
    assert b'id="break-suggested"' not in client.get(f"/staff/evidence/{evidence.pk}/").content


def test_the_suggestion_is_in_dutch_for_a_dutch_browser(client, stored):
    evidence, analyst = stored
    exposure_limit_set(user=analyst, daily_reveal_limit=1)
    sign_in(client, analyst)
    client.post(f"/staff/evidence/{evidence.pk}/reveal/")
    page = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert "Je hebt vandaag 1 item zichtbaar gemaakt" in _count_line(page.content)
    assert b"goed moment voor een pauze" in page.content
