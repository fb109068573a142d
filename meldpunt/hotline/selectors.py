"""What the analyst's hotline page shows of a report's addresses."""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
from meldpunt.hotline.models import (
    RECHECKED_STATES,
    FetchAttempt,
    HostingRoute,
    HotlineState,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open
from meldpunt.hotline.services import ASSESSABLE_STATES, NEXT_STEPS
from meldpunt.intake.models import Report
from meldpunt.vault import crypto

NEXT_STEP_LABELS = {
    "police_and_notice": _(
        "Inform the police and send a notice to the provider (not built yet: do it by hand)."
    ),
    "forward": _("Forward to the partner hotline of the hosting country (not built yet)."),
    "police": _("Inform the police; the address is checked every day until it is gone."),
    "trace": _("The hosting could not be traced; check again to trace it."),
}


@dataclass
class AddressRow:
    item: ReportedUrl
    address: str | None  # None when it cannot be decrypted (wiped or tampered)
    latest: FetchAttempt | None
    trace: object | None
    known_lists: list[str] = field(default_factory=list)
    evidence_id: int | None = None
    next_step: Promise | str = ""
    may_assess: bool = False
    may_recheck: bool = False
    form: object = None  # the assessment form, set by the view


def _known_lists(item: ReportedUrl, attempts: list[FetchAttempt]) -> list[str]:
    """The lists the material matched: by the crawler (sealed details) and on the evidence file."""
    names: set[str] = set()
    for attempt in attempts:
        if attempt.is_known and attempt.sealed_details:
            try:
                names.update(details_open(attempt.sealed_details).get("matched_lists", []))
            except crypto.DecryptionError:
                pass
    evidence_ids = [a.evidence_id for a in attempts if a.evidence_id]
    names.update(
        EvidenceMatch.objects.filter(evidence_id__in=evidence_ids).values_list(
            "list_name", flat=True
        )
    )
    return sorted(names)


def report_addresses(report: Report) -> list[AddressRow]:
    """Every address of the report, decrypted with the hotline key, with what was found."""
    rows = []
    for item in ReportedUrl.objects.filter(report=report).prefetch_related("attempts", "traces"):
        attempts = list(item.attempts.all())
        try:
            address = url_open(item.sealed_url) if item.sealed_url else None
        except crypto.DecryptionError:
            address = None
        evidence_ids = [a.evidence_id for a in attempts if a.evidence_id]
        kept = EvidenceFile.objects.filter(pk__in=evidence_ids, destroyed_at__isnull=True)
        traces = list(item.traces.all())
        rows.append(
            AddressRow(
                item=item,
                address=address,
                latest=attempts[-1] if attempts else None,
                trace=traces[-1] if traces else None,
                known_lists=_known_lists(item, attempts),
                evidence_id=kept.order_by("pk").values_list("pk", flat=True).first(),
                next_step=(
                    NEXT_STEP_LABELS[NEXT_STEPS[HostingRoute(item.route)]]
                    if item.state == HotlineState.ILLEGAL
                    else ""
                ),
                may_assess=item.state in ASSESSABLE_STATES and item.destroyed_at is None,
                may_recheck=(
                    item.state in RECHECKED_STATES
                    and item.next_check_at is not None
                    and item.destroyed_at is None
                ),
            )
        )
    return rows
