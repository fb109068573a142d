"""The content hotline's events on a report, in words for the case's timeline."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from meldpunt.cases.timeline import choice_label, joined, listed
from meldpunt.intake.models import Report

from .models import (
    ActionKind,
    AgeGroup,
    Assessment,
    Gender,
    HostingRoute,
    HotlineState,
    MaterialClass,
    MediaKind,
)

# The next step the flow expects after "illegal" (services.NEXT_STEPS), in words.
NEXT_STEP_LABELS = {
    "police_and_notice": gettext_lazy("next: inform the police and send a notice to the provider"),
    "forward": gettext_lazy("next: forward to the partner hotline"),
    "police": gettext_lazy("next: inform the police"),
    "trace": gettext_lazy("next: trace where it is hosted"),
}


def _opened(details: dict, report: Report) -> str:
    count = details.get("addresses", 0)
    return ngettext("%(count)s address", "%(count)s addresses", count) % {"count": count}


def _assess(details: dict, report: Report) -> str:
    step = details.get("next_step", "")
    return joined(
        choice_label(Assessment, details.get("decision", "")),
        choice_label(HotlineState, details.get("state", "")),
        choice_label(HostingRoute, details.get("route", "")) if details.get("route") else "",
        str(NEXT_STEP_LABELS.get(step, "")) if step else "",
    )


def _confirm(details: dict, report: Report) -> str:
    recipients = details.get("recipients", [])
    kinds = details.get("actions", [])
    return listed(
        _("%(action)s to %(recipient)s")
        % {"action": choice_label(ActionKind, kind), "recipient": recipient}
        if recipient
        else choice_label(ActionKind, kind)
        for kind, recipient in zip(kinds, recipients + [""] * len(kinds), strict=False)
    )


def _sent(details: dict, report: Report) -> str:
    attempts = details.get("attempts", 1)
    return joined(
        _("%(action)s to %(recipient)s")
        % {
            "action": choice_label(ActionKind, details.get("action", "")),
            "recipient": details.get("recipient") or "–",
        },
        _("attempt %(number)s") % {"number": attempts} if attempts > 1 else "",
    )


def _refused(details: dict, report: Report) -> str:
    # The mail server's own words: quoted as they came, they say what went wrong.
    return joined(choice_label(ActionKind, details.get("action", "")), details.get("error", ""))


def _classify(details: dict, report: Report) -> str:
    return joined(
        choice_label(MaterialClass, details.get("material", "")),
        choice_label(AgeGroup, details.get("age_group", "")) if details.get("age_group") else "",
        choice_label(Gender, details.get("gender", "")) if details.get("gender") else "",
        choice_label(MediaKind, details.get("media_kind", "")) if details.get("media_kind") else "",
    )


DESCRIBERS = {
    "hotline.open": _opened,
    "hotline.assess": _assess,
    "hotline.actions_confirm": _confirm,
    "hotline.action_sent": _sent,
    "hotline.action_refused": _refused,
    "hotline.classify": _classify,
}
