"""Who may see which report, who may work on it, and the unlocked key that lets them read it.

Seeing a report needs membership of its line: only members hold its data key.
Working on it (claiming, triage, questions, notes, closing) is for analysts and
supervisors; administrators configure the installation and may read the cases
of lines they are members of, but do not work them. A case held by someone is
worked by that person; supervisors of the line may step in.
"""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from nacl.public import PrivateKey

from meldpunt.intake.models import Report
from meldpunt.intake.services import report_key_for_staff
from meldpunt.lines.models import Line, LineMembership
from meldpunt.vault.decorators import key_holder_required
from meldpunt.vault.models import Role, StaffUser
from meldpunt.vault.sessionsecrets import session_private_key

from .models import Case, LineCaseSettings, TriageOutcome

STAFF_ROLES = {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ANALYST}
WORKING_ROLES = {Role.SUPERVISOR, Role.ANALYST}
MAX_ID = 2**63 - 1  # larger numbers in a URL overflow the database's integer


# Signed in with both factors, a staff role, and an unlocked key in this session.
staff_required = key_holder_required(STAFF_ROLES)


def private_key(request: HttpRequest) -> PrivateKey:
    """The unlocked key of a person that passed ``staff_required``."""
    return session_private_key(request)


def report_key(request: HttpRequest, report: Report) -> bytes:
    """The report's data key, opened with the signed-in person's key (NoKeyError if not theirs)."""
    return report_key_for_staff(report=report, user=request.user, private_key=private_key(request))


def member_line_ids(user: StaffUser) -> list[int]:
    """The lines a user works on, fetched once so list queries need no extra join."""
    if user.role not in STAFF_ROLES:
        return []
    return list(LineMembership.objects.filter(user=user).values_list("line_id", flat=True))


def member_lines(user: StaffUser) -> QuerySet[Line]:
    return Line.objects.filter(pk__in=member_line_ids(user))


def visible_reports(user: StaffUser) -> QuerySet[Report]:
    """Reports of the lines the user is a member of; nothing else exists for them."""
    return Report.objects.filter(line_id__in=member_line_ids(user), destroyed_at__isnull=True)


def report_for(user: StaffUser, pk: int) -> Report:
    """The report, or 404 alike for 'does not exist' and 'not yours'.

    Destroyed reports of the user's lines are returned, so that acting on one
    gets a clear refusal instead of a puzzling 'not found'.
    """
    if pk > MAX_ID:
        raise Http404
    report = (
        Report.objects.filter(pk=pk, line_id__in=member_line_ids(user))
        .select_related("line", "category", "case__assignee")
        .first()
    )
    if report is None:
        raise Http404
    return report


def can_view(user: StaffUser, report: Report) -> bool:
    return (
        user.is_authenticated
        and user.role in STAFF_ROLES
        and LineMembership.objects.filter(user=user, line_id=report.line_id).exists()
    )


def can_work(user: StaffUser, report: Report) -> bool:
    """May take part in the work on a report of their line (claim it, add notes)."""
    return user.role in WORKING_ROLES and can_view(user, report)


def can_change(user: StaffUser, report: Report, assignee_id: int | None) -> bool:
    """May change a case: its holder, a supervisor of the line, or anyone of the line
    while nobody holds it (acting on it then makes it theirs)."""
    if not can_work(user, report):
        return False
    return user.role == Role.SUPERVISOR or assignee_id in (None, user.pk)


def line_requires_review(line_id: int) -> bool:
    """Whether a second person must agree before a report of the line is ready to forward."""
    return LineCaseSettings.objects.filter(line_id=line_id, requires_review=True).exists()


def awaits_review(case: Case | None, line_id: int) -> bool:
    return bool(
        case is not None
        and case.triage_outcome == TriageOutcome.USABLE
        and case.approved_by_id is None
        and line_requires_review(line_id)
    )


def may_review(user: StaffUser, report: Report, case: Case | None) -> bool:
    """Four eyes: a colleague of the line who neither assessed nor holds the case."""
    return bool(
        case is not None
        and can_work(user, report)
        and user.pk not in (case.triaged_by_id, case.assignee_id)
    )


def destroyed_page(request: HttpRequest, report: Report) -> HttpResponse:
    """410 for every page of a report whose content the retention purge destroyed."""
    return render(request, "cases/destroyed.html", {"report": report}, status=410)


def no_key_page(request: HttpRequest, report: Report) -> HttpResponse:
    """403 for a member the report's key was not sealed for (joined after it arrived)."""
    return render(request, "cases/no_key.html", {"report": report}, status=403)
