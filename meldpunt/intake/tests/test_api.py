"""The reporter JSON API, end to end through Django's test client.

Every response is checked for cookies: the API must never set one.
"""

import base64
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from PIL import Image

from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake import api_urls
from meldpunt.intake.api import views
from meldpunt.intake.api.openapi import openapi_document
from meldpunt.intake.api.tokens import PREFIX
from meldpunt.intake.models import Author, Message, Report, ReportChannel, ReportStatus
from meldpunt.intake.multipart import CloseDelimiterWatch
from meldpunt.intake.retention import report_kept_until
from meldpunt.intake.services import (
    mailbox_open,
    message_body,
    report_content,
    report_key_for_staff,
    staff_message_post,
)
from meldpunt.lines.models import Question, QuestionKind
from meldpunt.testing import (
    PASSWORD,
    make_category,
    make_full_category,
    make_line,
    make_staff,
    url_routes,
)
from meldpunt.vault.derivations import derivation_gate
from meldpunt.vault.keys import staff_key_unlock

pytestmark = pytest.mark.django_db
API = "/api/v1"
MB = 1024 * 1024


def _as_openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def assert_documented(method: str, path: str, response) -> None:
    """The status is documented for this operation and the body matches its schema."""
    match = resolve(API + path)
    if match.func is views.no_such_endpoint:
        return
    document = openapi_document()
    template = _as_openapi_path(match.route.removeprefix("api/v1/"))
    operations = document["paths"][template]
    status = str(response.status_code)
    if method not in operations:  # no such operation: any documented 405 says how it answers
        assert status == "405"
        method = next(m for m in operations if m != "parameters")
    documented = operations[method]["responses"]
    assert status in documented, f"{method.upper()} {template} answered {status}"
    schema = documented[status]["content"]["application/json"]["schema"]
    # Local references ("#/components/...") resolve against the root of this schema.
    OAS31Validator({**schema, "components": document["components"]}).validate(response.json())


class ApiClient:
    """Django's test client; every response must set no cookie and match the document."""

    def __init__(self, **defaults: str) -> None:
        self.client = Client(**defaults)

    def request(self, method: str, path: str, **kwargs):
        response = getattr(self.client, method)(API + path, **kwargs)
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
        assert response["Content-Type"] == "application/json", response.content[:300]
        assert_documented(method, path, response)
        return response

    def get(self, path: str, **kwargs):
        return self.request("get", path, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        return self.request("post", path, data=data, **kwargs)

    def post_json(self, path: str, payload, **kwargs):
        return self.post(path, json.dumps(payload), content_type="application/json", **kwargs)


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def _reports_url(category) -> str:
    return f"/lines/{category.line.slug}/categories/{category.slug}/reports"


def _error(response) -> dict:
    return response.json()["error"]


def _nothing_stored() -> bool:
    return not (Report.objects.exists() or EvidenceFile.objects.exists())


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def _upload(name: str = "foto.jpg", size: int | None = None) -> SimpleUploadedFile:
    """A real JPEG, or filler of an exact size for files refused before anyone reads them."""
    content = _jpeg() if size is None else b"x" * size
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _open_mailbox(api: ApiClient, receipt: str) -> dict[str, str]:
    response = api.post_json("/mailbox/session", {"receipt": receipt})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["token"].startswith(PREFIX)
    return {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}


# Lines and questionnaires


def test_lines_lists_only_open_lines_and_their_open_categories(api, django_assert_max_num_queries):
    open_category = make_category()
    make_category(line=open_category.line, is_public=False)
    make_category(line=make_line(is_active=False))
    make_category()
    with django_assert_max_num_queries(2):
        response = api.get("/lines")
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert len(lines) == 2
    first = next(line for line in lines if line["slug"] == open_category.line.slug)
    assert [c["slug"] for c in first["categories"]] == [open_category.slug]
    assert first["limits"] == {"max_files": 10, "max_file_mb": 100}


@pytest.fixture
def category():
    return make_full_category()


def test_questionnaire_describes_every_question_in_dutch_by_default(api, category):
    response = api.get(f"/lines/{category.line.slug}/categories/{category.slug}")
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    questions = {q["key"]: q for q in response.json()["questions"]}
    assert list(questions) == ["what", "known", "who", "when", "where", "drug", "files"]
    assert questions["what"]["label"] == "Wat weet u?"
    assert questions["what"]["required"] is True
    assert questions["what"]["max_length"] == 10000
    assert questions["who"]["required"] is True
    assert questions["who"]["max_length"] == 500
    assert questions["who"]["shown_if"] == {"question": "known", "value": "yes"}
    assert questions["known"]["choices"] == [
        {"value": "yes", "label": "Ja"},
        {"value": "no", "label": "Nee"},
    ]
    assert questions["where"]["choices"] == [{"value": "GM0363", "label": "Amsterdam"}]
    assert questions["drug"]["choices"] == [{"value": "coke", "label": "Cocaïne"}]
    assert questions["files"]["kind"] == "file"
    assert questions["when"]["choices"] is None


def test_questionnaire_follows_accept_language(api, category):
    response = api.get(
        f"/lines/{category.line.slug}/categories/{category.slug}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Content-Language"] == "en"
    questions = {q["key"]: q for q in response.json()["questions"]}
    assert questions["what"]["label"] == "What do you know?"
    assert questions["drug"]["choices"] == [{"value": "coke", "label": "Cocaine"}]
    assert questions["known"]["choices"][0]["label"] == "Yes"


def test_unknown_and_closed_categories_are_not_found(api):
    closed = make_category(is_public=False)
    inactive = make_category(line=make_line(is_active=False))
    unknown = api.get(f"/lines/{closed.line.slug}/categories/no-such-category")
    assert unknown.status_code == 404
    assert _error(unknown)["code"] == "not_found"
    for category in (closed, inactive):
        response = api.get(f"/lines/{category.line.slug}/categories/{category.slug}")
        assert response.status_code == 404
        assert _error(response)["code"] == "category_closed"


# Submitting reports


def test_json_submission_returns_a_receipt_that_opens_the_report(api, category):
    response = api.post_json(
        _reports_url(category),
        {"what": "Er wordt gedeald", "known": "yes", "who": "Jan", "where": "GM0363"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"]["code"] == "new"
    access = mailbox_open(receipt=body["receipt"])
    assert access.report.municipality_code == "GM0363"
    assert access.report.channel == ReportChannel.API
    content = report_content(report=access.report, key_bytes=access.key_bytes)
    assert content["answers"] == {
        "what": "Er wordt gedeald",
        "known": "yes",
        "who": "Jan",
        "where": "GM0363",
    }
    assert content["questions"]["what"] == "Wat weet u?"


def test_multipart_submission_stores_files_under_their_question(api):
    category = make_category()
    Question.objects.create(
        category=category, key="photos", kind=QuestionKind.FILE, label="Foto's", order=10
    )
    response = api.post(
        _reports_url(category),
        {"what": "Zie foto's", "photos": [_upload("a.jpg")], "files": [_upload("b.jpg")]},
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert sorted(report.attachments.values_list("question_key", flat=True)) == [
        "files",
        "photos",
    ]


def test_files_under_files_mean_the_first_file_question(api):
    category = make_category()
    Question.objects.filter(category=category, kind=QuestionKind.FILE).update(key="evidence")
    response = api.post(_reports_url(category), {"what": "x", "files": [_upload(), _upload()]})
    assert response.status_code == 201, response.content
    assert list(Report.objects.get().attachments.values_list("question_key", flat=True)) == [
        "evidence",
        "evidence",
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [("nl", "Dit veld is verplicht."), ("en", "This field is required.")],
)
def test_missing_answers_are_translated_field_errors(api, category, language, message):
    response = api.post_json(
        _reports_url(category),
        {"known": "yes", "when": "2026-02-31"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["fields"]["what"] == [{"code": "required", "message": message}]
    assert error["fields"]["who"][0]["code"] == "required"
    assert error["fields"]["when"][0]["code"] == "invalid"
    assert _nothing_stored()


def test_invalid_choice_and_overlong_text_are_field_errors(api, category):
    response = api.post_json(
        _reports_url(category), {"what": "x" * 10001, "drug": "heroin", "where": "GM9999"}
    )
    fields = _error(response)["fields"]
    assert fields["what"][0]["code"] == "max_length"
    assert fields["drug"][0]["code"] == "invalid_choice"
    assert fields["where"][0]["code"] == "invalid_choice"
    assert _nothing_stored()


def test_unknown_answer_keys_are_refused_not_dropped(api, category):
    response = api.post(_reports_url(category), {"what": "x", "colour": "red"})
    assert response.status_code == 400
    assert _error(response)["fields"] == {
        "colour": [{"code": "unknown_field", "message": "Er is geen vraag met deze sleutel."}]
    }
    assert _nothing_stored()


def test_file_without_a_file_question_is_refused(api):
    category = make_category()
    Question.objects.filter(category=category, kind=QuestionKind.FILE).delete()
    response = api.post(_reports_url(category), {"what": "x", "files": [_upload()]})
    assert response.status_code == 400
    assert _error(response)["fields"]["files"][0]["code"] == "unknown_field"
    assert _nothing_stored()


def test_closed_category_and_unknown_category_accept_nothing(api):
    closed = make_category(is_public=False)
    response = api.post_json(_reports_url(closed), {"what": "x"})
    assert response.status_code == 404
    assert _error(response)["code"] == "category_closed"
    response = api.post_json(f"/lines/{closed.line.slug}/categories/nope/reports", {"what": "x"})
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert _nothing_stored()


def _multipart(boundary: str, *parts: str) -> bytes:
    return "\r\n".join(parts).replace("BOUNDARY", boundary).encode()


_PART = 'Content-Disposition: form-data; name="files"; filename="a.jpg"'


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # No boundary parameter at all.
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=what\r\n\r\nx"),
        # A boundary that is not a valid boundary.
        ("multipart/form-data; boundary=" + "\x7f" * 3, b"--\x7f\x7f\x7f\r\n"),
        # Cut off in the headers of a part.
        (
            "multipart/form-data; boundary=frontier",
            _multipart("frontier", "--BOUNDARY", _PART, "Content-Type: image/jp"),
        ),
        # Cut off in the middle of a file: the half file must not be stored as a whole one.
        (
            "multipart/form-data; boundary=frontier",
            _multipart(
                "frontier",
                "--BOUNDARY",
                'Content-Disposition: form-data; name="what"',
                "",
                "x",
                "--BOUNDARY",
                _PART,
                "Content-Type: image/jpeg",
                "",
                "half a fi",
            ),
        ),
        # Only the opening delimiter.
        ("multipart/form-data; boundary=frontier", b"--frontier\r\n"),
    ],
)
def test_broken_multipart_body_is_a_clear_400(api, content_type, body):
    response = api.post(_reports_url(make_category()), body, content_type=content_type)
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_multipart"
    assert _nothing_stored()


def test_complete_multipart_body_by_hand_is_accepted(api):
    body = _multipart(
        "frontier",
        "--BOUNDARY",
        'Content-Disposition: form-data; name="what"',
        "",
        "x",
        "--BOUNDARY",
        _PART,
        "Content-Type: image/jpeg",
        "",
        "a whole file",
        "--BOUNDARY--",
        "",
    )
    response = api.post(
        _reports_url(make_category()), body, content_type="multipart/form-data; boundary=frontier"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("chunk", [1, 3, 7, 1000])
def test_close_delimiter_is_seen_across_read_boundaries(chunk):
    complete = b"--b\r\nheaders\r\n\r\ndata--b-\r\n--b--\r\n"
    for body, expected in [(complete, True), (complete[:-5], False), (b"--b--", True)]:
        watch = CloseDelimiterWatch(io.BytesIO(body), b"b")
        while watch.read(chunk):
            pass
        assert watch.is_complete is expected, body


def test_multipart_body_without_boundary_names_the_problem(api):
    response = api.post(
        _reports_url(make_category()), b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_multipart"


def test_oversized_body_is_refused_before_it_is_read(api):
    category = make_category(line=make_line(max_files=1, max_file_mb=1))
    limit = 1 * MB + 2 * MB  # one file plus the form fields
    response = api.post(_reports_url(category), {"what": "x", "files": [_upload(size=limit)]})
    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"
    assert _nothing_stored()


def test_file_over_the_line_limit_is_413_with_the_field(api):
    category = make_category(line=make_line(max_files=3, max_file_mb=1))
    response = api.post(
        _reports_url(category), {"what": "x", "files": [_upload(), _upload(size=MB + 1)]}
    )
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == "file_too_large"
    assert error["fields"]["files"][0]["code"] == "file_too_large"
    assert _nothing_stored()


def test_too_many_files_for_the_line(api):
    category = make_category(line=make_line(max_files=2))
    response = api.post(
        _reports_url(category), {"what": "x", "files": [_upload() for _ in range(3)]}
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "too_many_files"
    assert error["fields"]["__all__"][0]["code"] == "too_many_files"
    assert _nothing_stored()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_too_many_files_for_the_parser(api):
    response = api.post(
        _reports_url(make_category()),
        {"what": "x", "files": [_upload(f"{n}.jpg") for n in range(3)]},
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "too_many_files"
    assert _nothing_stored()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2)
def test_too_many_fields(api):
    response = api.post(
        _reports_url(make_category()),
        "what=x&a=1&b=2&c=3",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "too_many_fields"


@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", '{"what": 5}', '{"what": ["a"]}', b"\xff\xfe{}"],
)
def test_malformed_json(api, body):
    response = api.post(_reports_url(make_category()), body, content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"
    assert _nothing_stored()


def test_json_body_over_the_field_limit_is_413(api):
    response = api.post_json(_reports_url(make_category()), {"what": "x" * (2 * MB + 1)})
    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"


def test_unsupported_media_type(api):
    response = api.post(_reports_url(make_category()), "what: x", content_type="text/yaml")
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", ["/lines/", "/nothing", "/mailbox/session/x"])
def test_unknown_paths_are_json_404(api, path):
    response = api.post(path, {"what": "x"})
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_wrong_method_is_405_with_allow(api):
    response = api.post("/lines")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert _error(response)["code"] == "method_not_allowed"


# The mailbox


def _submit(api: ApiClient, category, **answers: str) -> str:
    response = api.post_json(_reports_url(category), {"what": "Er wordt gedeald", **answers})
    assert response.status_code == 201, response.content
    return response.json()["receipt"]


def test_malformed_receipt_is_a_field_error(api):
    response = api.post_json("/mailbox/session", {"receipt": "not a receipt"})
    assert response.status_code == 400
    assert _error(response)["fields"]["receipt"][0]["code"] == "malformed"


def test_wrong_receipt_is_401(api):
    make_category()
    response = api.post_json("/mailbox/session", {"receipt": "AAAA BBBB CCCC DDDD EEEE"})
    assert response.status_code == 401
    assert _error(response)["code"] == "receipt_wrong"


def test_wrong_receipts_never_keep_the_right_one_out(api):
    """Issue 11.1: wrong receipts used to lock everyone out (429) for up to two minutes."""
    receipt = _submit(api, make_category())
    for number in range(60):
        wrong = f"{number:04d}" + "A" * 16
        assert api.post_json("/mailbox/session", {"receipt": wrong}).status_code == 401
    assert api.post_json("/mailbox/session", {"receipt": receipt}).status_code == 201


@override_settings(VAULT_KDF_SLOTS=1, VAULT_KDF_MAX_WAIT_SECONDS=0.2)
def test_full_derivation_queue_is_503_busy_and_stores_nothing(api):
    category = make_category()
    receipt = _submit(api, category)
    with derivation_gate().slot():  # someone else's derivation takes the only slot
        submitted = api.post(_reports_url(category), {"what": "x", "files": [_upload()]})
        opened = api.post_json("/mailbox/session", {"receipt": receipt})
    for response in (submitted, opened):
        assert response.status_code == 503, response.content
        assert response["Retry-After"] == "60"
        assert _error(response)["code"] == "busy"
    assert Report.objects.count() == 1 and EvidenceFile.objects.count() == 0
    assert api.post_json("/mailbox/session", {"receipt": receipt}).status_code == 201


def test_receipt_can_be_sent_as_a_form_field(api):
    receipt = _submit(api, make_category())
    response = api.post("/mailbox/session", {"receipt": receipt.lower().replace(" ", "-")})
    assert response.status_code == 201


def test_mailbox_without_token(api):
    response = api.get("/mailbox")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "token_missing"


def _tampered(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token.removeprefix(PREFIX) + "=="))
    raw[-1] ^= 1
    return PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_garbled_forged_and_foreign_tokens_open_nothing(api):
    receipt = _submit(api, make_category())
    token = _open_mailbox(api, receipt)["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    for garbled in [
        "x",
        PREFIX,
        PREFIX + "!!!!",
        PREFIX + "AAAA",
        "mp2." + token[4:],
        _tampered(token),
    ]:
        response = api.get("/mailbox", HTTP_AUTHORIZATION=f"Bearer {garbled}")
        assert response.status_code == 401, garbled
        assert _error(response)["code"] == "token_invalid"
    with override_settings(SECRET_KEY="another installation"):
        response = api.get("/mailbox", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _error(response)["code"] == "token_invalid"
    assert api.get("/mailbox", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_expired_token_asks_for_the_receipt_again(api):
    receipt = _submit(api, make_category())
    with override_settings(SESSION_COOKIE_AGE=-1):
        auth = _open_mailbox(api, receipt)
    response = api.get("/mailbox", **auth)
    assert response.status_code == 401
    assert _error(response)["code"] == "token_expired"


def test_token_of_a_destroyed_report_opens_nothing(api):
    receipt = _submit(api, make_category())
    auth = _open_mailbox(api, receipt)
    Report.objects.update(destroyed_at="2026-01-01T00:00Z")
    response = api.get("/mailbox", **auth)
    assert _error(response)["code"] == "token_invalid"


def _as_bytes(value) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def test_the_server_keeps_no_trace_of_the_token_receipt_or_key(api):
    """The token carries the data key encrypted; nothing of it is stored anywhere."""
    receipt = _submit(api, make_category())
    auth = _open_mailbox(api, receipt)
    token = auth["HTTP_AUTHORIZATION"].removeprefix("Bearer ").encode()
    key_bytes = mailbox_open(receipt=receipt).key_bytes
    secrets = [token, token[4:24], receipt.encode(), receipt.replace(" ", "").encode(), key_bytes]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from Django)
            dump = b"\0".join(_as_bytes(value) for row in cursor.fetchall() for value in row)
            assert not [secret for secret in secrets if secret in dump], table


def test_json_round_trip_with_staff(api):
    """Submit, open, read a staff question, answer with a file: the answer reaches staff."""
    category = make_category()
    analyst = make_staff(lines=[category.line])
    receipt = _submit(api, category)
    auth = _open_mailbox(api, receipt)

    first = api.get("/mailbox", **auth, HTTP_ACCEPT_LANGUAGE="en").json()
    assert first["status"] == {
        "code": "new",
        "text": "Your report has been received and will be read soon.",
    }
    assert first["report"]["answers"] == [
        {"key": "what", "question": "Wat weet u?", "answer": "Er wordt gedeald"}
    ]
    assert first["messages"] == []
    report = Report.objects.get()
    assert first["retention"] == {
        "kept_until": report_kept_until(report).isoformat(),
        "days_after_close": category.line.retention_days_after_close,
        "max_days_open": category.line.retention_days_open,
    }
    staff_key = report_key_for_staff(
        report=report,
        user=analyst,
        private_key=staff_key_unlock(user=analyst, password=PASSWORD),
    )
    staff_message_post(
        report=report, actor=analyst, key_bytes=staff_key, body="Welke kleur had de auto?"
    )

    mailbox = api.get("/mailbox", **auth).json()
    assert mailbox["status"]["code"] == "waiting"
    assert [(m["author"], m["body"]) for m in mailbox["messages"]] == [
        ("staff", "Welke kleur had de auto?")
    ]

    response = api.post(
        "/mailbox/messages", {"body": "Een rode Golf", "files": [_upload("golf.jpg")]}, **auth
    )
    assert response.status_code == 201, response.content
    posted = response.json()
    assert posted["status"]["code"] == "in_progress"
    assert posted["message"]["body"] == "Een rode Golf"
    assert posted["message"]["attachments"][0]["name"] == "golf.jpg"

    answer = Message.objects.get(author=Author.REPORTER)
    assert message_body(message=answer, key_bytes=staff_key) == "Een rode Golf"
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.needs_attention
    assert answer.attachments.count() == 1

    json_answer = api.post_json("/mailbox/messages", {"body": "En een kenteken"}, **auth)
    assert json_answer.status_code == 201
    with CaptureQueriesContext(connection) as queries:
        bodies = [m["body"] for m in api.get("/mailbox", **auth).json()["messages"]]
    assert len(queries) <= 6  # report, its files, messages, their attachments and files
    assert bodies == ["Welke kleur had de auto?", "Een rode Golf", "En een kenteken"]


def test_mailbox_message_errors(api):
    category = make_category(line=make_line(max_files=1))
    auth = _open_mailbox(api, _submit(api, category))
    empty = api.post_json("/mailbox/messages", {"body": ""}, **auth)
    assert _error(empty)["fields"]["body"][0]["code"] == "required"
    too_many = api.post("/mailbox/messages", {"body": "x", "files": [_upload(), _upload()]}, **auth)
    assert _error(too_many)["code"] == "too_many_files"
    unknown = api.post_json("/mailbox/messages", {"body": "x", "subject": "y"}, **auth)
    assert _error(unknown)["fields"]["subject"][0]["code"] == "unknown_field"
    broken = api.post("/mailbox/messages", b"--x\r\n", content_type="multipart/form-data", **auth)
    assert _error(broken)["code"] == "malformed_multipart"
    assert not Message.objects.exists()


# Cookies, CSRF and the OpenAPI document


def test_cookies_sent_by_a_client_are_ignored_and_none_are_set(category):
    """A session or language cookie changes nothing: the API is cookie-less."""
    browser = Client()
    browser.get("/")  # whatever the site may set
    browser.cookies["mp_session"] = "some-session-key"
    browser.cookies["mp_lang"] = "en"
    response = browser.get(
        f"{API}/lines/{category.line.slug}/categories/{category.slug}",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    assert not response.cookies
    assert response["Content-Language"] == "nl"


def test_posts_need_no_csrf_token(category):
    strict = ApiClient(enforce_csrf_checks=True)
    response = strict.post_json(_reports_url(category), {"what": "x"})
    assert response.status_code == 201


def test_openapi_document_is_valid_and_served(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document == json.loads(json.dumps(openapi_document()))


def test_every_route_is_documented_with_the_methods_it_allows(api):
    """Each route of api_urls.py is in the document, and answers 405 to other methods."""
    category = make_category()
    documented = openapi_document()["paths"]
    routes = [
        route
        for route, view in url_routes(api_urls.urlpatterns)
        if view is not views.no_such_endpoint
    ]
    assert len(routes) == len(documented)
    for route in routes:
        path = _as_openapi_path(route)
        assert path in documented, path
        methods = {m.upper() for m in documented[path] if m != "parameters"}
        url = path.format(line_slug=category.line.slug, category_slug=category.slug)
        response = api.request("delete", url)
        assert response.status_code == 405, url
        assert set(response["Allow"].split(", ")) == methods, url


def test_every_error_code_is_documented_somewhere():
    document = json.dumps(openapi_document()["paths"])
    enum = openapi_document()["components"]["schemas"]["Error"]["properties"]["error"]
    for code in enum["properties"]["code"]["enum"]:
        assert f"`{code}`" in document, code
