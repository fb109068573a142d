"""The chat pages: the reporter's (no JavaScript needed) and the staff's.

Without JavaScript the conversation keeps going by page refresh: the transcript
is a small page in a frame that reloads itself every few seconds (meta refresh),
so the message being typed in the page around it is never lost; while the
reporter waits, the frame shows their place in the queue. Served over ASGI, the
pages also load a small script that makes the frame live (see chat.live).
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meldpunt.lines.models import Line, LineMembership
from meldpunt.privacy.detection import answer_review
from meldpunt.privacy.middleware import CONTENT_SECURITY_POLICY
from meldpunt.vault.decorators import key_holder_required
from meldpunt.vault.derivations import DerivationBusy
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import session_private_key

from . import selectors, services
from .forms import (
    CannedAnswerForm,
    ChatMessageForm,
    ContactForm,
    HandOverForm,
    PhoneContactForm,
    StaffMessageForm,
    SurveyForm,
)
from .hours import chat_is_open, chat_next_opening
from .models import Author, Chat, ChatSettings
from .services import ChatError, ChatErrorCode

COOKIE_NAME = "mp_chat"
# Seconds between refreshes of a transcript or a waiting page without JavaScript.
REFRESH_SECONDS = 4
# The page around the transcript may frame our own pages, and only those.
FRAMING_PAGE_POLICY = CONTENT_SECURITY_POLICY + "; frame-src 'self'"
FRAMED_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'"
)
ERROR_STATUS = {
    ChatErrorCode.CLOSED: 409,
    ChatErrorCode.FINISHED: 409,
    ChatErrorCode.CONFLICT: 409,
    ChatErrorCode.FLOOD: 429,
    ChatErrorCode.TOO_LONG: 400,
    ChatErrorCode.CONTROL_CHARACTERS: 400,
    ChatErrorCode.NOT_ALLOWED: 403,
    ChatErrorCode.NO_CATEGORY: 409,
    ChatErrorCode.NO_KEY: 403,
}


# --- reporter side -----------------------------------------------------------------


def _line_with_chat(line_slug: str) -> Line:
    line = get_object_or_404(Line, slug=line_slug, is_active=True)
    if not ChatSettings.objects.filter(line=line, is_enabled=True).exists():
        raise Http404
    return line


def _access(request: HttpRequest) -> services.ReporterAccess | None:
    return services.chat_for_token(request.COOKIES.get(COOKIE_NAME, ""))


def live_is_available(request: HttpRequest) -> bool:
    """Served by an ASGI server: the page may load the live script (see chat.live)."""
    return isinstance(request, ASGIRequest)


def _live_policy(policy: str) -> str:
    return policy + "; script-src 'self'; connect-src 'self'"


def _thread(chat: Chat, key_bytes: bytes, *, for_staff: bool = False) -> list[dict]:
    return thread_items(chat, key_bytes, selectors.chat_messages(chat), for_staff=for_staff)


def thread_items(chat: Chat, key_bytes: bytes, messages, *, for_staff: bool = False) -> list[dict]:
    """Each message with its text; for staff, reporter text with identifying details marked."""
    thread = []
    for message in messages:
        item = {"message": message, "text": "", "review": None}
        if message.author != Author.SYSTEM:
            item["text"] = services.message_text(message=message, key_bytes=key_bytes)
            if for_staff and message.author == Author.REPORTER:
                item["review"] = answer_review(item["text"], language=chat.language)
        thread.append(item)
    return thread


@require_GET
def line_chat(request: HttpRequest, line_slug: str) -> HttpResponse:
    """Start a chat, or when it is closed: when it opens again, and the form instead."""
    line = _line_with_chat(line_slug)
    return render(
        request,
        "chat/start.html",
        {"line": line, "is_open": chat_is_open(line), "next_opening": chat_next_opening(line)},
    )


@require_POST
def start(request: HttpRequest, line_slug: str) -> HttpResponse:
    line = _line_with_chat(line_slug)
    try:
        _chat, token = services.chat_start(line=line, language=request.LANGUAGE_CODE)
    except ChatError:
        response = render(
            request,
            "chat/start.html",
            {"line": line, "is_open": False, "next_opening": chat_next_opening(line)},
            status=409,
        )
        return response
    response = redirect("chat:conversation")
    # Only a random token: it names nothing but this chat, and dies with the browser.
    response.set_cookie(
        COOKIE_NAME, token, httponly=True, samesite="Strict", secure=settings.SESSION_COOKIE_SECURE
    )
    return response


def _no_chat(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/no_chat.html", status=404)


@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest) -> HttpResponse:
    """Waiting (place in the queue), talking (frame + form), or finished (receipt, survey).

    A message is checked before it is sent: when the detector finds something that
    may identify the reporter, the first POST shows it marked and asks again;
    only a POST with ``confirm`` sends it anyway.
    """
    access = _access(request)
    if access is None:
        return _no_chat(request)
    chat = access.chat
    services.chat_reporter_seen(chat=chat)
    settings_ = chat.line.chat_settings
    status = 200
    if "edit" in request.POST:
        # Back from the check: the text again, to change it.
        form = ChatMessageForm(initial={"body": request.POST.get("body", "")}, settings=settings_)
    else:
        form = ChatMessageForm(request.POST or None, settings=settings_)
    if form.is_bound and form.is_valid():
        body = form.cleaned_data["body"]
        review = answer_review(body, language=request.LANGUAGE_CODE)
        if review.warnings and "confirm" not in request.POST:
            return render(request, "chat/message_review.html", {"review": review, "form": form})
        try:
            services.reporter_message_post(access=access, body=body)
        except ChatError as error:
            form.add_error("body", error.message)
            status = ERROR_STATUS[error.code]
        else:
            return redirect("chat:conversation")
    elif form.is_bound:
        status = 400
    chat.refresh_from_db()
    context = {"chat": chat, "form": form}
    if chat.is_finished:
        context |= {
            "thread": _thread(chat, access.key_bytes),
            "survey_form": SurveyForm(),
        }
        return render(request, "chat/finished.html", context, status=status)
    live = live_is_available(request)
    context["live"] = live
    response = render(request, "chat/conversation.html", context, status=status)
    response.headers["Content-Security-Policy"] = (
        _live_policy(FRAMING_PAGE_POLICY) if live else FRAMING_PAGE_POLICY
    )
    return response


@require_GET
@xframe_options_sameorigin
def transcript(request: HttpRequest) -> HttpResponse:
    """The framed transcript, refreshing itself while the chat runs."""
    access = _access(request)
    if access is None:
        return _no_chat(request)
    services.chat_reporter_seen(chat=access.chat)
    response = render(
        request,
        "chat/transcript.html",
        {
            "chat": access.chat,
            "thread": _thread(access.chat, access.key_bytes),
            "refresh": REFRESH_SECONDS,
            "position": selectors.queue_position(access.chat),
        },
    )
    response.headers["Content-Security-Policy"] = FRAMED_PAGE_POLICY
    return response


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access is None:
        return _no_chat(request)
    try:
        services.chat_reporter_leave(access=access)
    except ChatError:
        pass  # already over: the finished page says so
    return redirect("chat:conversation")


@require_POST
def receipt(request: HttpRequest) -> HttpResponse:
    """Make the chat a report and show its receipt, once."""
    access = _access(request)
    if access is None:
        return _no_chat(request)
    try:
        code = services.chat_receipt(access=access)
    except DerivationBusy:
        response = render(request, "chat/receipt_busy.html", status=503)
        response["Retry-After"] = "60"
        return response
    except ChatError as error:
        return render(
            request, "chat/receipt.html", {"error": error.message}, status=ERROR_STATUS[error.code]
        )
    return render(request, "chat/receipt.html", {"receipt": code, "chat": access.chat})


@require_POST
def survey(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access is None:
        return _no_chat(request)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            services.survey_answer(access=access, answers=form.answers())
        except ChatError:
            pass  # answered before: thanking once more does no harm
    response = render(request, "chat/thanks.html")
    response.delete_cookie(COOKIE_NAME, samesite="Strict")
    return response


# --- staff side --------------------------------------------------------------------

staff_required = key_holder_required({Role.ANALYST, Role.SUPERVISOR})


def _line_ids(request: HttpRequest) -> list[int]:
    return list(LineMembership.objects.filter(user=request.user).values_list("line_id", flat=True))


def staff_chat_for(request: HttpRequest, pk: int) -> Chat | None:
    """A chat of one of the user's lines, or None alike for other lines and none at all."""
    return (
        Chat.objects.select_related("line__chat_settings")
        .filter(pk=pk, line_id__in=_line_ids(request), destroyed_at__isnull=True)
        .first()
    )


def _staff_chat(request: HttpRequest, pk: int) -> Chat:
    chat = staff_chat_for(request, pk)
    if chat is None:
        raise Http404
    return chat


def _staff_key(request: HttpRequest, chat: Chat) -> bytes:
    return services.staff_chat_key(
        chat=chat, user=request.user, private_key=session_private_key(request)
    )


@staff_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponse:
    services.chats_time_out()
    line_ids = _line_ids(request)
    return render(
        request,
        "chat/staff_queue.html",
        {
            "waiting": selectors.waiting_chats(request.user, line_ids),
            "mine": selectors.chats_of(request.user),
            "to_register": selectors.chats_to_register(request.user, line_ids),
            "refresh": REFRESH_SECONDS * 2,
        },
    )


@staff_required
@require_POST
def staff_pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    try:
        services.chat_pick_up(chat=chat, actor=request.user)
    except ChatError as error:
        return _staff_refusal(request, error)
    return redirect("chat_staff:staff_chat", pk=chat.pk)


def _staff_refusal(request: HttpRequest, error: ChatError) -> HttpResponse:
    return render(
        request,
        "chat/staff_refusal.html",
        {"error": error.message},
        status=ERROR_STATUS[error.code],
    )


def _render_staff_chat(
    request: HttpRequest,
    chat: Chat,
    form: StaffMessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    settings_ = chat.line.chat_settings
    is_mine = chat.staff_id == request.user.pk and not chat.is_finished
    # A finished chat's page shows what it needs without news (the stream would only end).
    live = live_is_available(request) and not chat.is_finished
    response = render(
        request,
        "chat/staff_chat.html",
        {
            "chat": chat,
            "is_mine": is_mine,
            "form": form or StaffMessageForm(settings=settings_),
            "canned_form": CannedAnswerForm(line=chat.line, language=chat.language),
            "hand_over_form": HandOverForm(line=chat.line, actor=request.user),
            "contact_form": ContactForm(line=chat.line),
            "live": live,
        },
        status=status,
    )
    response.headers["Content-Security-Policy"] = (
        _live_policy(FRAMING_PAGE_POLICY) if live else FRAMING_PAGE_POLICY
    )
    return response


@staff_required
@require_GET
def staff_chat(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_staff_chat(request, _staff_chat(request, pk))


@staff_required
@require_GET
@xframe_options_sameorigin
def staff_transcript(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    try:
        key_bytes = _staff_key(request, chat)
    except NoKeyError:
        return render(
            request,
            "chat/staff_refusal.html",
            {"error": _("You hold no key for this chat.")},
            status=403,
        )
    services.chat_staff_seen(chat=chat, user=request.user)
    response = render(
        request,
        "chat/staff_transcript.html",
        {
            "chat": chat,
            "thread": _thread(chat, key_bytes, for_staff=True),
            "refresh": REFRESH_SECONDS,
        },
    )
    response.headers["Content-Security-Policy"] = FRAMED_PAGE_POLICY
    return response


def _send(request: HttpRequest, chat: Chat, body: str) -> None:
    """Post as staff; ChatError also for someone without the chat's key (joined later)."""
    try:
        key_bytes = _staff_key(request, chat)
    except NoKeyError as error:
        raise ChatError(ChatErrorCode.CONFLICT, _("You hold no key for this chat.")) from error
    services.staff_message_post(chat=chat, actor=request.user, key_bytes=key_bytes, body=body)


@staff_required
@require_POST
def staff_send(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    form = StaffMessageForm(request.POST, settings=chat.line.chat_settings)
    if not form.is_valid():
        return _render_staff_chat(request, chat, form, status=400)
    try:
        _send(request, chat, form.cleaned_data["body"])
    except ChatError as error:
        if error.code == ChatErrorCode.FINISHED:
            return _staff_refusal(request, error)  # the page of a finished chat has no form
        form.add_error(None, error.message)
        return _render_staff_chat(request, chat, form, status=409)
    return redirect("chat_staff:staff_chat", pk=chat.pk)


@staff_required
@require_POST
def staff_canned(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    form = CannedAnswerForm(request.POST, line=chat.line, language=chat.language)
    if not form.is_valid():
        return _render_staff_chat(request, chat, status=400)
    try:
        _send(request, chat, form.cleaned_data["canned"].text)
    except ChatError as error:
        return _staff_refusal(request, error)
    return redirect("chat_staff:staff_chat", pk=chat.pk)


@staff_required
@require_POST
def staff_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    form = HandOverForm(request.POST, line=chat.line, actor=request.user)
    if not form.is_valid():
        return _render_staff_chat(request, chat, status=400)
    try:
        services.chat_hand_over(
            chat=chat,
            actor=request.user,
            colleague=form.cleaned_data["colleague"],
            key_bytes=_staff_key(request, chat),
        )
    except NoKeyError:
        return _staff_refusal(
            request, ChatError(ChatErrorCode.NO_KEY, _("You hold no key for this chat."))
        )
    except ChatError as error:
        return _staff_refusal(request, error)
    return redirect("chat_staff:staff_queue")


@staff_required
@require_POST
def staff_end(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _staff_chat(request, pk)
    try:
        services.chat_end(chat=chat, actor=request.user)
    except ChatError as error:
        return _staff_refusal(request, error)
    return redirect("chat_staff:staff_chat", pk=chat.pk)


@staff_required
@require_POST
def staff_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the contact moment of a finished chat."""
    chat = _staff_chat(request, pk)
    form = ContactForm(request.POST, line=chat.line)
    if not form.is_valid():
        return _render_staff_chat(request, chat, status=400)
    try:
        services.contact_register(
            line=chat.line,
            actor=request.user,
            contact_type=form.cleaned_data["contact_type"],
            has_follow_up=form.cleaned_data["has_follow_up"],
            chat=chat,
        )
    except ChatError as error:
        return _staff_refusal(request, error)
    return redirect("chat_staff:staff_queue")


@staff_required
@require_http_methods(["GET", "POST"])
def staff_phone_contact(request: HttpRequest) -> HttpResponse:
    """A contact moment by phone, entered by hand."""
    lines = Line.objects.filter(pk__in=_line_ids(request))
    form = PhoneContactForm(request.POST or None, lines=lines)
    if form.is_valid():
        try:
            services.contact_register(
                line=form.cleaned_data["line"],
                actor=request.user,
                contact_type=form.cleaned_data["contact_type"],
                has_follow_up=form.cleaned_data["has_follow_up"],
            )
        except ChatError as error:
            form.add_error(None, error.message)
        else:
            return redirect("chat_staff:staff_queue")
    return render(
        request, "chat/staff_phone_contact.html", {"form": form}, status=400 if form.errors else 200
    )
