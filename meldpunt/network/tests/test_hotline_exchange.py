"""Address reports exchanged with partner hotlines: signed export, import by command and API.

Real Ed25519 keys (PyNaCl), the real JSON Schema files, the real database;
the crawler that checks an imported address talks to a local HTTP server.
"""

import base64
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from nacl.signing import SigningKey

from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline.exchange import (
    ENVELOPE_SCHEMA,
    REPORT_SCHEMA,
    ExchangeRefused,
    address_report_export,
    document_read,
    document_sign,
    document_verify,
    exchange_public_key,
)
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import HostingTrace, HotlineState, ReportedUrl
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.services import reported_url_create
from meldpunt.hotline.tests.test_checking import SAMPLE
from meldpunt.intake.models import Report, ReportChannel
from meldpunt.intake.services import report_content
from meldpunt.lines.models import LineKind, Question, QuestionKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.network.hotline_exchange import (
    Outcome,
    partner_hotline_token_issue,
    partner_reports_import,
)
from meldpunt.network.models import PartnerHotlineExchange, PartnerHotlineReport, PartnerKind
from meldpunt.network.tests.factories import key_of, make_partner
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages are asserted in English; the installation's default is Dutch,
    and which language an earlier test left active must not matter."""
    with translation.override("en"):
        yield


API = "/api/v1/partner-hotlines/reports"


@pytest.fixture
def world():
    line = make_line(kind=LineKind.CONTENT_HOTLINE)
    analyst = make_staff(lines=[line])
    category = make_category(line=line, is_public=False)
    Question.objects.create(
        category=category, key="urls", kind=QuestionKind.WEB_ADDRESSES, label="Webadressen"
    )
    keys = {"DE": SigningKey.generate(), "BE": SigningKey.generate()}
    exchanges = {
        country: PartnerHotlineExchange.objects.create(
            partner=make_partner(
                name=f"Hotline {country}", kind=PartnerKind.FOREIGN_HOTLINE, country=country
            ),
            public_key=key.verify_key.encode().hex(),
            category=category,
        )
        for country, key in keys.items()
    }
    return {
        "line": line,
        "analyst": analyst,
        "category": category,
        "keys": keys,
        "exchanges": exchanges,
    }


def payload(report_id: str = "DE-2026-0001", address: str = "https://pics.example.de/a.jpg"):
    return {
        "format": "meldpunt.address-report",
        "version": 1,
        "report_id": report_id,
        "sender": {"name": "Hotline DE", "country": "DE"},
        "created_at": "2026-12-06T03:00:00+00:00",
        "address": address,
        "hosting": {"country": "NL", "asn": 64500, "organisation": "Example", "addresses": []},
        "assessment": {"decision": "illegal", "classification": {"assessment": "csam"}},
    }


def signed(world, country: str = "DE", **fields) -> dict:
    return json.loads(document_sign(payload(**fields), signing_key=world["keys"][country]))


def test_export_then_import_between_two_installations_keeps_the_address(world, settings):
    """Installation A exports with its own key; B has A registered as a partner and imports."""
    settings.HOTLINE_EXCHANGE_SENDER_NAME = "Meldpunt NL"
    report = make_report_with_address(world, "https://pics.example.nl/b.jpg")
    item = ReportedUrl.objects.get(report=report)
    HostingTrace.objects.create(
        reported_url=item,
        traced_at=item.created_at,
        addresses=[{"address": "192.0.2.7", "asn": 64500, "country": "NL", "organisation": "X"}],
        asn=64500,
        country="NL",
        organisation="X",
    )
    exported = address_report_export(item)

    envelope = json.loads(exported)
    assert envelope["signer_key"] == exchange_public_key()
    sent = json.loads(base64.b64decode(envelope["payload"]))
    assert sent["address"] == "https://pics.example.nl/b.jpg"
    assert sent["report_id"] == f"{report.reference}-{item.pk}"
    assert sent["sender"] == {"name": "Meldpunt NL", "country": "NL"}
    assert sent["hosting"]["addresses"][0]["address"] == "192.0.2.7"
    assert sent["assessment"] is None
    # No reporter text: the report's own answer is nowhere in the document.
    assert "A van unloads" not in exported.decode()

    # "Installation B": the same database, with A registered as a partner hotline by its key.
    importer = make_partner(name="Meldpunt NL", kind=PartnerKind.FOREIGN_HOTLINE, country="NL")
    PartnerHotlineExchange.objects.create(
        partner=importer, public_key=exchange_public_key(), category=world["category"]
    )
    [result] = partner_reports_import(envelopes=[envelope])

    assert result.outcome == Outcome.IMPORTED and result.report_id == sent["report_id"]
    imported = result.reported_url
    assert imported.report != report and url_open(imported.sealed_url) == sent["address"]
    assert imported.partner_source.partner == importer


def make_report_with_address(world, address: str) -> Report:
    report = make_report(category=world["category"])
    reported_url_create(report=report, address=url_normalise(address))
    return report


def test_an_imported_report_joins_the_queue_marked_with_its_partner(world):
    [result] = partner_reports_import(envelopes=[signed(world)])

    assert result.outcome == Outcome.IMPORTED
    item = result.reported_url
    report = item.report
    assert report.line == world["line"] and report.category == world["category"]
    assert report.channel == ReportChannel.PARTNER_HOTLINE
    assert item.state == HotlineState.NEW and item.next_check_at is not None
    source = PartnerHotlineReport.objects.get()
    assert (source.partner, source.external_id, source.partner_assessment) == (
        world["exchanges"]["DE"].partner,
        "DE-2026-0001",
        "illegal",
    )
    # Times as for any report: the hour only.
    assert report.received_at.minute == report.received_at.second == 0
    assert item.created_at.minute == source.received_at.minute == 0
    # Sealed for the line's staff like a report from the form; nobody holds a receipt.
    content = report_content(report=report, key_bytes=key_of(report, world["analyst"]))
    assert content["answers"] == {"urls": "https://pics.example.de/a.jpg"}
    assert not report.data_key.grants.filter(is_reporter=True).exists()
    assert report.receipt_tag is None
    assert AuditEvent.objects.filter(action="network.partner_report_import").count() == 1


def test_an_imported_address_is_checked_by_the_crawler(
    world,
    settings,
    fake_web,
    fake_dns,
    crawler_may_reach_fake_web,
    django_capture_on_commit_callbacks,
):
    settings.HOTLINE_FIRST_CHECK_MINUTES = [0, 0]
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", fake_web.image, "image/jpeg")
    ip_table_import(path=SAMPLE)
    address = fake_web.url("/image.jpg", host="pics.example.test")

    with django_capture_on_commit_callbacks(execute=True):
        [result] = partner_reports_import(envelopes=[signed(world, address=address)])

    item = ReportedUrl.objects.get(pk=result.reported_url.pk)
    assert item.check_count == 1 and item.online_status == "online"
    assert item.state == HotlineState.ASSESSMENT
    assert [r["path"] for r in fake_web.requests] == ["/image.jpg"]


def test_a_tampered_payload_is_refused_and_nothing_is_stored(world):
    envelope = signed(world)
    changed = payload(address="https://elsewhere.example/")
    envelope["payload"] = base64.b64encode(json.dumps(changed).encode()).decode()

    [result] = partner_reports_import(envelopes=[envelope])

    assert (result.outcome, result.code) == (Outcome.REFUSED, "bad_signature")
    assert "signature does not match" in result.message
    assert not Report.objects.exists() and not PartnerHotlineReport.objects.exists()


def test_a_signature_over_other_bytes_or_by_another_registered_key_is_refused(world):
    envelope = signed(world)
    # Claims to come from BE, but DE signed it.
    envelope["signer_key"] = world["exchanges"]["BE"].public_key
    [result] = partner_reports_import(envelopes=[envelope])
    assert (result.outcome, result.code) == (Outcome.REFUSED, "bad_signature")
    assert not Report.objects.exists()


def test_a_replay_is_refused_and_reported_and_creates_nothing(world):
    envelope = signed(world)
    [first] = partner_reports_import(envelopes=[envelope])
    [again] = partner_reports_import(envelopes=[envelope])
    # The same id from another partner is another report.
    [other] = partner_reports_import(envelopes=[signed(world, "BE")])

    assert first.outcome == Outcome.IMPORTED
    assert (again.outcome, again.code, again.report_id) == (
        Outcome.REPLAYED,
        "replayed",
        "DE-2026-0001",
    )
    assert "imported before" in again.message
    assert other.outcome == Outcome.IMPORTED
    assert Report.objects.count() == 2 and PartnerHotlineReport.objects.count() == 2


def test_an_unknown_signer_and_an_inactive_partner_are_refused(world):
    stranger = SigningKey.generate()
    envelope = json.loads(document_sign(payload(), signing_key=stranger))
    [unknown] = partner_reports_import(envelopes=[envelope])
    assert (unknown.outcome, unknown.code) == (Outcome.REFUSED, "unknown_partner")

    partner = world["exchanges"]["DE"].partner
    partner.is_active = False
    partner.save()
    [inactive] = partner_reports_import(envelopes=[signed(world)])
    assert (inactive.outcome, inactive.code) == (Outcome.REFUSED, "partner_inactive")
    assert not Report.objects.exists()


def test_schema_errors_say_where(world):
    wrong = payload()
    wrong["hosting"]["asn"] = "AS64500"
    with pytest.raises(ExchangeRefused) as refused:
        document_sign(wrong, signing_key=world["keys"]["DE"])
    assert refused.value.code == "invalid_schema"
    assert refused.value.message.startswith("hosting.asn: ")

    # A partner that signs a report of the wrong form: signature fine, schema not.
    key = world["keys"]["DE"]
    body = json.dumps({**payload(), "reporter_text": "Ik zag het gisteren"}).encode()
    envelope = {
        "format": "meldpunt.signed-address-report",
        "version": 1,
        "signer_key": key.verify_key.encode().hex(),
        "payload": base64.b64encode(body).decode(),
        "signature": base64.b64encode(key.sign(body).signature).decode(),
    }
    [result, envelope_result] = partner_reports_import(envelopes=[envelope, {"format": "x"}])
    assert (result.outcome, result.code) == (Outcome.REFUSED, "invalid_schema")
    assert "reporter_text" in result.message and "Additional properties" in result.message
    assert envelope_result.code == "invalid_schema"
    assert envelope_result.message.startswith("Not a signed address report: ")
    assert not Report.objects.exists()


def test_an_address_that_cannot_be_checked_is_refused(world):
    [result] = partner_reports_import(envelopes=[signed(world, address="ftp://files.example/")])
    assert (result.outcome, result.code) == (Outcome.REFUSED, "invalid_address")
    assert not Report.objects.exists()


def test_a_category_no_longer_fit_for_addresses_refuses_and_stores_nothing(world):
    world["line"].kind = LineKind.TIPS
    world["line"].save()
    [result] = partner_reports_import(envelopes=[signed(world)])
    assert (result.outcome, result.code) == (Outcome.REFUSED, "not_configured")
    assert not Report.objects.exists() and not PartnerHotlineReport.objects.exists()


def test_the_schema_files_are_valid_json_schema():
    from jsonschema import Draft202012Validator

    for path in (REPORT_SCHEMA, ENVELOPE_SCHEMA):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_the_exchange_needs_a_foreign_hotline_a_key_and_a_content_hotline_category(world):
    police = make_partner(name="Politie")
    exchange = PartnerHotlineExchange(
        partner=police, public_key="zz", category=make_category(line=make_line())
    )
    with pytest.raises(ValidationError) as invalid:
        exchange.full_clean()
    assert set(invalid.value.message_dict) == {"partner", "public_key", "category"}


# The command


def test_the_command_imports_a_file_and_reports_each_document(world, tmp_path):
    path = tmp_path / "from-de.json"
    path.write_text(json.dumps([signed(world), signed(world, report_id="DE-2")]))
    out = StringIO()
    call_command("hotline_exchange", "import", str(path), stdout=out)
    assert "DE-2026-0001: imported" in out.getvalue()
    assert "imported: 2, replayed: 0, refused: 0" in out.getvalue()

    out = StringIO()
    call_command("hotline_exchange", "import", str(path), stdout=out)
    assert "DE-2: replayed (replayed)" in out.getvalue()
    assert Report.objects.count() == 2


def test_the_command_refuses_garbage_and_wrong_partners_with_a_message(world, tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\xff not json")
    with pytest.raises(CommandError, match="not valid JSON. Nothing was imported"):
        call_command("hotline_exchange", "import", str(garbage))

    path = tmp_path / "from-be.json"
    path.write_text(json.dumps(signed(world, "BE")))
    de = world["exchanges"]["DE"].partner
    out = StringIO()
    with pytest.raises(CommandError, match="refused: 1"):
        call_command("hotline_exchange", "import", str(path), "--partner", str(de.pk), stdout=out)
    assert "wrong_partner_key" in out.getvalue()
    assert not Report.objects.exists()


def test_the_command_prints_the_public_key_and_issues_tokens(world):
    out = StringIO()
    call_command("hotline_exchange", "public-key", stdout=out)
    assert out.getvalue().strip() == exchange_public_key()
    out = StringIO()
    call_command("hotline_exchange", "token", str(world["exchanges"]["DE"].partner.pk), stdout=out)
    assert "mphx_" in out.getvalue()


# The API


def _token(world, country: str = "DE") -> str:
    return partner_hotline_token_issue(exchange=world["exchanges"][country]).token


def _post(client, body, token: str | None, content_type: str = "application/json"):
    # English messages, as docs/api.md promises for `Accept-Language: en` (Dutch otherwise).
    headers = {"Accept-Language": "en"} | ({"Authorization": f"Bearer {token}"} if token else {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(API, data=data, content_type=content_type, headers=headers)


def test_the_api_imports_for_the_authenticated_hotline(client, world):
    token = _token(world)
    response = _post(client, [signed(world), signed(world)], token)

    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert response["Cache-Control"] == "no-store" and not response.cookies
    assert response.json() == {
        "results": [
            {"index": 0, "report_id": "DE-2026-0001", "outcome": "imported"},
            {
                "index": 1,
                "report_id": "DE-2026-0001",
                "outcome": "replayed",
                "error": {
                    "code": "replayed",
                    "message": "This report was imported before; it was not imported again.",
                },
            },
        ]
    }
    assert PartnerHotlineReport.objects.get().partner == world["exchanges"]["DE"].partner


def test_the_api_refuses_a_document_signed_by_another_partner(client, world):
    response = _post(client, signed(world, "BE"), _token(world, "DE"))
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert (result["outcome"], result["error"]["code"]) == ("refused", "wrong_partner_key")
    assert not Report.objects.exists()


def test_the_api_requires_a_valid_token(client, world):
    _token(world)
    for token, code in [(None, "token_missing"), ("mphx_guess", "token_invalid")]:
        response = _post(client, signed(world), token)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == code
        assert response["WWW-Authenticate"].startswith("Bearer")
    # A replaced token stops working; so does a switched-off partner's.
    old = _token(world)
    _token(world)
    assert _post(client, signed(world), old).status_code == 401
    token = _token(world)
    partner = world["exchanges"]["DE"].partner
    partner.is_active = False
    partner.save()
    assert _post(client, signed(world), token).status_code == 401
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "malformed_json"),
        (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
        (b"[]", "application/json", 400, "malformed_json"),
        (b"42", "application/json", 400, "malformed_json"),
        (b"[[[[[]]]]]", "application/json", 200, None),
        (b'{"a": 1}', "text/plain", 415, "unsupported_media_type"),
        (b"[" + b"[" * 100000 + b"]" * 100000 + b"]", "application/json", 400, "malformed_json"),
    ],
)
def test_the_api_answers_garbage_with_a_clear_error(
    client, world, body, content_type, status, code
):
    response = _post(client, body, _token(world), content_type)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"]["code"] == code
    else:
        [result] = response.json()["results"]
        assert result["error"]["code"] == "invalid_schema"
    assert not Report.objects.exists()


def test_the_api_refuses_too_many_documents_and_too_large_bodies(client, world):
    """The limits docs/api.md names: 500 documents, 16 MiB; nothing is imported past them."""
    token = _token(world)
    response = _post(client, [signed(world)] * 501, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_documents"
    response = _post(client, b"[" + b" " * (16 * 1024 * 1024) + b"]", token)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert not Report.objects.exists()


def test_the_api_refuses_other_methods_and_paths_as_json(client, world):
    response = client.get(API)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    response = client.get("/api/v1/partner-hotlines/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# The analyst's page


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def test_the_analyst_downloads_the_signed_report_and_sees_where_imports_came_from(world):
    [result] = partner_reports_import(envelopes=[signed(world)])
    item = result.reported_url
    analyst = _signed_in(world["analyst"])

    page = analyst.get(f"/staff/hotline/reports/{item.report_id}/")
    assert page.status_code == 200
    assert "From the partner hotline Hotline DE (their reference DE-2026-0001)" in page.text
    response = analyst.get(f"/staff/hotline/reports/{item.report_id}/addresses/{item.pk}/export/")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"].startswith('attachment; filename="address-report-')
    envelope = json.loads(response.content)
    document = document_read(envelope)
    sent = document_verify(document, public_key=exchange_public_key())
    assert sent["address"] == "https://pics.example.de/a.jpg"
    event = AuditEvent.objects.get(action="hotline.export")
    assert event.details == {"reported_url": item.pk} and event.actor == world["analyst"]


def test_others_cannot_download_the_signed_report(world):
    [result] = partner_reports_import(envelopes=[signed(world)])
    item = result.reported_url
    url = f"/staff/hotline/reports/{item.report_id}/addresses/{item.pk}/export/"
    stranger = _signed_in(make_staff(lines=[make_line(kind=LineKind.CONTENT_HOTLINE)]))
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert not AuditEvent.objects.filter(action="hotline.export").exists()
