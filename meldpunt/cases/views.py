"""The back office: the queue, one case with everything staff can do to it, linked reports.

Views read input, call one service and render. A refused action re-renders the
case as it is now, with the reason, and a status code that says what happened
(409 for conflicts and closed cases, 403 for not allowed, 410 for destroyed).
"""

import re
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meldpunt.evidence.exposure import (
    TEAM_MINIMUM,
    exposure_limit_get,
    exposure_limit_set,
    exposure_team_weeks,
    exposure_today,
)
from meldpunt.intake import selectors as intake_selectors
from meldpunt.intake import services as intake_services
from meldpunt.intake.models import Report, ReportStatus
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role

from . import selectors, services
from .access import (
    awaits_review,
    can_change,
    can_work,
    destroyed_page,
    may_review,
    member_line_ids,
    member_lines,
    no_key_page,
    private_key,
    report_for,
    report_key,
    staff_required,
)
from .files import case_files, case_known_files_show
from .forms import (
    ALL_STATUSES,
    CategoryForm,
    ClassificationForm,
    CloseForm,
    ContentSearchForm,
    ExposureLimitForm,
    HandOverForm,
    LinkForm,
    NoteForm,
    NotificationSettingForm,
    QuestionForm,
    QueueFilterForm,
    TriageForm,
    VersionForm,
)
from .models import NotificationSetting
from .services import CaseError, CaseErrorCode

# The supervisors' exposure page looks back this many ISO weeks, this one included.
EXPOSURE_WEEKS = 12

ERROR_STATUS = {
    CaseErrorCode.CONFLICT: 409,
    CaseErrorCode.CLOSED: 409,
    CaseErrorCode.DESTROYED: 410,
    CaseErrorCode.NOT_ALLOWED: 403,
    CaseErrorCode.INVALID: 400,
}


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    lines = list(member_lines(request.user))
    form = QueueFilterForm(request.GET, lines=lines)
    form.is_valid()
    query = form.query()
    number = request.GET.get("page", "1")
    page = selectors.queue_page(request.user, query, page=_small_number(number) or 1)
    now = timezone.now()
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tab_params.pop("status", None)
    tabs = [
        (value, label, _tab_count(page.status_counts.get(value)) if value != ALL_STATUSES else "")
        for value, label in form.fields["status"].choices
    ]
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "page": page,
            "rows": [(report, selectors.deadlines_for(report, now)) for report in page.rows],
            "news": [(report, selectors.deadlines_for(report, now)) for report in page.news],
            "tabs": tabs,
            "current_status": query.status or ALL_STATUSES,
            "is_search": bool(query.search.strip()),
            "tab_query": tab_params.urlencode(),
            "page_query": params.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def content_search(request: HttpRequest) -> HttpResponse:
    """Search report text, decrypted with the user's key for this request only.

    The search is a POST so that what was searched for (perhaps a name) never
    appears in a URL, and so in no server log or browser history.
    """
    form = ContentSearchForm(request.POST or None, lines=list(member_lines(request.user)))
    result = None
    if form.is_valid():
        try:
            result = services.case_content_search(
                user=request.user,
                private_key=private_key(request),
                text=form.cleaned_data["text"],
                line_id=form.cleaned_data["line"],
            )
        except CaseError as refusal:
            form.add_error("text", refusal.message)
    rows, places = [], []
    if result is not None:
        selectors.attach_lines_and_categories(result.matches)
        now = timezone.now()
        rows = [(report, selectors.deadlines_for(report, now)) for report in result.matches]
        places = [(report, result.places[report.pk]) for report in result.matches]
    return render(
        request,
        "cases/content_search.html",
        {
            "form": form,
            "result": result,
            "rows": rows,
            "places": places,
            "limit": services.CONTENT_SEARCH_LIMIT,
        },
        status=400 if form.errors else 200,
    )


def _small_number(value: str) -> int | None:
    """A page or id from the query string; anything else (or absurdly large) is None."""
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def _tab_count(count: int | None) -> str:
    """Blank when not counted (filtered queues count only their own tab)."""
    if count is None:
        return ""
    return f"{selectors.COUNT_CAP}+" if count > selectors.COUNT_CAP else str(count)


def _case_page(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case with its forms; ``bound`` holds a submitted form to show with its errors."""
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        key_bytes = report_key(request, report)
    except NoKeyError:
        services.case_open(report=report, actor=request.user, key_opened=False)
        return no_key_page(request, report)
    if request.method == "GET":
        services.case_open(report=report, actor=request.user)
    case = selectors.case_of(report)
    version = case.version if case else 0
    holder_id = case.assignee_id if case else None
    bound = bound or {}
    initial = {"version": version}
    schemes = selectors.line_schemes(report.line)
    content = intake_services.report_content(report=report, key_bytes=key_bytes)
    files = case_files(
        report=report,
        key_bytes=key_bytes,
        show_known=request.method == "GET" and request.GET.get("known") == "show",
    )
    if files.is_known_shown:
        case_known_files_show(report=report, actor=request.user, files=files)
    forms = {
        "claim": VersionForm(initial=initial, report=report),
        "approve": VersionForm(initial=initial, report=report),
        "hand_over": HandOverForm(initial=initial, report=report),
        "triage": TriageForm(
            initial={**initial, "outcome": case.triage_outcome if case else ""}, report=report
        ),
        "classify": ClassificationForm(
            initial=initial, report=report, schemes=schemes, chosen=selectors.case_option_ids(case)
        ),
        "category": CategoryForm(
            initial={**initial, "category": report.category_id}, report=report
        ),
        "question": QuestionForm(initial=_template_initial(request, report), report=report),
        "link": LinkForm(initial=initial, report=report),
        "note": NoteForm(report=report),
        "close": CloseForm(initial=initial, report=report),
    }
    for name, form in forms.items():
        form.auto_id = f"{name}_%s"  # several forms on one page: keep element ids unique
    forms.update(bound)
    context = {
        "report": report,
        "case": case,
        "version": version,
        "forms": forms,
        "error": error,
        "may_work": can_work(request.user, report),
        "may_change": can_change(request.user, report, holder_id),
        "is_closed": report.status == ReportStatus.CLOSED,
        "deadlines": selectors.deadlines_for(report),
        "answers": intake_selectors.answers_shown(report=report, content=content),
        "municipality": intake_selectors.municipality_name(report.municipality_code),
        "files": files,
        "thread": [
            (message, intake_services.message_body(message=message, key_bytes=key_bytes))
            for message in selectors.case_thread(report)
        ],
        "notes": selectors.case_notes(case, key_bytes),
        "close_reason": selectors.case_close_reason(case, key_bytes),
        "timeline": selectors.case_timeline(report),
        "follow_up_count": report.follow_ups.filter(destroyed_at__isnull=True).count(),
        "has_schemes": bool(schemes),
        "awaits_review": awaits_review(case, report.line_id),
        "may_review": may_review(request.user, report, case),
    }
    return render(request, "cases/report.html", context, status=status)


def _template_initial(request: HttpRequest, report: Report) -> dict:
    """Fill the question from a template picked with ?template= (works without JavaScript)."""
    chosen = _small_number(request.GET.get("template", ""))
    template = report.line.question_templates.filter(pk=chosen).first() if chosen else None
    return {"template": template, "body": template.body} if template else {}


@staff_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page; a POST here asks the reporter a question."""
    report = report_for(request.user, pk)
    if request.method == "GET":
        return _case_page(request, report)
    return _act(
        request,
        report,
        "question",
        QuestionForm,
        lambda form, key: services.case_question_ask(
            report=report,
            actor=request.user,
            key_bytes=key(),
            body=form.cleaned_data["body"],
            template=form.cleaned_data["template"],
        ),
        _("Your question has been sent to the reporter's mailbox."),
    )


def _act(
    request: HttpRequest,
    report: Report,
    name: str,
    form_class: type,
    perform: Callable,
    success: str,
    **form_kwargs,
) -> HttpResponse:
    """Validate the form, call the service, and show the case again either way."""
    form = form_class(request.POST, report=report, auto_id=f"{name}_%s", **form_kwargs)
    if not form.is_valid():
        return _case_page(request, report, bound={name: form}, status=400)

    def key() -> bytes:
        return report_key(request, report)

    try:
        perform(form, key)
    except CaseError as refusal:
        return _case_page(
            request,
            report,
            bound={name: form},
            error=refusal.message,
            status=ERROR_STATUS[refusal.code],
        )
    except NoKeyError:
        return no_key_page(request, report)
    messages.success(request, success)
    return redirect("cases:report", pk=report.pk)


def _version(form: VersionForm) -> int:
    return form.cleaned_data["version"]


@staff_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "claim",
        VersionForm,
        lambda form, key: services.case_claim(
            report=report, actor=request.user, version=_version(form)
        ),
        _("You now hold this case."),
    )


@staff_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "claim",
        VersionForm,
        lambda form, key: services.case_release(
            report=report, actor=request.user, version=_version(form)
        ),
        _("The case is back in the queue."),
    )


@staff_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "hand_over",
        HandOverForm,
        lambda form, key: services.case_hand_over(
            report=report,
            actor=request.user,
            version=_version(form),
            to=form.cleaned_data["to"],
            key_bytes=key(),
        ),
        _("The case has been handed over."),
    )


@staff_required
@require_POST
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "triage",
        TriageForm,
        lambda form, key: services.case_triage(
            report=report,
            actor=request.user,
            version=_version(form),
            outcome=form.cleaned_data["outcome"],
        ),
        _("The assessment has been saved."),
    )


@staff_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "approve",
        VersionForm,
        lambda form, key: services.case_approve(
            report=report, actor=request.user, version=_version(form)
        ),
        _("Your review has been recorded; the report is ready to forward."),
    )


@staff_required
@require_POST
def classify(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "classify",
        ClassificationForm,
        lambda form, key: services.case_classify(
            report=report, actor=request.user, version=_version(form), options=form.options()
        ),
        _("The classification has been saved."),
        schemes=selectors.line_schemes(report.line),
    )


@staff_required
@require_POST
def category(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "category",
        CategoryForm,
        lambda form, key: services.case_category_correct(
            report=report,
            actor=request.user,
            version=_version(form),
            category=form.cleaned_data["category"],
        ),
        _("The category has been corrected."),
    )


@staff_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "link",
        LinkForm,
        lambda form, key: services.case_link(
            report=report,
            actor=request.user,
            version=_version(form),
            earlier=form.cleaned_data["reference"],
            kind=form.cleaned_data["kind"],
        ),
        _("The reports have been linked."),
    )


@staff_required
@require_POST
def unlink(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "link",
        VersionForm,
        lambda form, key: services.case_unlink(
            report=report, actor=request.user, version=_version(form)
        ),
        _("The link has been removed."),
    )


@staff_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "note",
        NoteForm,
        lambda form, key: services.case_note_add(
            report=report, actor=request.user, key_bytes=key(), body=form.cleaned_data["body"]
        ),
        _("The note has been added."),
    )


@staff_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "close",
        CloseForm,
        lambda form, key: services.case_close(
            report=report,
            actor=request.user,
            version=_version(form),
            key_bytes=key(),
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
        ),
        _("The case has been closed."),
    )


@staff_required
@require_GET
def related(request: HttpRequest, pk: int) -> HttpResponse:
    """The merged view: an earlier report with all its follow-ups and duplicates, in order."""
    report = report_for(request.user, pk)
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    members = []
    family = selectors.report_family(request.user, report)
    references = {member.pk: member.reference for member in family}
    for member in family:
        try:
            key_bytes = report_key(request, member)
        except NoKeyError:
            members.append(
                {
                    "report": member,
                    "is_readable": False,
                    "follows": references.get(member.follows_id, ""),
                }
            )
            continue
        services.case_open(report=member, actor=request.user)
        content = intake_services.report_content(report=member, key_bytes=key_bytes)
        members.append(
            {
                "report": member,
                "is_readable": True,
                "follows": references.get(member.follows_id, ""),
                "answers": intake_selectors.answers_shown(report=member, content=content),
                "thread": [
                    (message, intake_services.message_body(message=message, key_bytes=key_bytes))
                    for message in selectors.case_thread(member)
                ],
            }
        )
    return render(request, "cases/related.html", {"report": report, "members": members})


@staff_required
@require_http_methods(["GET", "POST"])
def exposure(request: HttpRequest) -> HttpResponse:
    """One's own daily reveal limit and today's count: for oneself, nobody else sees them."""
    form = ExposureLimitForm(
        request.POST if request.method == "POST" else None,
        initial={"daily_reveal_limit": exposure_limit_get(user=request.user)},
    )
    if request.method == "POST" and form.is_valid():
        exposure_limit_set(
            user=request.user, daily_reveal_limit=form.cleaned_data["daily_reveal_limit"]
        )
        messages.success(request, _("Your limit has been saved."))
        return redirect("cases:exposure")
    return render(
        request,
        "cases/exposure.html",
        {"form": form, "today": exposure_today(viewer=request.user)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def exposure_teams(request: HttpRequest) -> HttpResponse:
    """For supervisors: reveals per line per ISO week of the last 12 weeks, never per person."""
    if request.user.role != Role.SUPERVISOR:
        raise Http404
    today = timezone.localdate()
    since = today - timedelta(days=today.weekday(), weeks=EXPOSURE_WEEKS - 1)
    return render(
        request,
        "cases/exposure_teams.html",
        {
            "weeks": exposure_team_weeks(
                line_ids=member_line_ids(request.user), since=since, until=today
            ),
            "team_minimum": TEAM_MINIMUM,
            "week_count": EXPOSURE_WEEKS,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = NotificationSetting.objects.filter(user=request.user).first()
    form = NotificationSettingForm(
        # An unticked box sends nothing, so an empty POST is still a submission.
        request.POST if request.method == "POST" else None,
        initial={"by_email": current.by_email if current else True},
    )
    if request.method == "POST" and form.is_valid():
        services.notification_setting_update(
            user=request.user, by_email=form.cleaned_data["by_email"]
        )
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("cases:notification_settings")
    return render(
        request,
        "cases/notification_settings.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def notification_status(request: HttpRequest) -> HttpResponse:
    """For administrators: mail that could not be delivered, so no failure goes unnoticed."""
    if not request.user.is_administrator:
        raise Http404
    return render(
        request,
        "cases/notification_status.html",
        {
            "failing": selectors.notifications_failing(),
            "pending": selectors.notifications_pending_count(),
        },
    )
