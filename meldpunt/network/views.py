"""Staff pages of forwarding: prepare the redacted version of a case and forward it.

Like the case page: plain forms that work without JavaScript, one service call
per POST, and a refused action shows the page as it is now with the reason and
a status code that says what happened (409 conflict or unreviewed passages,
403 not allowed, 400 invalid, 410 destroyed).
"""

from collections.abc import Callable

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meldpunt.cases.access import (
    MAX_ID,
    awaits_review,
    can_change,
    destroyed_page,
    no_key_page,
    private_key,
    report_for,
    report_key,
    staff_required,
)
from meldpunt.cases.files import case_files
from meldpunt.cases.models import Case, TriageOutcome
from meldpunt.intake.models import Report
from meldpunt.privacy.redaction import render_redacted, unreviewed_findings
from meldpunt.vault.decorators import require_recent_auth
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role

from . import feedback, selectors, services
from .forms import (
    AnswerForm,
    DecisionForm,
    DraftVersionForm,
    ForwardForm,
    LocationForm,
    PassageForm,
    RelayForm,
)
from .models import FollowUpQuestion, FollowUpState
from .services import ForwardError, ForwardErrorCode

ERROR_STATUS = {
    ForwardErrorCode.CONFLICT: 409,
    ForwardErrorCode.UNREVIEWED: 409,
    ForwardErrorCode.CLOSED: 409,
    ForwardErrorCode.DESTROYED: 410,
    ForwardErrorCode.NOT_ALLOWED: 403,
    ForwardErrorCode.INVALID: 400,
}


def _prepare_page(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The draft with its marks, findings, preview and the forward form."""
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        key_bytes = report_key(request, report)
    except NoKeyError:
        return no_key_page(request, report)
    try:
        stored = services.forward_draft_current(
            report=report, actor=request.user, key_bytes=key_bytes
        )
    except ForwardError as refusal:
        return render(
            request,
            "network/refused.html",
            {"report": report, "error": refusal.message},
            status=ERROR_STATUS[refusal.code],
        )
    report.refresh_from_db()
    case = Case.objects.filter(report=report).first()
    case_version = case.version if case else 0
    draft = stored.draft
    initial = {"version": stored.version}
    location = selectors.report_location(report=report, key_bytes=key_bytes)
    proposal = selectors.forward_proposal(report=report, municipality=location.municipality)
    forms = {
        "passage": PassageForm(initial=initial, report=report, auto_id="passage_%s"),
        "restart": DraftVersionForm(initial=initial, report=report, auto_id="restart_%s"),
        "forward": ForwardForm(
            initial={**initial, "case_version": case_version}, report=report, auto_id="fw_%s"
        ),
        "locate": LocationForm(
            initial={"municipality": location.municipality},
            report=report,
            candidates=location.candidates if location.municipality is None else (),
            auto_id="locate_%s",
        ),
    }
    forms.update(bound or {})
    choices = selectors.partner_choices(
        partners=forms["forward"].fields["partner"].queryset,
        proposal=proposal,
        chosen=forms["forward"]["partner"].value() if "forward" in (bound or {}) else None,
        line_id=report.line_id,
    )
    context = {
        "report": report,
        "case": case,
        "version": stored.version,
        "is_stale": stored.is_stale,
        "segments": selectors.draft_segments(draft),
        "rows": selectors.draft_finding_rows(draft),
        "unreviewed_count": len(unreviewed_findings(draft)),
        "preview": render_redacted(draft.text, draft.marks),
        "forms": forms,
        "error": error,
        "may_override": request.user.role == Role.SUPERVISOR,
        "is_usable": bool(case and case.triage_outcome == TriageOutcome.USABLE),
        "awaits_review": awaits_review(case, report.line_id),
        "has_partners": bool(choices.selectable or choices.refused),
        "location": location,
        "choices": choices,
        "files": case_files(report=report, key_bytes=key_bytes),
        "chosen_files": (
            {str(pk) for pk in forms["forward"]["files"].value() or []}
            if "forward" in (bound or {})
            else set()
        ),
        "forwards": selectors.report_forwards(report),
    }
    return render(request, "network/prepare.html", context, status=status)


def _act(
    request: HttpRequest,
    report: Report,
    name: str,
    form_class: type,
    perform: Callable,
    success: Callable | str,
    redirect_to: str = "network:prepare",
) -> HttpResponse:
    """Validate the form, call the service, and show the page again either way."""
    form = form_class(request.POST, report=report, auto_id=f"{name}_%s")
    if not form.is_valid():
        return _prepare_page(request, report, bound={name: form}, status=400)
    try:
        result = perform(form, lambda: report_key(request, report))
    except ForwardError as refusal:
        return _prepare_page(
            request,
            report,
            bound={name: form},
            error=refusal.message,
            status=ERROR_STATUS[refusal.code],
        )
    except NoKeyError:
        return no_key_page(request, report)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to, pk=report.pk)


@staff_required
@require_GET
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    return _prepare_page(request, report_for(request.user, pk))


@staff_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "decide",
        DecisionForm,
        lambda form, key: services.forward_draft_decide(
            report=report,
            actor=request.user,
            key_bytes=key(),
            version=form.cleaned_data["version"],
            index=form.cleaned_data["index"],
            decision=form.cleaned_data["decision"],
        ),
        _("Your decision has been saved."),
    )


@staff_required
@require_POST
def redact(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "passage",
        PassageForm,
        lambda form, key: services.forward_draft_redact_passage(
            report=report,
            actor=request.user,
            key_bytes=key(),
            version=form.cleaned_data["version"],
            passage=form.cleaned_data["passage"],
        ),
        lambda count: _("The passage has been redacted (%(count)s times).") % {"count": count},
    )


@staff_required
@require_POST
def restart(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "restart",
        DraftVersionForm,
        lambda form, key: services.forward_draft_restart(
            report=report,
            actor=request.user,
            key_bytes=key(),
            version=form.cleaned_data["version"],
        ),
        _("The draft has been made again from the report as it is now."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Forward the prepared version; needs the password typed in the last five minutes.

    The report is looked up first, so a case of another line is "not found"
    whether or not the password was confirmed recently.
    """
    return _forward(request, report_for(request.user, pk))


@require_recent_auth(minutes=5)
def _forward(request: HttpRequest, report: Report) -> HttpResponse:
    if request.method == "GET":
        # Back from re-authentication: the form is not carried over; send it again.
        return redirect("network:prepare", pk=report.pk)
    return _act(
        request,
        report,
        "forward",
        ForwardForm,
        lambda form, key: services.forward_create(
            report=report,
            partners=list(form.cleaned_data["partner"]),
            actor=request.user,
            key_bytes=key(),
            draft_version=form.cleaned_data["version"],
            case_version=form.cleaned_data["case_version"],
            override_reason=form.cleaned_data["override_reason"],
            files=form.cleaned_data["files"],
        ),
        lambda created: (
            _("The report has been forwarded to %(partners)s.")
            % {"partners": ", ".join(forward.partner.name for forward in created)}
        ),
        redirect_to="cases:report",
    )


@staff_required
@require_POST
def locate(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the report's municipality where its postcode gave none or several."""
    report = report_for(request.user, pk)
    return _act(
        request,
        report,
        "locate",
        LocationForm,
        lambda form, _key: services.report_locate(
            report=report, actor=request.user, municipality=form.cleaned_data["municipality"]
        ),
        _("The report's municipality has been saved."),
    )


def _returns_page(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Each forward of the report with the partner's feedback and follow-up questions.

    A question waiting to be passed on has the relay form; a question passed on
    and answered by the reporter has the answer with its marked passages and
    the form that sends it back through the redaction gate.
    """
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        key_bytes = report_key(request, report)
    except NoKeyError:
        return no_key_page(request, report)
    returns = selectors.report_returns(report, user=request.user, private_key=private_key(request))
    case = Case.objects.filter(report=report).first()
    bound = bound or {}
    for item in returns:
        for shown in item.questions:
            question = shown.question
            if question.state == FollowUpState.ASKED:
                question.relay_form = bound.get(question.pk) or RelayForm(
                    initial={"body": shown.text or ""}, auto_id=f"relay{question.pk}_%s"
                )
            elif question.state == FollowUpState.RELAYED:
                answer = feedback.followup_answer_draft(question=question, key_bytes=key_bytes)
                if answer is not None:
                    question.answer_form = bound.get(question.pk) or AnswerForm(
                        initial={"upto": answer.upto},
                        marks=len(answer.draft.marks),
                        auto_id=f"answer{question.pk}_%s",
                    )
                    question.answer_items = [
                        (row, question.answer_form[f"decision_{row.index}"])
                        for row in selectors.draft_finding_rows(answer.draft)
                    ]
                    question.answer_segments = selectors.draft_segments(answer.draft)
    context = {
        "report": report,
        "returns": returns,
        "error": error,
        "may_change": can_change(request.user, report, case.assignee_id if case else None),
        "may_override": request.user.role == Role.SUPERVISOR,
    }
    return render(request, "network/returns.html", context, status=status)


@staff_required
@require_GET
def returns(request: HttpRequest, pk: int) -> HttpResponse:
    return _returns_page(request, report_for(request.user, pk))


def _question_for(report: Report, question_pk: int) -> FollowUpQuestion:
    question = (
        FollowUpQuestion.objects.filter(pk=question_pk, forward__report=report)
        .select_related("forward__partner", "forward__report")
        .first()
        if question_pk <= MAX_ID
        else None
    )
    if question is None:
        raise Http404
    return question


def _question_act(
    request: HttpRequest,
    report: Report,
    question: FollowUpQuestion,
    form: Form,
    perform: Callable,
    success: str,
) -> HttpResponse:
    if not form.is_valid():
        return _returns_page(request, report, bound={question.pk: form}, status=400)
    try:
        perform(form, report_key(request, report))
    except ForwardError as refusal:
        return _returns_page(
            request,
            report,
            bound={question.pk: form},
            error=refusal.message,
            status=ERROR_STATUS[refusal.code],
        )
    except NoKeyError:
        return no_key_page(request, report)
    messages.success(request, success)
    return redirect("network:returns", pk=report.pk)


@staff_required
@require_POST
def relay(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Pass a partner's question on to the reporter's mailbox, in the analyst's words."""
    report = report_for(request.user, pk)
    question = _question_for(report, question_pk)
    return _question_act(
        request,
        report,
        question,
        RelayForm(request.POST, auto_id=f"relay{question.pk}_%s"),
        lambda form, key_bytes: feedback.followup_relay(
            question=question,
            actor=request.user,
            key_bytes=key_bytes,
            body=form.cleaned_data["body"],
        ),
        _("The question has been sent to the reporter's mailbox."),
    )


@staff_required
@require_POST
def answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Send the reporter's answer back to the partner, redacted through the forward's gate."""
    report = report_for(request.user, pk)
    question = _question_for(report, question_pk)
    try:
        current = feedback.followup_answer_draft(
            question=question, key_bytes=report_key(request, report)
        )
    except NoKeyError:
        return no_key_page(request, report)
    # As many decisions as the answer has marks now; a changed answer is refused as stale.
    marks = len(current.draft.marks) if current else 0
    return _question_act(
        request,
        report,
        question,
        AnswerForm(request.POST, marks=marks, auto_id=f"answer{question.pk}_%s"),
        lambda form, key_bytes: feedback.followup_answer(
            question=question,
            actor=request.user,
            key_bytes=key_bytes,
            private_key=private_key(request),
            upto=form.cleaned_data["upto"],
            decisions=form.decisions(),
            passage=form.cleaned_data["passage"],
            override_reason=form.cleaned_data["override_reason"],
        ),
        _("The answer has been sent to the partner."),
    )
