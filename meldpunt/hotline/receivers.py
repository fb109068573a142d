"""The hotline's answers to what intake announces (see meldpunt/intake/signals.py)."""

from typing import Any

from meldpunt.intake.models import Report
from meldpunt.lines.models import Category, LineKind, QuestionKind
from meldpunt.lines.webaddress import url_normalise

from .models import ReportedUrl
from .services import reported_url_create


def reported_urls_from_submission(
    sender: type[Report], *, report: Report, category: Category, answers: dict, **kwargs: Any
) -> list[ReportedUrl]:
    """Record every web address a content-hotline report names, with the report.

    Runs inside the report's transaction: the addresses are stored, and their
    first checks queued on commit, together with the report or not at all. The
    form has already normalised them, so normalising again cannot refuse one.
    Other lines' web-address answers are never fetched: a visit from the
    reporting point right after a crime tip could warn the site's owner.
    """
    if report.line.kind != LineKind.CONTENT_HOTLINE:
        return []
    keys = category.questions.filter(kind=QuestionKind.WEB_ADDRESSES).values_list("key", flat=True)
    return [
        reported_url_create(report=report, address=url_normalise(line))
        for key in keys
        for line in str(answers.get(key) or "").splitlines()
        if line.strip()
    ]
