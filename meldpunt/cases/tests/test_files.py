"""The case page's file list: names, types, links, and known material held back until asked."""

import hashlib
import io

import pytest
from django.test import override_settings

from meldpunt.cases.files import case_files
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.hashes.tests import pictures
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.testing import sign_in
from meldpunt.vault.models import AuditEvent

from .test_services import key_for

pytestmark = pytest.mark.django_db

inline_tasks = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)


@pytest.fixture
def submitted(tmp_path, category, analyst, django_capture_on_commit_callbacks):
    """A report through the real intake path: one known photo, one unknown, one text."""
    known = pictures.jpeg(pictures.picture(21))
    path = tmp_path / "police.txt"
    path.write_text(hashlib.md5(known, usedforsecurity=False).hexdigest() + "\n")
    hash_list_import(hash_list=hash_list_create(name="police-2026"), path=path)
    files = [
        IncomingFile(source=io.BytesIO(known), name="bekend.jpg", question_key="files"),
        IncomingFile(
            source=io.BytesIO(pictures.jpeg(pictures.picture(22))),
            name="vakantie.jpg",
            question_key="files",
        ),
        IncomingFile(source=io.BytesIO(b"notes of the reporter\n"), name="notes.txt"),
    ]
    with inline_tasks, django_capture_on_commit_callbacks(execute=True):
        submission = report_submit(
            category=category, answers={"what": "x"}, questions={"what": "Wat?"}, files=files
        )
    return submission.report


def test_known_files_are_counted_not_listed_until_asked(client, submitted, analyst):
    sign_in(client, analyst)
    page = client.get(f"/staff/cases/reports/{submitted.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="file-list"' in body and "vakantie.jpg" in body and "notes.txt" in body
    unknown = EvidenceFile.objects.exclude(matches__isnull=False)
    for evidence in unknown:
        assert f"/staff/evidence/{evidence.pk}/" in body
    known = EvidenceFile.objects.get(matches__isnull=False)
    assert "bekend.jpg" not in body and f"/staff/evidence/{known.pk}/" not in body
    assert 'id="known-files"' in body and "police-2026" in body
    assert 'id="known-show"' in body
    assert not AuditEvent.objects.filter(action="case.known_files_show").exists()

    shown = client.get(f"/staff/cases/reports/{submitted.pk}/", {"known": "show"}).content.decode()
    assert "bekend.jpg" in shown and f"/staff/evidence/{known.pk}/" in shown
    event = AuditEvent.objects.get(action="case.known_files_show")
    assert event.actor == analyst and event.target_id == str(submitted.pk)
    assert event.details == {"files": 1, "lists": ["police-2026"]}


def test_a_case_without_known_files_never_offers_or_audits_showing(client, category, analyst):
    submission = report_submit(
        category=category,
        answers={"what": "x"},
        questions={"what": "Wat?"},
        files=[IncomingFile(source=io.BytesIO(b"plain text\n"), name="a.txt")],
    )
    sign_in(client, analyst)
    body = client.get(f"/staff/cases/reports/{submission.report.pk}/", {"known": "show"}).content
    assert b"a.txt" in body and b'id="known-files"' not in body
    assert not AuditEvent.objects.filter(action="case.known_files_show").exists()


def test_the_selector_does_not_decrypt_names_of_known_files(submitted, analyst, monkeypatch):
    from meldpunt.cases import files as files_module

    opened = []
    real = files_module.evidence_meta

    def counting(*, evidence, key_bytes):
        opened.append(evidence.pk)
        return real(evidence=evidence, key_bytes=key_bytes)

    monkeypatch.setattr(files_module, "evidence_meta", counting)
    files = case_files(report=submitted, key_bytes=key_for(analyst, submitted))
    known = EvidenceFile.objects.get(matches__isnull=False)
    assert files.known_count == 1 and len(files.listed) == 2
    assert known.pk not in opened and len(opened) == 2
    assert files.known_lists == [("police-2026", 1)]


def test_the_file_page_names_the_file_and_links_back_to_the_case(client, submitted, analyst):
    sign_in(client, analyst)
    case_url = f"/staff/cases/reports/{submitted.pk}/"
    for name in ("vakantie.jpg", "notes.txt"):
        evidence = next(
            item.evidence
            for item in case_files(report=submitted, key_bytes=key_for(analyst, submitted)).listed
            if item.name == name
        )
        page = client.get(f"/staff/evidence/{evidence.pk}/").content.decode()
        assert f'<h1 id="file-name">{name}</h1>' in page
        assert f'<a href="{case_url}" id="back-to-case">Terug naar de zaak</a>' in page
    english = client.get(f"/staff/evidence/{evidence.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert f'<a href="{case_url}" id="back-to-case">Back to the case</a>' in english.decode()
    # Known material: the way back is there, the name stays sealed until it is shown.
    known = EvidenceFile.objects.get(matches__isnull=False)
    page = client.get(f"/staff/evidence/{known.pk}/").content.decode()
    assert 'id="back-to-case"' in page and "bekend.jpg" not in page
    assert '<h1 id="file-name">Bestand</h1>' in page
