"""Address reports from partner hotlines: who sent them, and taking them into the queue.

The exchange format and its signature live in ``hotline.exchange`` (no
partners there); this module decides which partner a document comes from, by
the public key registered for it (``PartnerHotlineExchange``), and files the
address as a report of the content hotline, so the crawler checks it and an
analyst assesses it like any other. The same document twice is a replay:
refused, and reported as such, never a second report (docs/hotline.md,
"Exchange with partner hotlines").
"""

import hmac
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.apitokens import token_digest, token_new
from meldpunt.hotline.exchange import (
    ExchangeRefused,
    document_read,
    document_verify,
)
from meldpunt.hotline.models import ReportedUrl
from meldpunt.intake.models import ReportChannel
from meldpunt.intake.services import IntakeError, report_submit
from meldpunt.lines.models import QuestionKind
from meldpunt.lines.webaddress import UrlRefused, url_normalise
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser

from .models import Partner, PartnerHotlineExchange, PartnerHotlineReport, PartnerKind

TOKEN_PREFIX = "mphx_"  # noqa: S105 (a prefix, not a secret)
MAX_DOCUMENTS = 500  # per file or request: a bigger batch is split by the sender


class Outcome:
    IMPORTED = "imported"
    REPLAYED = "replayed"
    REFUSED = "refused"


@dataclass(frozen=True)
class ImportResult:
    """What became of one document of a file or request."""

    index: int
    outcome: str
    report_id: str = ""  # the partner's id, once the signature was checked
    code: str = ""
    message: str = ""
    reported_url: ReportedUrl | None = None


def _exchange_for(signer_key: str, partner: Partner | None) -> PartnerHotlineExchange:
    exchange = (
        PartnerHotlineExchange.objects.select_related("partner", "category__line")
        .filter(public_key=signer_key)
        .first()
    )
    if partner is not None and (exchange is None or exchange.partner_id != partner.pk):
        # An authenticated hotline sending a document signed by a key that is not its own.
        raise ExchangeRefused(
            "wrong_partner_key",
            _("The document is not signed with the key registered for %(partner)s.")
            % {"partner": partner.name},
        )
    if exchange is None:
        raise ExchangeRefused(
            "unknown_partner",
            _("No partner hotline is registered with the key that signed this document."),
        )
    if not exchange.partner.is_active or exchange.partner.kind != PartnerKind.FOREIGN_HOTLINE:
        raise ExchangeRefused(
            "partner_inactive",
            _("%(partner)s is not an active partner hotline.") % {"partner": exchange.partner.name},
        )
    return exchange


def _file(exchange: PartnerHotlineExchange, payload: dict, actor: StaffUser | None) -> ReportedUrl:
    """File one verified address report as a content-hotline report, with its source."""
    try:
        address = url_normalise(payload["address"])
    except UrlRefused as refused:
        raise ExchangeRefused("invalid_address", str(refused.message)) from refused
    category = exchange.category
    question = category.questions.filter(kind=QuestionKind.WEB_ADDRESSES).order_by("pk").first()
    if question is None:
        raise _not_configured()
    partner = exchange.partner
    try:
        with transaction.atomic():
            if PartnerHotlineReport.objects.filter(
                partner=partner, external_id=payload["report_id"]
            ).exists():
                raise _replayed()
            submission = report_submit(
                category=category,
                answers={question.key: address.url},
                questions={question.key: question.label},
                has_mailbox=False,
                channel=ReportChannel.PARTNER_HOTLINE,
            )
            item = ReportedUrl.objects.filter(report=submission.report).first()
            if item is None:  # the category's line is no longer a content hotline
                raise _not_configured()
            PartnerHotlineReport.objects.create(
                partner=partner,
                external_id=payload["report_id"],
                reported_url=item,
                partner_assessment=(payload["assessment"] or {}).get("decision", ""),
            )
            audit_record(
                actor=actor,
                action="network.partner_report_import",
                target=submission.report,
                details={"partner": partner.pk, "reported_url": item.pk},
            )
    except IntegrityError as error:  # the same document arrived twice at once
        raise _replayed() from error
    except IntakeError as error:
        raise ExchangeRefused(error.code, error.message) from error
    return item


def _not_configured() -> ExchangeRefused:
    return ExchangeRefused(
        "not_configured",
        _(
            "The category for this hotline's reports is not a content-hotline category with a "
            "web-address question."
        ),
    )


def _replayed() -> ExchangeRefused:
    return ExchangeRefused(
        "replayed", _("This report was imported before; it was not imported again.")
    )


def partner_reports_import(
    *, envelopes: list[object], partner: Partner | None = None, actor: StaffUser | None = None
) -> list[ImportResult]:
    """Take in the signed address reports of a file or API request, each on its own.

    ``envelopes`` come from ``hotline.exchange.documents_parse`` (a file) or
    ``documents_list`` (a parsed request body).

    ``partner`` is the hotline that authenticated (API): then every document
    must be signed with its key. Without it (the operator's command) the key
    decides the partner. A document that is refused changes nothing; the
    others are imported. Raises ExchangeRefused only for too many documents.
    """
    if len(envelopes) > MAX_DOCUMENTS:
        raise ExchangeRefused(
            "too_many_documents",
            _("At most %(max)d documents at once; split the file.") % {"max": MAX_DOCUMENTS},
        )
    results = []
    for index, envelope in enumerate(envelopes):
        report_id = ""
        try:
            document = document_read(envelope)
            exchange = _exchange_for(document.signer_key, partner)
            payload = document_verify(document, public_key=exchange.public_key)
            report_id = payload["report_id"]
            item = _file(exchange, payload, actor)
        except ExchangeRefused as refused:
            outcome = Outcome.REPLAYED if refused.code == "replayed" else Outcome.REFUSED
            results.append(ImportResult(index, outcome, report_id, refused.code, refused.message))
        else:
            results.append(ImportResult(index, Outcome.IMPORTED, report_id, reported_url=item))
    return results


@dataclass(frozen=True)
class IssuedToken:
    exchange: PartnerHotlineExchange
    token: str  # shown once, never stored


@transaction.atomic
def partner_hotline_token_issue(*, exchange: PartnerHotlineExchange) -> IssuedToken:
    """A new API token for the partner hotline; an earlier one stops working at once."""
    token, digest = token_new(TOKEN_PREFIX)
    exchange.token_hash = digest
    exchange.token_issued_at = timezone.now()
    exchange.save(update_fields=["token_hash", "token_issued_at"])
    return IssuedToken(exchange, token)


def partner_hotline_authenticate(token: str) -> Partner | None:
    """The active partner hotline a bearer token belongs to, or None.

    Found by digest, then compared in constant time, as the hash-check API does.
    """
    digest = token_digest(token)
    exchange = (
        PartnerHotlineExchange.objects.select_related("partner").filter(token_hash=digest).first()
    )
    if exchange is None or not hmac.compare_digest(exchange.token_hash, digest):
        return None
    if not exchange.partner.is_active:
        return None
    return exchange.partner


def partner_sources_describe(items: list[ReportedUrl]) -> dict[int, str]:
    """For the analyst's page (hotline.sources): which partner hotline sent an address."""
    rows = PartnerHotlineReport.objects.filter(reported_url__in=items).select_related("partner")
    return {
        row.reported_url_id: _("From the partner hotline %(partner)s (their reference %(id)s)")
        % {"partner": row.partner.name, "id": row.external_id}
        for row in rows
    }
