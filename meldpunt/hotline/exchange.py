"""The exchange format for address reports between hotlines: schema, signing, checking.

Partner (INHOPE) hotlines that import by file receive one reported address as
a signed JSON document (docs/hotline.md, "Exchange with partner hotlines").
The document is an envelope (``data/signed-address-report.schema.json``)
around the exact bytes of an address report (``data/address-report.schema.json``),
signed with Ed25519. Signing bytes rather than a parsed object means nobody
has to agree on a canonical JSON form: the receiver verifies the bytes it got,
then parses them.

The installation's signing key is an installation secret in the data
directory (``hotline-exchange.secret``), made on first use like the other
secrets (datadir.installation_secret); its public half is what the operator
gives partner hotlines. Which *partner* a document comes from is the business
of ``network`` (it knows partners and their registered keys); this module
only signs, checks the form, and verifies against a key it is handed.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from meldpunt.datadir import installation_secret
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.models import HostingTrace, ReportedUrl
from meldpunt.hotline.sealing import url_open
from meldpunt.vault import crypto

REPORT_FORMAT = "meldpunt.address-report"
ENVELOPE_FORMAT = "meldpunt.signed-address-report"
VERSION = 1
SCHEMA_DIR = Path(__file__).parent / "data"
REPORT_SCHEMA = SCHEMA_DIR / "address-report.schema.json"
ENVELOPE_SCHEMA = SCHEMA_DIR / "signed-address-report.schema.json"
EXCHANGE_SECRET_NAME = "hotline-exchange"  # noqa: S105 (the file name of the secret)


class ExchangeRefused(Exception):
    """A document that cannot be taken: ``code`` for programs, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@cache
def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_problem(path: Path, instance: object) -> str | None:
    """The first schema error, said with where it is (``hosting.asn: ...``), or None."""
    error: SchemaError | None = best_match(_validator(path).iter_errors(instance))
    if error is None:
        return None
    where = ".".join(str(part) for part in error.absolute_path) or _("the document")
    # jsonschema's messages quote the offending value; keep them short.
    return f"{where}: {error.message[:300]}"


def exchange_signing_key() -> SigningKey:
    """The installation's Ed25519 key for exchange documents, made on first use."""
    secret = bytes.fromhex(installation_secret(EXCHANGE_SECRET_NAME))
    return SigningKey(crypto.subkey(secret, b"hotline-exchange-sign"))


def exchange_public_key() -> str:
    """The public half, as 64 hex digits: what partner hotlines register for us."""
    return exchange_signing_key().verify_key.encode().hex()


def document_sign(payload: dict[str, Any], *, signing_key: SigningKey | None = None) -> bytes:
    """The signed envelope of an address report; the payload must follow the schema.

    ``signing_key`` is for tests that play a partner hotline; exports use the
    installation's key.
    """
    problem = _schema_problem(REPORT_SCHEMA, payload)
    if problem:
        raise ExchangeRefused("invalid_schema", problem)
    key = signing_key or exchange_signing_key()
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    envelope = {
        "format": ENVELOPE_FORMAT,
        "version": VERSION,
        "signer_key": key.verify_key.encode().hex(),
        "payload": base64.b64encode(body).decode(),
        "signature": base64.b64encode(key.sign(body).signature).decode(),
    }
    return json.dumps(envelope, indent=2).encode()


@dataclass(frozen=True)
class SignedDocument:
    """An envelope whose form is right, not yet verified."""

    signer_key: str  # hex
    payload: bytes
    signature: bytes


def documents_parse(data: bytes | str) -> list[object]:
    """The envelopes of a file: one object, or an array of them."""
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ExchangeRefused("malformed_json", _("The file is not valid JSON.")) from error
    return documents_list(parsed)


# At most this many documents in one file or request: each costs a signature check.
MAX_DOCUMENTS = 500


def documents_list(parsed: object) -> list[object]:
    """The envelopes of parsed JSON: one object, or a non-empty array of at most 500."""
    if isinstance(parsed, dict):
        return [parsed]
    if isinstance(parsed, list) and len(parsed) > MAX_DOCUMENTS:
        raise ExchangeRefused(
            "too_many_documents",
            _("At most %(count)d documents at a time; nothing was imported.")
            % {"count": MAX_DOCUMENTS},
        )
    if isinstance(parsed, list) and parsed:
        return parsed
    raise ExchangeRefused(
        "malformed_json",
        _("Expected one signed address report (a JSON object) or a non-empty array of them."),
    )


def document_read(envelope: object) -> SignedDocument:
    """Check an envelope's form; raises ExchangeRefused (``invalid_schema``)."""
    problem = _schema_problem(ENVELOPE_SCHEMA, envelope)
    if problem:
        raise ExchangeRefused(
            "invalid_schema",
            _("Not a signed address report: %(problem)s") % {"problem": problem},
        )
    try:
        payload = base64.b64decode(envelope["payload"], validate=True)
        signature = base64.b64decode(envelope["signature"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ExchangeRefused(
            "invalid_schema", _("The payload or signature is not valid base64.")
        ) from error
    return SignedDocument(envelope["signer_key"], payload, signature)


def document_verify(document: SignedDocument, *, public_key: str) -> dict[str, Any]:
    """The address report, if ``public_key`` (hex) signed exactly these bytes.

    Raises ExchangeRefused: ``bad_signature`` for a changed payload or another
    signer, ``invalid_schema`` (with where) for a signed report of the wrong form.
    The signature is checked first, so nothing a stranger wrote is parsed.
    """
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(document.payload, document.signature)
    except (BadSignatureError, ValueError) as error:
        raise ExchangeRefused(
            "bad_signature",
            _("The signature does not match: the document was changed or signed by another key."),
        ) from error
    try:
        payload = json.loads(document.payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ExchangeRefused(
            "invalid_schema", _("The signed payload is not valid JSON.")
        ) from error
    problem = _schema_problem(REPORT_SCHEMA, payload)
    if problem:
        raise ExchangeRefused(
            "invalid_schema",
            _("The address report does not follow the schema: %(problem)s") % {"problem": problem},
        )
    return payload


def _hosting(item: ReportedUrl) -> dict[str, Any] | None:
    trace = HostingTrace.objects.filter(reported_url=item).order_by("-pk").first()
    if trace is None:
        return None
    return {
        "country": trace.country,
        "asn": trace.asn,
        "organisation": trace.organisation,
        "traced_at": trace.traced_at.isoformat(),
        "addresses": [
            {key: entry.get(key) for key in ("address", "asn", "country", "organisation")}
            for entry in trace.addresses
        ],
    }


def export_reference(item: ReportedUrl) -> str:
    """The reference id of an address in exchange documents: report reference and address id."""
    return f"{item.report.reference}-{item.pk}"


def address_report_payload(item: ReportedUrl) -> dict[str, Any]:
    """What the exchange tells about an address: never the reporter's text."""
    assessment = None
    if item.assessment:
        assessment = {"decision": item.assessment}
        if item.assessed_at:
            assessment["assessed_at"] = item.assessed_at.isoformat()
    return {
        "format": REPORT_FORMAT,
        "version": VERSION,
        "report_id": export_reference(item),
        "sender": {
            "name": hotline_setting("HOTLINE_EXCHANGE_SENDER_NAME"),
            "country": hotline_setting("HOTLINE_HOME_COUNTRY"),
        },
        "created_at": item.created_at.isoformat(),  # rounded to the hour when stored
        "address": url_open(item.sealed_url),
        "hosting": _hosting(item),
        "assessment": assessment,
    }


def address_report_export(reported_url: ReportedUrl) -> bytes:
    """The signed JSON document of one reported address, for a partner hotline.

    Raises ExchangeRefused (``destroyed``) once the retention purge wiped the address.
    """
    if reported_url.destroyed_at is not None or not reported_url.sealed_url:
        raise ExchangeRefused("destroyed", _("This report has been destroyed."))
    return document_sign(address_report_payload(reported_url))
