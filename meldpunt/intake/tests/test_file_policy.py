"""A line's file policy (accepted formats, files that cannot be cleaned) reaches the cleaner."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Report
from meldpunt.intake.services import IncomingFile, IntakeError, report_submit
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
