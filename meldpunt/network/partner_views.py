"""The partner portal: partner users read the forwards made to their organisations.

Partner users sign in like staff (password that unlocks their key, then a
second factor). Here they see only forwards to the partners they belong to,
each decrypted with their own key; everything else answers "not found". On a
forward they say what became of it and may ask the reporting point a question.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from meldpunt.vault.decorators import key_holder_required
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import session_private_key

from . import feedback, selectors, services
from .forms import FeedbackForm, FollowUpQuestionForm
from .models import Forward
from .views import ERROR_STATUS

MAX_ID = 2**63 - 1
MAX_FILE_NUMBER = 2**15 - 1


# Signed in with both factors, the partner role, and an unlocked key in this session.
partner_required = key_holder_required({Role.PARTNER})


def _forward_for(request: HttpRequest, pk: int) -> Forward:
    forward = selectors.partner_forward_get(request.user, pk) if pk <= MAX_ID else None
    if forward is None:
        raise Http404
    return forward


@partner_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    forwards = selectors.partner_forwards(request.user).order_by("-created_at", "-pk")[:200]
    return render(
        request,
        "network/partner_inbox.html",
        {"forwards": forwards, "reseal_needs": selectors.forwards_reseal_needs(request.user)},
    )


def _forward_page(
    request: HttpRequest,
    forward: Forward,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The forward, what the partner said about it, its questions and the forms."""
    private_key = session_private_key(request)
    try:
        body = services.forward_open(forward=forward, user=request.user, private_key=private_key)
    except NoKeyError:
        return render(request, "network/partner_no_key.html", {"forward": forward}, status=403)
    given = selectors.forward_feedback_shown(forward, user=request.user, private_key=private_key)
    forms = {
        "feedback": FeedbackForm(
            initial={
                "version": given.feedback.version if given else 0,
                "outcome": given.feedback.outcome if given else None,
                "text": given.text if given else "",
            },
            auto_id="feedback_%s",
        ),
        "question": FollowUpQuestionForm(auto_id="question_%s"),
        **(bound or {}),
    }
    context = {
        "forward": forward,
        "body": body,
        "files": forward.files.all(),
        "given": given,
        "questions": selectors.forward_questions_shown(
            forward, user=request.user, private_key=private_key
        ),
        "forms": forms,
        "error": error,
    }
    return render(request, "network/partner_forward.html", context, status=status)


@partner_required
@require_GET
def forward_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read one forward; reading is audited and the first read is recorded."""
    return _forward_page(request, _forward_for(request, pk))


@partner_required
@require_POST
def feedback_give(request: HttpRequest, pk: int) -> HttpResponse:
    forward = _forward_for(request, pk)
    form = FeedbackForm(request.POST, auto_id="feedback_%s")
    if not form.is_valid():
        return _forward_page(request, forward, bound={"feedback": form}, status=400)
    try:
        feedback.forward_feedback_give(
            forward=forward,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
            version=form.cleaned_data["version"],
        )
    except services.ForwardError as refusal:
        return _forward_page(
            request, forward, error=refusal.message, status=ERROR_STATUS[refusal.code]
        )
    messages.success(request, _("Thank you: your feedback has been sent to the reporting point."))
    return redirect("partner:forward", pk=forward.pk)


@partner_required
@require_GET
def forward_file(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Download one file of a forward, decrypted in this request with the member's key.

    Always as a download under its neutral name, never shown in the page:
    the browser must not guess a type or run anything a file might contain.
    """
    forward = selectors.partner_forward_get(request.user, pk) if pk <= MAX_ID else None
    if forward is None or number > MAX_FILE_NUMBER:
        raise Http404
    try:
        attachment = services.forward_file_download(
            forward=forward,
            number=number,
            user=request.user,
            private_key=session_private_key(request),
        )
    except NoKeyError:
        return render(request, "network/partner_no_key.html", {"forward": forward}, status=403)
    if attachment is None:
        raise Http404
    response = HttpResponse(attachment.data, content_type=attachment.media_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store, private"
    return response


@partner_required
@require_POST
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    forward = _forward_for(request, pk)
    form = FollowUpQuestionForm(request.POST, auto_id="question_%s")
    if not form.is_valid():
        return _forward_page(request, forward, bound={"question": form}, status=400)
    try:
        feedback.followup_ask(forward=forward, actor=request.user, text=form.cleaned_data["text"])
    except services.ForwardError as refusal:
        return _forward_page(
            request, forward, error=refusal.message, status=ERROR_STATUS[refusal.code]
        )
    messages.success(request, _("Your question has been sent to the reporting point."))
    return redirect("partner:forward", pk=forward.pk)


@partner_required
@require_POST
def reseal(request: HttpRequest, pk: int) -> HttpResponse:
    """Seal the organisation's earlier forwards for colleagues who joined later, with my key."""
    partner = selectors.partner_of_member(request.user, pk) if pk <= MAX_ID else None
    if partner is None:
        raise Http404
    try:
        result = services.forwards_reseal(
            partner=partner, granter=request.user, granter_key=session_private_key(request)
        )
    except services.ForwardError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s earlier forward can now be read by your colleagues.",
                "%(count)s earlier forwards can now be read by your colleagues.",
                result.forwards,
            )
            % {"count": result.forwards},
        )
    return redirect("partner:inbox")
