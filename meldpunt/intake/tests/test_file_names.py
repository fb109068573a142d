"""File names that are not UTF-8 (issue 10.7): the file is kept, its name read as Latin-1.

Django skips a part header it cannot decode as UTF-8, which used to drop such a
file silently (small files) or refuse the whole body (larger ones).
"""

import io

import pytest
from django.test import Client
from PIL import Image

from meldpunt.evidence.meta import evidence_meta
from meldpunt.intake.forms import SubmissionForm
from meldpunt.intake.models import Attachment
from meldpunt.intake.multipart import CloseDelimiterWatch
from meldpunt.intake.services import mailbox_open
from meldpunt.testing import make_full_category

pytestmark = pytest.mark.django_db

LATIN1_NAME = "café Ørsted.jpg".encode("latin-1")


def _jpeg(padding: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue() + b"\0" * padding  # trailing bytes after the image are kept as data


def _body(fields: dict[str, str], file_name: bytes, content: bytes) -> bytes:
    parts = []
    for name, value in fields.items():
        parts += [b"--fr", f'Content-Disposition: form-data; name="{name}"'.encode(), b"", value]
    parts += [
        b"--fr",
        b'Content-Disposition: form-data; name="files"; filename="' + file_name + b'"',
        b"Content-Type: image/jpeg",
        b"",
        content,
        b"--fr--",
        b"",
    ]
    return b"\r\n".join(part if isinstance(part, bytes) else part.encode() for part in parts)


def _stored_names(receipt: str) -> list[str]:
    access = mailbox_open(receipt=receipt)
    return [
        evidence_meta(evidence=attachment.file, key_bytes=access.key_bytes)["name"]
        for attachment in Attachment.objects.filter(report=access.report)
    ]


# Below and above the parser's 64 KB chunk: the two ways the file used to get lost.
@pytest.mark.parametrize("padding", [0, 200_000], ids=["small", "large"])
def test_api_keeps_a_file_with_a_latin1_name(padding):
    category = make_full_category()
    response = Client().post(
        f"/api/v1/lines/{category.line.slug}/categories/{category.slug}/reports",
        _body({"what": "Er wordt gedeald"}, LATIN1_NAME, _jpeg(padding)),
        content_type="multipart/form-data; boundary=fr",
    )
    assert response.status_code == 201, response.content
    assert _stored_names(response.json()["receipt"]) == ["café Ørsted.jpg"]


@pytest.mark.parametrize("padding", [0, 200_000], ids=["small", "large"])
def test_web_form_keeps_a_file_with_a_latin1_name(padding):
    category = make_full_category()
    fields = {"what": "Er wordt gedeald", **SubmissionForm.issue().initial}
    response = Client().post(
        f"/report/{category.line.slug}/{category.slug}/send/",
        _body(fields, LATIN1_NAME, _jpeg(padding)),
        content_type="multipart/form-data; boundary=fr",
    )
    assert response.status_code == 200, response.content[:2000]
    assert _stored_names(response.context["receipt"]) == ["café Ørsted.jpg"]


def test_utf8_names_pass_unchanged():
    category = make_full_category()
    response = Client().post(
        f"/api/v1/lines/{category.line.slug}/categories/{category.slug}/reports",
        _body({"what": "x"}, "ꙮ façade.jpg".encode(), _jpeg(0)),
        content_type="multipart/form-data; boundary=fr",
    )
    assert response.status_code == 201, response.content
    assert _stored_names(response.json()["receipt"]) == ["ꙮ façade.jpg"]


@pytest.mark.parametrize("chunk", [1, 2, 5, 13, 64, 100_000])
def test_watch_re_encodes_part_headers_across_read_boundaries(chunk):
    content = b"\xe9 in the data stays \xe9\r\n-fr nor is this a delimiter"
    body = _body({"what": "x"}, LATIN1_NAME, content)
    watch = CloseDelimiterWatch(io.BytesIO(body), b"fr")
    passed = b""
    while data := watch.read(chunk):
        assert len(data) <= chunk
        passed += data
    assert passed == body.replace(LATIN1_NAME, "café Ørsted.jpg".encode())
    assert watch.is_complete
