"""The forwarding network's events on a report, in words for the case's timeline."""

from django.utils.translation import gettext as _

from meldpunt.cases.timeline import choice_label, joined, redaction_override
from meldpunt.intake.models import Report
from meldpunt.intake.selectors import municipality_name

from .models import FeedbackOutcome, Partner


def _locate(details: dict, report: Report) -> str:
    chosen = municipality_name(details.get("municipality", "")) or details.get("municipality", "")
    previous = details.get("previous", "")
    if previous:
        return _("%(municipality)s, was %(previous)s") % {
            "municipality": chosen,
            "previous": municipality_name(previous) or previous,
        }
    return chosen


def _feedback(details: dict, report: Report) -> str:
    return joined(
        _("from %(partner)s") % {"partner": details.get("partner", "–")},
        choice_label(FeedbackOutcome, details.get("outcome", "")),
    )


def _from_partner(details: dict, report: Report) -> str:
    return _("from %(partner)s") % {"partner": details.get("partner", "–")}


def _to_partner(details: dict, report: Report) -> str:
    return joined(
        _("to %(partner)s") % {"partner": details.get("partner", "–")},
        redaction_override(details),
    )


def _partner_import(details: dict, report: Report) -> str:
    partner = Partner.objects.filter(pk=details.get("partner")).first()
    return _("from %(partner)s") % {"partner": partner.name if partner else "–"}


DESCRIBERS = {
    "report.locate": _locate,
    "forward.feedback": _feedback,
    "forward.question": _from_partner,
    "forward.question_relay": _from_partner,
    "forward.answer": _to_partner,
    "network.partner_report_import": _partner_import,
}
