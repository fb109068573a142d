"""Writes of the chat: starting, messages, queue moves, receipt, purge, figures.

The reporter holds a chat by a random token (a cookie of their browser). From the
token follow two values: a lookup hash, stored to find the chat, and an X25519
key pair whose public half the chat's data key is sealed for, exactly as a
receipt opens a report's key (vault.keys). Staff open the same data key with
their own unlocked key. No new cryptography: crypto.subkey, data_key_create,
data_key_open (sealed_key_open for the reporter) and data_key_destroy from the vault.
"""

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.db.models import F, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from nacl.public import PrivateKey

from meldpunt.intake.models import ReportChannel
from meldpunt.intake.services import IntakeError, mailbox_keys_make, report_submit
from meldpunt.lines.models import Line, LineMembership
from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import (
    data_key_create,
    data_key_destroy,
    data_key_grant,
    data_key_open,
    reporter_sealed_key,
    sealed_key_open,
)
from meldpunt.vault.models import Role, StaffUser, hour_now

from .hours import chat_is_open
from .models import (
    FINISHED,
    Author,
    Chat,
    ChatEvent,
    ChatMessage,
    ChatSettings,
    ChatStatus,
    ContactChannel,
    ContactRegistration,
    ContactType,
    SurveyCount,
    SurveyQuestion,
    month_start,
)

TOKEN_BYTES = 32
MESSAGE_CONTEXT = b"chat-message"
# Characters a message may contain below U+0020: line breaks and tabs, nothing else.
ALLOWED_CONTROL = {"\n", "\r", "\t"}


class ChatErrorCode(StrEnum):
    CLOSED = "closed"
    FINISHED = "finished"
    CONFLICT = "conflict"
    FLOOD = "flood"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    NOT_ALLOWED = "not_allowed"
    NO_CATEGORY = "no_category"
    NO_KEY = "no_key"


class ChatError(Exception):
    """An action the chat cannot take now; the message is for people, in their language."""

    def __init__(self, code: ChatErrorCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class ReporterAccess:
    chat: Chat
    key_bytes: bytes


def _token_bytes(token: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4))
    except ValueError:
        return None
    return raw if len(raw) == TOKEN_BYTES else None


def _lookup(raw: bytes) -> bytes:
    return crypto.subkey(raw, b"mp-chat-lookup")


def _reporter_key(raw: bytes) -> PrivateKey:
    return PrivateKey(crypto.subkey(raw, b"mp-chat-key"))


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _line_recipients(line: Line):
    return StaffUser.objects.filter(line_memberships__line=line, is_active=True).exclude(
        role=Role.PARTNER
    )


def chat_start(*, line: Line, language: str, now: datetime | None = None) -> tuple[Chat, str]:
    """Open a chat in the line's queue; returns it with the token only the reporter gets.

    Refused outside opening hours. The data key is sealed for every member of the
    line with a key pair and for the reporter's token.
    """
    if not chat_is_open(line, now=now):
        raise ChatError(ChatErrorCode.CLOSED, _("The chat is closed right now."))
    raw = secrets.token_bytes(TOKEN_BYTES)
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    key_bytes = crypto.new_data_key()
    with transaction.atomic():
        data_key = data_key_create(
            key_bytes=key_bytes,
            line=line,
            recipients=_line_recipients(line),
            reporter_public_key=bytes(_reporter_key(raw).public_key),
        )
        chat = Chat.objects.create(
            line=line,
            token_lookup=_lookup(raw),
            data_key=data_key,
            language=language[:5],
            reporter_seen_at=_minute(now or timezone.now()),
        )
    return chat, token


def chat_for_token(token: str) -> ReporterAccess | None:
    """The reporter's chat and its opened key; None for an unknown or destroyed one."""
    raw = _token_bytes(token or "")
    if raw is None:
        return None
    # One query for what every reporter request then needs (the reporter's sealed key,
    # the line's chat settings): this runs on each page, post and event stream of a
    # reporter. get(), not first(): the lookup is unique, and no ORDER BY to build.
    try:
        chat = (
            Chat.objects.select_related("line__chat_settings")
            .annotate(reporter_sealed_key=reporter_sealed_key(OuterRef("data_key")))
            .get(token_lookup=_lookup(raw), destroyed_at__isnull=True)
        )
    except Chat.DoesNotExist:
        return None
    key_bytes = sealed_key_open(sealed_key=chat.reporter_sealed_key, private_key=_reporter_key(raw))
    return ReporterAccess(chat=chat, key_bytes=key_bytes)


def chat_reporter_seen(*, chat: Chat, now: datetime | None = None) -> None:
    """The reporter's page asked for news: the chat does not time out yet."""
    if chat.is_finished:
        return
    minute = _minute(now or timezone.now())
    if chat.reporter_seen_at != minute:
        Chat.objects.filter(pk=chat.pk).exclude(status__in=FINISHED).update(reporter_seen_at=minute)
        chat.reporter_seen_at = minute


def chat_staff_seen(*, chat: Chat, user: StaffUser, now: datetime | None = None) -> None:
    """The holder's page asked for news: the chat stays theirs (see chats_time_out)."""
    if chat.is_finished or chat.staff_id != user.pk:
        return
    minute = _minute(now or timezone.now())
    if chat.staff_seen_at != minute:
        Chat.objects.filter(pk=chat.pk, staff=user, status=ChatStatus.ACTIVE).update(
            staff_seen_at=minute
        )
        chat.staff_seen_at = minute


def message_text(*, message: ChatMessage, key_bytes: bytes) -> str:
    return crypto.decrypt(key_bytes, bytes(message.sealed_body), context=MESSAGE_CONTEXT).decode()


def message_body_check(*, body: str, settings: ChatSettings) -> None:
    """Length and control characters, checked again here for every caller, not only forms."""
    if len(body) > settings.max_message_chars:
        raise ChatError(
            ChatErrorCode.TOO_LONG,
            _("Your message is too long: at most %(limit)s characters, it has %(count)s.")
            % {"limit": settings.max_message_chars, "count": len(body)},
        )
    if any(ord(ch) < 32 and ch not in ALLOWED_CONTROL or 127 <= ord(ch) < 160 for ch in body):
        raise ChatError(
            ChatErrorCode.CONTROL_CHARACTERS,
            _("Your message contains invisible control characters. Please remove them."),
        )


def _sealed(key_bytes: bytes, body: str) -> bytes:
    return crypto.encrypt(key_bytes, body.encode(), context=MESSAGE_CONTEXT)


def _event(chat: Chat, event: ChatEvent) -> ChatMessage:
    return ChatMessage.objects.create(chat=chat, author=Author.SYSTEM, event=event)


def _finish_fields(chat: Chat, status: ChatStatus) -> None:
    """End a chat: what was needed to the minute while it ran is cleared now."""
    Chat.objects.filter(pk=chat.pk).update(
        status=status,
        ended_at=hour_now(),
        reporter_seen_at=None,
        staff_seen_at=None,
        flood_window_start=None,
        flood_count=0,
    )


def reporter_message_post(
    *, access: ReporterAccess, body: str, now: datetime | None = None
) -> ChatMessage:
    """A message from the reporter, while waiting or talking; limited per chat per minute."""
    chat = access.chat
    settings = chat.line.chat_settings
    message_body_check(body=body, settings=settings)
    minute = _minute(now or timezone.now())
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        if locked.is_finished or locked.destroyed_at:
            raise _finished_error(locked)
        count = locked.flood_count if locked.flood_window_start == minute else 0
        if count >= settings.max_messages_per_minute:
            raise ChatError(
                ChatErrorCode.FLOOD,
                _("You are sending messages very fast. Please wait a minute and try again."),
            )
        message = ChatMessage.objects.create(
            chat=chat, author=Author.REPORTER, sealed_body=_sealed(access.key_bytes, body)
        )
        Chat.objects.filter(pk=chat.pk).update(
            flood_window_start=minute, flood_count=count + 1, reporter_seen_at=minute
        )
    return message


def staff_chat_key(*, chat: Chat, user: StaffUser, private_key: PrivateKey) -> bytes:
    """Open a chat's data key with a staff member's unlocked key (vault.keys.NoKeyError if none)."""
    return data_key_open(data_key=chat.data_key, private_key=private_key, user=user)


def _ensure_member(chat: Chat, user: StaffUser) -> None:
    if (
        user.role not in {Role.ANALYST, Role.SUPERVISOR}
        or not LineMembership.objects.filter(line_id=chat.line_id, user=user).exists()
    ):
        raise ChatError(ChatErrorCode.NOT_ALLOWED, _("You do not work on this line."))


def _finished_error(locked: Chat) -> ChatError:
    if locked.report_id is not None:
        return ChatError(
            ChatErrorCode.FINISHED,
            _(
                "This chat has become a report and takes no more messages. "
                "Write further in the report's mailbox (with the receipt)."
            ),
        )
    return ChatError(ChatErrorCode.FINISHED, _("This chat has ended."))


def _locked_running(chat: Chat) -> Chat:
    locked = Chat.objects.select_for_update().get(pk=chat.pk)
    if locked.is_finished or locked.destroyed_at:
        raise _finished_error(locked)
    return locked


def staff_message_post(*, chat: Chat, actor: StaffUser, key_bytes: bytes, body: str) -> ChatMessage:
    """A message from the member of staff who holds the chat."""
    message_body_check(body=body, settings=chat.line.chat_settings)
    with transaction.atomic():
        locked = _locked_running(chat)
        if locked.staff_id != actor.pk:
            raise ChatError(ChatErrorCode.CONFLICT, _("This chat is not yours."))
        return ChatMessage.objects.create(
            chat=chat,
            author=Author.STAFF,
            staff_author=actor,
            sealed_body=_sealed(key_bytes, body),
        )


def chat_pick_up(*, chat: Chat, actor: StaffUser) -> Chat:
    """Take a waiting chat from the queue; two people picking up at once: one wins."""
    _ensure_member(chat, actor)
    with transaction.atomic():
        locked = _locked_running(chat)
        if locked.status != ChatStatus.WAITING:
            raise ChatError(
                ChatErrorCode.CONFLICT, _("A colleague has already picked up this chat.")
            )
        if not chat.data_key.grants.filter(user=actor).exists():
            # Sealed for the line's members when it started: someone who joined the line
            # later cannot read it, and nobody who could grant it is at hand here.
            raise ChatError(
                ChatErrorCode.NO_KEY,
                _(
                    "You hold no key for this chat: it started before you joined the line. "
                    "A colleague who holds it can pick it up and hand it over to you."
                ),
            )
        Chat.objects.filter(pk=chat.pk).update(
            status=ChatStatus.ACTIVE, staff=actor, staff_seen_at=_minute(timezone.now())
        )
        _event(chat, ChatEvent.PICKED_UP)
        audit_record(actor=actor, action="chat.picked_up", target=chat)
    chat.refresh_from_db()
    return chat


def chat_hand_over(
    *, chat: Chat, actor: StaffUser, colleague: StaffUser, key_bytes: bytes | None = None
) -> Chat:
    """Pass an active chat to a colleague on the same line.

    A colleague who joined the line after the chat started holds no sealed copy of
    its key; with ``key_bytes`` (the chat key the holder opened) the hand-over
    seals it for them (vault data_key_grant), as handing over a report does.
    Without it, or for a colleague without a key pair, the hand-over is refused.
    """
    _ensure_member(chat, colleague)
    with transaction.atomic():
        locked = _locked_running(chat)
        if locked.staff_id != actor.pk:
            raise ChatError(ChatErrorCode.CONFLICT, _("This chat is not yours."))
        granted = 0
        if not chat.data_key.grants.filter(user=colleague).exists():
            if key_bytes is not None:
                granted = data_key_grant(
                    data_key=chat.data_key, key_bytes=key_bytes, users=[colleague]
                )
            if not granted:
                raise ChatError(ChatErrorCode.NO_KEY, _("This colleague cannot read this chat."))
        Chat.objects.filter(pk=chat.pk).update(
            staff=colleague, staff_seen_at=_minute(timezone.now())
        )
        _event(chat, ChatEvent.HANDED_OVER)
        audit_record(
            actor=actor,
            action="chat.handed_over",
            target=chat,
            details={"to": colleague.pk, "key_granted": bool(granted)},
        )
    chat.refresh_from_db()
    return chat


def chat_end(*, chat: Chat, actor: StaffUser) -> Chat:
    with transaction.atomic():
        locked = _locked_running(chat)
        if locked.staff_id != actor.pk:
            raise ChatError(ChatErrorCode.CONFLICT, _("This chat is not yours."))
        _finish_fields(chat, ChatStatus.ENDED)
        _event(chat, ChatEvent.ENDED)
        audit_record(actor=actor, action="chat.ended", target=chat)
    chat.refresh_from_db()
    return chat


def chat_reporter_leave(*, access: ReporterAccess) -> None:
    """The reporter ends the chat themselves."""
    with transaction.atomic():
        _locked_running(access.chat)
        _finish_fields(access.chat, ChatStatus.ENDED)
        _event(access.chat, ChatEvent.REPORTER_LEFT)
    access.chat.refresh_from_db()


def chats_time_out(*, now: datetime | None = None) -> int:
    """Chats whose reporter's page stopped asking for news (browser closed) time out,
    and chats whose holder's page did go back to the queue.

    The reporter's pages refresh every few seconds while open; a chat unseen for
    the line's time-out is finished, and staff see "the reporter left". A signed-out
    holder's chats go back at once (chats_release); a holder who just went away (a
    closed laptop, an expired session) signs nothing out, so their chats go back once
    their page has not asked for news for the line's staff time-out. Returns how many
    chats timed out.
    """
    now = now or timezone.now()
    count = 0
    running = Chat.objects.filter(status__in=[ChatStatus.WAITING, ChatStatus.ACTIVE])
    for chat in running.select_related("line__chat_settings"):
        settings = chat.line.chat_settings
        limit = timedelta(minutes=settings.reporter_timeout_minutes)
        if chat.reporter_seen_at is not None and chat.reporter_seen_at + limit <= now:
            count += _chat_time_out(chat, limit=limit, now=now)
            continue
        absent = timedelta(minutes=settings.staff_timeout_minutes)
        if chat.staff_seen_at is not None and chat.staff_seen_at + absent <= now:
            _chat_return_from_absent_holder(chat, absent=absent, now=now)
    return count


def _chat_time_out(chat: Chat, *, limit: timedelta, now: datetime) -> int:
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        if locked.is_finished or (
            locked.reporter_seen_at and locked.reporter_seen_at + limit > now
        ):
            return 0
        _finish_fields(chat, ChatStatus.TIMED_OUT)
        _event(chat, ChatEvent.TIMED_OUT)
    return 1


def _chat_return_from_absent_holder(chat: Chat, *, absent: timedelta, now: datetime) -> None:
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        if (
            locked.status != ChatStatus.ACTIVE
            or locked.staff_seen_at is None
            or locked.staff_seen_at + absent > now
        ):
            return
        # Nobody acted: the event names the holder the chat was taken from.
        _chat_return(locked, actor=None, details={"holder": locked.staff_id, "absent": True})


def _chat_return(chat: Chat, *, actor: StaffUser | None, details: dict | None = None) -> None:
    """Back to the queue, for the next colleague (within the caller's transaction)."""
    Chat.objects.filter(pk=chat.pk).update(
        status=ChatStatus.WAITING, staff=None, staff_seen_at=None
    )
    _event(chat, ChatEvent.RETURNED)
    audit_record(actor=actor, action="chat.returned", target=chat, details=details or {})


def chats_release(*, staff: StaffUser) -> int:
    """Every chat a member of staff holds goes back to the queue (they signed out)."""
    with transaction.atomic():
        held = list(Chat.objects.select_for_update().filter(staff=staff, status=ChatStatus.ACTIVE))
        for chat in held:
            _chat_return(chat, actor=staff)
    return len(held)


def chats_release_on_sign_out(
    sender: object, request: HttpRequest | None = None, user: StaffUser | None = None, **kwargs
) -> None:
    """Receiver of Django's user_logged_out: nothing but a call of chats_release."""
    if user is not None and user.pk:
        chats_release(staff=user)


def _transcript_text(*, chat: Chat, key_bytes: bytes) -> str:
    """The conversation as plain text, in the reporter's language."""
    with override(chat.language):
        parts = []
        for message in chat.messages.exclude(author=Author.SYSTEM):
            who = Author(message.author).label
            parts.append(f"{who}: {message_text(message=message, key_bytes=key_bytes)}")
        return "\n\n".join(parts)


def chat_receipt(*, access: ReporterAccess) -> str:
    """Turn the chat so far into a report with a mailbox; returns the receipt, shown once.

    The report (intake.report_submit) gets the transcript up to this moment as its
    content, sealed under the report's own key. The chat's own transcript is still
    destroyed after the chat retention period; the report follows the line's
    report retention. Asking twice makes no second report.

    A running chat ends here: messages after the receipt would be in neither the
    report nor (after the chat retention) anywhere, so the chat takes no more
    and both sides are told to go on in the report's mailbox.
    """
    chat = access.chat
    with override(chat.language):
        question = _("Chat transcript")
    already = ChatError(ChatErrorCode.CONFLICT, _("You already have a receipt for this chat."))
    if Chat.objects.filter(pk=chat.pk, report__isnull=False).exists():
        raise already  # before spending a derivation on it
    # The slow derivation (and any wait in its queue) before the lock, not under it: on
    # SQLite the transaction below holds the write lock of the whole database.
    keys = mailbox_keys_make()
    with transaction.atomic():
        # Locked for the whole turn: a message sent meanwhile waits, then finds the
        # chat ended, instead of landing after the transcript was taken.
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        if locked.report_id is not None:
            raise already
        category = chat.line.chat_settings.receipt_category
        try:
            submission = report_submit(
                category=category,
                answers={"chat": _transcript_text(chat=chat, key_bytes=access.key_bytes)},
                questions={"chat": question},
                channel=ReportChannel.CHAT,
                mailbox_keys=keys,
            )
        except IntakeError as error:  # the receipt category no longer takes reports
            raise ChatError(ChatErrorCode.NO_CATEGORY, error.message) from error
        Chat.objects.filter(pk=chat.pk).update(report=submission.report)
        if not locked.is_finished:
            _finish_fields(chat, ChatStatus.ENDED)
        _event(chat, ChatEvent.RECEIPT)
    chat.refresh_from_db()
    return submission.receipt


def chat_destroy(*, chat: Chat) -> None:
    """Crypto-shred the chat's key and wipe the ciphertext; the rows stay for figures."""
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        if locked.destroyed_at is not None:
            return
        data_key_destroy(data_key=locked.data_key)
        ChatMessage.objects.filter(chat=chat).update(sealed_body=b"")
        Chat.objects.filter(pk=chat.pk).update(destroyed_at=timezone.now())
        audit_record(actor=None, action="chat.destroyed", target=chat)


def chats_purge(*, now: datetime | None = None) -> int:
    """Destroy every finished chat past its line's chat retention; returns how many.

    Registered with intake's daily retention purge. Idempotent: each chat is
    checked again under its lock.
    """
    now = now or timezone.now()
    chats_time_out(now=now)
    count = 0
    finished = Chat.objects.filter(status__in=FINISHED, destroyed_at__isnull=True)
    for chat in finished.select_related("line__chat_settings"):
        keep = timedelta(days=chat.line.chat_settings.retention_days)
        if chat.ended_at and chat.ended_at + keep <= now:
            chat_destroy(chat=chat)
            count += 1
    return count


def contact_register(
    *,
    line: Line,
    actor: StaffUser,
    contact_type: ContactType,
    has_follow_up: bool,
    chat: Chat | None = None,
) -> ContactRegistration:
    """Record a contact moment: after a chat, or by hand for a phone call (chat None)."""
    if contact_type.line_id != line.pk or (chat is not None and chat.line_id != line.pk):
        raise ChatError(ChatErrorCode.NOT_ALLOWED, _("This contact type is not of this line."))
    if not LineMembership.objects.filter(line=line, user=actor).exists():
        raise ChatError(ChatErrorCode.NOT_ALLOWED, _("You do not work on this line."))
    with transaction.atomic():
        if chat is not None:
            updated = Chat.objects.filter(
                pk=chat.pk, is_contact_registered=False, status__in=FINISHED
            ).update(is_contact_registered=True)
            if not updated:
                raise ChatError(
                    ChatErrorCode.CONFLICT, _("This chat is still running or already registered.")
                )
        registration = ContactRegistration.objects.create(
            line=line,
            contact_type=contact_type,
            channel=ContactChannel.CHAT if chat else ContactChannel.PHONE,
            has_follow_up=has_follow_up,
            month=month_start(timezone.localdate()),
        )
        audit_record(actor=actor, action="chat.contact_registered", target=registration)
    return registration


def survey_answer(*, access: ReporterAccess, answers: dict[str, bool]) -> None:
    """Add the reporter's answers to the month's counts; once per chat, nothing else kept."""
    chat = access.chat
    month = month_start(timezone.localdate())
    with transaction.atomic():
        updated = Chat.objects.filter(
            pk=chat.pk, is_survey_answered=False, status__in=FINISHED
        ).update(is_survey_answered=True)
        if not updated:
            raise ChatError(ChatErrorCode.CONFLICT, _("You have already answered, thank you."))
        for question, is_yes in answers.items():
            SurveyQuestion(question)  # only known questions
            counter, _created = SurveyCount.objects.get_or_create(
                line_id=chat.line_id, month=month, question=question, is_yes=is_yes
            )
            SurveyCount.objects.filter(pk=counter.pk).update(count=F("count") + 1)
    chat.refresh_from_db()
