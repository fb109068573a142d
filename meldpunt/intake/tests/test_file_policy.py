"""A line's file policy (accepted formats, files that cannot be cleaned, tracked changes)
reaches the cleaner."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from meldpunt.evidence.models import EvidenceFile
from meldpunt.evidence.tests import office_corpus
from meldpunt.intake.models import Report, StagedFile
from meldpunt.intake.services import IncomingFile, IntakeError, report_submit
from meldpunt.lines.models import Line, TrackedChanges
from meldpunt.lines.transfer import lines_import
from meldpunt.testing import make_category

pytestmark = pytest.mark.django_db


def _image(fmt: str) -> IncomingFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format=fmt)
    buffer.seek(0)
    return IncomingFile(source=buffer, name=f"photo.{fmt.lower()}", question_key="files")


def _submit(category, files):
    return report_submit(
        category=category, answers={"what": "x"}, questions={"what": "Wat?"}, files=files
    )


def test_a_format_the_line_does_not_accept_is_refused_and_nothing_is_stored():
    category = make_category()
    category.line.allowed_file_formats = ["png"]
    category.line.save()
    with pytest.raises(IntakeError) as refusal:
        _submit(category, [_image("JPEG")])
    assert refusal.value.field == "files"
    assert "photo.jpeg" in refusal.value.message
    assert not Report.objects.exists()
    assert _submit(category, [_image("PNG")]).report.attachments.count() == 1


def test_uncleanable_files_are_refused_unless_the_line_keeps_them_flagged():
    broken = b"\x00\x01 not a known format \xff" * 10
    category = make_category()
    with pytest.raises(IntakeError):
        _submit(category, [IncomingFile(source=io.BytesIO(broken), name="x.bin")])
    category.line.keep_uncleaned_files = True
    category.line.save()
    _submit(category, [IncomingFile(source=io.BytesIO(broken), name="x.bin")])
    assert EvidenceFile.objects.get().is_cleaned is False


def test_unknown_format_names_are_refused_in_configuration():
    data = {"lines": [{"slug": "l", "name": "L", "allowed_file_formats": ["jpeg", "exe"]}]}
    with pytest.raises(ValidationError, match="exe"):
        lines_import(data)


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("/en", "This document contains tracked changes"), ("", "Dit document bevat bijgehouden")],
)
def test_a_line_that_refuses_tracked_changes_asks_for_the_document_again(client, prefix, words):
    category = make_category()
    url = f"{prefix}/report/{category.line.slug}/{category.slug}/"

    def choose():
        document = SimpleUploadedFile("verslag.docx", office_corpus.docx(), "application/zip")
        return client.post(url, {"what": "Er wordt gedeald", "files": [document]})

    category.line.tracked_changes = TrackedChanges.REFUSE
    category.line.save()
    refused = choose()
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "verslag.docx" in page and words in page
    assert "Er wordt gedeald" in page  # the answers are still there, only the file is asked again
    assert not StagedFile.objects.exists() and not Report.objects.exists()
    category.line.tracked_changes = TrackedChanges.ACCEPT
    category.line.save()
    assert choose().status_code == 200
    assert StagedFile.objects.count() == 1


def test_the_tracked_changes_policy_travels_with_the_line_configuration():
    lines_import({"lines": [{"slug": "l", "name": "L", "tracked_changes": "refuse"}]})
    assert Line.objects.get(slug="l").tracked_changes == "refuse"
