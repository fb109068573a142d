"""What each event of a case's timeline says, in words of the page language.

Audit events keep their details as codes and ids (``{"outcome": "usable",
"awaits_review": False}``): right for the audit log, unreadable on a page. A
describer turns one event's details into a short phrase; an event without a
describer shows only its label, never a ``key: value`` dump. The apps above
this one (network, hotline) write events on reports too and register the
describers of their own events here, because we cannot import them.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meldpunt.intake.models import Report
from meldpunt.lines.models import Category
from meldpunt.privacy.redaction import mark_type_label

from .models import ClassificationOption, CloseOutcome, LinkKind, QuestionTemplate, TriageOutcome

# details of the event, the report it is about -> a phrase ("" says nothing more)
Describer = Callable[[dict, Report], str]
_describers: dict[str, Describer] = {}


def timeline_describers_register(describers: dict[str, Describer]) -> None:
    """Let an app above us say in words what its events on a report mean."""
    _describers.update(describers)


def timeline_describe(action: str, details: dict, report: Report) -> str:
    """The event's details as a phrase; "" for an event that needs none or is unknown."""
    describer = _describers.get(action)
    return str(describer(details, report)) if describer else ""


def choice_label(choices: type, value: object) -> str:
    """The label of a stored choice value; an unknown value (a retired choice) as it is."""
    return str(dict(choices.choices).get(value, value))


def listed(values: Iterable[object]) -> str:
    return ", ".join(str(value) for value in values)


def redaction_override(details: dict) -> str:
    """The part of a forward's or answer's event that says the redaction check was overridden."""
    if not details.get("override"):
        return ""
    unreviewed = listed(mark_type_label(name) for name in details.get("unreviewed_types", []))
    return _("the check for unreviewed passages was overridden (%(types)s): %(reason)s") % {
        "types": unreviewed or "–",
        "reason": details.get("reason") or "–",
    }


def joined(*phrases: str) -> str:
    return "; ".join(phrase for phrase in phrases if phrase)


def _release(details: dict, report: Report) -> str:
    return _("was held by %(name)s") % {"name": details.get("from", "–")}


def _hand_over(details: dict, report: Report) -> str:
    phrase = _("to %(name)s") % {"name": details.get("to", "–")}
    if details.get("key_granted"):
        return joined(phrase, _("given access to the report's content"))
    return phrase


def _triage(details: dict, report: Report) -> str:
    outcome = choice_label(TriageOutcome, details.get("outcome", ""))
    if details.get("awaits_review"):
        return joined(outcome, _("a second person must agree"))
    return outcome


def _classify(details: dict, report: Report) -> str:
    chosen = [tuple(value.split(":", 1)) for value in details.get("options", []) if ":" in value]
    options = {
        (option.scheme.slug, option.slug): option
        for option in ClassificationOption.objects.filter(
            scheme__line_id=report.line_id, slug__in=[slug for _scheme, slug in chosen]
        ).select_related("scheme")
    }
    return listed(
        f"{options[pair].scheme.title}: {options[pair].title}" if pair in options else pair[1]
        for pair in chosen
    )


def _category(details: dict, report: Report) -> str:
    titles = {
        category.slug: category.title
        for category in Category.objects.filter(
            line_id=report.line_id, slug__in=[details.get("from"), details.get("to")]
        )
    }
    return _("from %(old)s to %(new)s") % {
        "old": titles.get(details.get("from"), details.get("from", "–")),
        "new": titles.get(details.get("to"), details.get("to", "–")),
    }


def _template(details: dict, report: Report) -> str:
    template = QuestionTemplate.objects.filter(pk=details.get("template")).first()
    title = template.title if template else _("a template that was removed since")
    if details.get("control_question"):
        return joined(title, _("control question"))
    return title


def _link(details: dict, report: Report) -> str:
    return _("%(kind)s of %(reference)s") % {
        "kind": choice_label(LinkKind, details.get("kind", "")),
        "reference": details.get("earlier", "–"),
    }


def _unlink(details: dict, report: Report) -> str:
    return _("was linked to %(reference)s") % {"reference": details.get("earlier", "–")}


def _close(details: dict, report: Report) -> str:
    return choice_label(CloseOutcome, details.get("outcome", ""))


def _forward(details: dict, report: Report) -> str:
    files = details.get("files", 0)
    return joined(
        _("to %(partners)s") % {"partners": listed(details.get("partner_names", [])) or "–"},
        ngettext("%(count)s file", "%(count)s files", files) % {"count": files} if files else "",
        redaction_override(details),
    )


def _known_files(details: dict, report: Report) -> str:
    count = details.get("files", 0)
    shown = ngettext("%(count)s file", "%(count)s files", count) % {"count": count}
    lists = details.get("lists", [])
    if lists:
        return joined(shown, _("on the lists %(names)s") % {"names": listed(lists)})
    return shown


timeline_describers_register(
    {
        "case.release": _release,
        "case.hand_over": _hand_over,
        "case.triage": _triage,
        "case.classify": _classify,
        "case.category": _category,
        "case.template_used": _template,
        "case.link": _link,
        "case.unlink": _unlink,
        "case.close": _close,
        "case.forward": _forward,
        "case.known_files_show": _known_files,
    }
)
