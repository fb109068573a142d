"""The chat's rules, on the real database with real crypto."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from meldpunt.chat import selectors, services
from meldpunt.chat.hours import chat_is_open, chat_next_opening
from meldpunt.chat.models import (
    Author,
    Chat,
    ChatEvent,
    ChatMessage,
    ChatStatus,
    ClosedDay,
    ContactChannel,
    ContactType,
    OpeningHours,
)
from meldpunt.chat.services import ChatError, ChatErrorCode
from meldpunt.intake import services as intake_services
from meldpunt.intake.models import ReportChannel
from meldpunt.intake.retention_tasks import purge_expired_reports
from meldpunt.intake.services import mailbox_open, report_content
from meldpunt.testing import make_staff
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import AuditEvent, KeyGrant

from .factories import make_chat_line, unlocked_key

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def _local(*args) -> datetime:
    return timezone.make_aware(datetime(*args), TZ)


def _line_with_office_hours():
    line = make_chat_line(always_open=False)
    for weekday in range(5):  # Monday to Friday, 9 to 17
        OpeningHours.objects.create(line=line, weekday=weekday, opens=time(9), closes=time(17))
    return line


def test_chat_opens_only_in_opening_hours_and_not_on_closed_days():
    line = _line_with_office_hours()
    # 2026-12-07 is a Monday.
    assert chat_is_open(line, now=_local(2026, 12, 7, 10, 0))
    assert not chat_is_open(line, now=_local(2026, 12, 7, 17, 0))
    assert not chat_is_open(line, now=_local(2026, 12, 6, 12, 0))  # Sunday
    ClosedDay.objects.create(line=line, day=datetime(2026, 12, 7).date(), name="Feestdag")
    assert not chat_is_open(line, now=_local(2026, 12, 7, 10, 0))
    # Saturday evening: next opening skips Sunday and the closed Monday.
    opening = chat_next_opening(line, now=_local(2026, 12, 5, 20, 0))
    assert opening.starts == _local(2026, 12, 8, 9, 0)
    assert opening.ends == _local(2026, 12, 8, 17, 0)


def test_chat_started_outside_opening_hours_is_refused_and_nothing_stored():
    line = _line_with_office_hours()
    with pytest.raises(ChatError) as refused:
        services.chat_start(line=line, language="nl", now=_local(2026, 12, 6, 12, 0))
    assert refused.value.code == ChatErrorCode.CLOSED
    assert not Chat.objects.exists()


def _start(line, language="nl"):
    chat, token = services.chat_start(line=line, language=language)
    return services.chat_for_token(token), token


@pytest.mark.django_db(transaction=True)
def test_a_receipts_slow_derivation_runs_before_the_chat_is_locked(monkeypatch):
    """Argon2id and a wait in its queue take seconds; under the chat's lock (on SQLite
    the whole database's write lock) every other write would wait for them."""
    line = make_chat_line()
    access, _t = _start(line)
    posted, writers, refused = threading.Event(), [], []
    derive = intake_services.receipt_derive

    def post_meanwhile() -> None:
        try:
            services.reporter_message_post(access=access, body="Nog iets: de auto is rood")
            posted.set()
        except ChatError as error:  # the chat became a report first
            refused.append(error.code)
        finally:
            connection.close()

    def derive_while_the_reporter_writes(receipt):
        writers.append(threading.Thread(target=post_meanwhile))
        writers[-1].start()
        posted.wait(timeout=5)
        return derive(receipt)

    monkeypatch.setattr(intake_services, "receipt_derive", derive_while_the_reporter_writes)
    receipt = services.chat_receipt(access=access)
    monkeypatch.undo()
    for writer in writers:
        writer.join()
    assert posted.is_set() and refused == []  # not held up by a lock around the derivation
    mailbox = mailbox_open(receipt=receipt)
    # Posted before the transcript was taken, so it is in the report.
    transcript = report_content(report=mailbox.report, key_bytes=mailbox.key_bytes)["answers"]
    assert "de auto is rood" in transcript["chat"]


def test_messages_are_sealed_for_the_line_and_the_reporters_token_only():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    outsider = make_staff(lines=[make_chat_line()])
    access, token = _start(line)
    chat = access.chat
    services.chat_pick_up(chat=chat, actor=analyst)
    staff_key = services.staff_chat_key(chat=chat, user=analyst, private_key=unlocked_key(analyst))
    services.reporter_message_post(access=access, body="Mijn buurman dealt drugs")
    services.staff_message_post(
        chat=chat, actor=analyst, key_bytes=staff_key, body="Sinds wanneer?"
    )

    stored = list(ChatMessage.objects.filter(chat=chat).exclude(author="system"))
    assert len(stored) == 2
    assert all(b"buurman" not in bytes(m.sealed_body) for m in stored)
    assert all(b"wanneer" not in bytes(m.sealed_body) for m in stored)
    # The reporter's token and the analyst's key both open every message.
    again = services.chat_for_token(token)
    assert [services.message_text(message=m, key_bytes=again.key_bytes) for m in stored] == [
        "Mijn buurman dealt drugs",
        "Sinds wanneer?",
    ]
    assert staff_key == again.key_bytes
    # A member of another line holds no grant; a wrong token finds nothing.
    with pytest.raises(NoKeyError):
        services.staff_chat_key(chat=chat, user=outsider, private_key=unlocked_key(outsider))
    # The first character carries six bits of the key (the last only four and
    # padding): changing it always changes the token's bytes.
    wrong = ("B" if token[0] == "A" else "A") + token[1:]
    assert services.chat_for_token(wrong) is None
    assert services.chat_for_token("not a token") is None
    assert KeyGrant.objects.filter(data_key=chat.data_key, is_reporter=True).count() == 1


def test_queue_position_counts_waiting_chats_of_the_line_only():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    first, _t = _start(line)
    _start(make_chat_line())  # another line's queue
    second, _t = _start(line)
    third, _t = _start(line)
    assert [selectors.queue_position(a.chat) for a in (first, second, third)] == [1, 2, 3]
    services.chat_pick_up(chat=first.chat, actor=analyst)
    second.chat.refresh_from_db()
    third.chat.refresh_from_db()
    assert selectors.queue_position(first.chat) == 0
    assert [selectors.queue_position(a.chat) for a in (second, third)] == [1, 2]


def test_a_chat_is_picked_up_once_and_several_chats_at_once_are_fine():
    line = make_chat_line()
    analyst, colleague = make_staff(lines=[line]), make_staff(lines=[line])
    one, _t = _start(line)
    two, _t = _start(line)
    services.chat_pick_up(chat=one.chat, actor=analyst)
    with pytest.raises(ChatError) as conflict:
        services.chat_pick_up(chat=one.chat, actor=colleague)
    assert conflict.value.code == ChatErrorCode.CONFLICT
    services.chat_pick_up(chat=two.chat, actor=analyst)
    assert set(selectors.chats_of(analyst)) == {one.chat, two.chat}


def test_hand_over_moves_the_chat_and_only_to_a_colleague_of_the_line():
    line = make_chat_line()
    analyst, colleague = make_staff(lines=[line]), make_staff(lines=[line])
    stranger = make_staff(lines=[make_chat_line()])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    with pytest.raises(ChatError):
        services.chat_hand_over(chat=access.chat, actor=analyst, colleague=stranger)
    services.chat_hand_over(chat=access.chat, actor=analyst, colleague=colleague)
    assert access.chat.staff == colleague
    # The old holder can no longer write.
    key = services.staff_chat_key(chat=access.chat, user=analyst, private_key=unlocked_key(analyst))
    with pytest.raises(ChatError):
        services.staff_message_post(chat=access.chat, actor=analyst, key_bytes=key, body="Hallo")
    events = list(access.chat.messages.values_list("event", flat=True))
    assert events == [ChatEvent.PICKED_UP, ChatEvent.HANDED_OVER]


def test_message_flood_is_limited_per_chat_and_per_minute():
    line = make_chat_line(max_messages_per_minute=3)
    access, _t = _start(line)
    other, _t = _start(line)
    now = timezone.now().replace(second=5)
    for number in range(3):
        services.reporter_message_post(access=access, body=f"bericht {number}", now=now)
    with pytest.raises(ChatError) as flood:
        services.reporter_message_post(access=access, body="nog een", now=now)
    assert flood.value.code == ChatErrorCode.FLOOD
    assert access.chat.messages.count() == 3
    # Another chat is not affected, and the next minute this one may go on.
    services.reporter_message_post(access=other, body="hallo", now=now)
    services.reporter_message_post(access=access, body="later", now=now + timedelta(minutes=1))
    assert access.chat.messages.count() == 4


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("x" * 101, ChatErrorCode.TOO_LONG),
        ("hallo\x00daar", ChatErrorCode.CONTROL_CHARACTERS),
        ("bel\x1b[31m", ChatErrorCode.CONTROL_CHARACTERS),
        ("stil\u0085", ChatErrorCode.CONTROL_CHARACTERS),
    ],
)
def test_overlong_messages_and_control_characters_are_refused(body, code):
    access, _t = _start(make_chat_line(max_message_chars=100))
    with pytest.raises(ChatError) as refused:
        services.reporter_message_post(access=access, body=body)
    assert refused.value.code == code
    assert not access.chat.messages.exists()
    services.reporter_message_post(access=access, body="regel 1\nregel 2\tmet tab")


def test_a_reporter_who_goes_away_times_out_and_the_minute_is_forgotten():
    line = make_chat_line(reporter_timeout_minutes=3)
    analyst = make_staff(lines=[line])
    gone, _t = _start(line)
    present, _t = _start(line)
    services.chat_pick_up(chat=gone.chat, actor=analyst)
    later = timezone.now() + timedelta(minutes=4)
    services.chat_reporter_seen(chat=present.chat, now=later)
    assert services.chats_time_out(now=later) == 1
    gone.chat.refresh_from_db()
    present.chat.refresh_from_db()
    assert gone.chat.status == ChatStatus.TIMED_OUT
    assert gone.chat.reporter_seen_at is None and gone.chat.flood_window_start is None
    assert gone.chat.messages.last().event == ChatEvent.TIMED_OUT
    assert present.chat.status == ChatStatus.WAITING
    with pytest.raises(ChatError):
        services.reporter_message_post(access=gone, body="nog daar?")


def test_chats_go_back_to_the_queue_when_their_holder_is_released():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    assert services.chats_release(staff=analyst) == 1
    access.chat.refresh_from_db()
    assert access.chat.status == ChatStatus.WAITING and access.chat.staff is None
    assert selectors.queue_position(access.chat) == 1


def test_receipt_turns_the_chat_into_a_report_whose_mailbox_holds_the_transcript():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    key = services.staff_chat_key(chat=access.chat, user=analyst, private_key=unlocked_key(analyst))
    services.reporter_message_post(access=access, body="Er wordt gedeald in de garage")
    services.staff_message_post(
        chat=access.chat, actor=analyst, key_bytes=key, body="Welke garage?"
    )
    receipt = services.chat_receipt(access=access)
    with pytest.raises(ChatError):
        services.chat_receipt(access=access)  # one report per chat
    mailbox = mailbox_open(receipt=receipt)
    transcript = report_content(report=mailbox.report, key_bytes=mailbox.key_bytes)["answers"]
    assert "Er wordt gedeald in de garage" in transcript["chat"]
    assert "Welke garage?" in transcript["chat"]
    assert access.chat.report == mailbox.report
    assert mailbox.report.line == line
    assert mailbox.report.channel == ReportChannel.CHAT


def test_purge_destroys_transcripts_after_the_chat_retention_period():
    line = make_chat_line(retention_days=7)
    analyst = make_staff(lines=[line])
    access, token = _start(line)
    recent, _t = _start(line)
    services.reporter_message_post(access=access, body="geheim verhaal")
    services.chat_pick_up(chat=access.chat, actor=analyst)
    services.chat_end(chat=access.chat, actor=analyst)
    services.chat_reporter_leave(access=recent)
    assert services.chats_purge(now=timezone.now() + timedelta(days=6)) == 0
    assert services.chats_purge(now=timezone.now() + timedelta(days=8)) == 2
    assert services.chats_purge(now=timezone.now() + timedelta(days=9)) == 0  # idempotent
    chat = Chat.objects.get(pk=access.chat.pk)
    assert chat.destroyed_at is not None
    assert not KeyGrant.objects.filter(data_key=chat.data_key).exists()
    assert all(bytes(m.sealed_body) == b"" for m in chat.messages.all())
    assert services.chat_for_token(token) is None


def test_contact_registrations_and_survey_are_counted_per_line_and_month():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    worried, general = ContactType.objects.filter(line=line).order_by("order")
    access, _t = _start(line)
    with pytest.raises(ChatError):  # still running
        services.contact_register(
            line=line, actor=analyst, contact_type=worried, has_follow_up=True, chat=access.chat
        )
    services.chat_reporter_leave(access=access)
    services.contact_register(
        line=line, actor=analyst, contact_type=worried, has_follow_up=True, chat=access.chat
    )
    with pytest.raises(ChatError):  # once per chat
        services.contact_register(
            line=line, actor=analyst, contact_type=worried, has_follow_up=True, chat=access.chat
        )
    services.contact_register(line=line, actor=analyst, contact_type=general, has_follow_up=False)
    services.survey_answer(access=access, answers={"satisfied": True, "recommend": False})
    with pytest.raises(ChatError):
        services.survey_answer(access=access, answers={"satisfied": True})
    month = timezone.localdate().replace(day=1)
    figures = selectors.contact_figures(line=line, month=month)
    assert [(f.contact_type, f.channel, f.has_follow_up, f.count) for f in figures] == [
        ("Algemene informatie", ContactChannel.PHONE, False, 1),
        ("Zorgen over iemand anders", ContactChannel.CHAT, True, 1),
    ]
    survey = {f.question: (f.yes, f.no) for f in selectors.survey_figures(line=line, month=month)}
    assert survey == {"satisfied": (1, 0), "feel_better": (0, 0), "recommend": (0, 1)}
    assert selectors.chat_counts(line=line, month=month) == {ChatStatus.ENDED: 1}


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_the_daily_retention_purge_task_also_destroys_expired_chats():
    line = make_chat_line(retention_days=0)
    access, _t = _start(line)
    services.reporter_message_post(access=access, body="weg ermee")
    services.chat_reporter_leave(access=access)
    Chat.objects.filter(pk=access.chat.pk).update(ended_at=timezone.now() - timedelta(hours=1))
    purge_expired_reports.enqueue()
    chat = Chat.objects.get(pk=access.chat.pk)
    assert chat.destroyed_at is not None
    assert bytes(chat.messages.exclude(author="system").get().sealed_body) == b""


def test_a_receipt_ends_the_chat_and_later_messages_are_refused_pointing_to_the_mailbox():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    key = services.staff_chat_key(chat=access.chat, user=analyst, private_key=unlocked_key(analyst))
    services.reporter_message_post(access=access, body="Voor de bon")
    receipt = services.chat_receipt(access=access)
    assert access.chat.status == ChatStatus.ENDED and access.chat.ended_at is not None
    for post in (
        lambda: services.reporter_message_post(access=access, body="Na de bon"),
        lambda: services.staff_message_post(
            chat=access.chat, actor=analyst, key_bytes=key, body="Na de bon (staf)"
        ),
    ):
        with pytest.raises(ChatError) as refused:
            post()
        assert refused.value.code == ChatErrorCode.FINISHED
        assert "postbus van de melding" in refused.value.message  # Dutch, the default
    # Nothing after the receipt was stored, and the report holds what came before.
    assert access.chat.messages.filter(author=Author.REPORTER).count() == 1
    events = list(access.chat.messages.exclude(event="").values_list("event", flat=True))
    assert events[-1] == ChatEvent.RECEIPT
    mailbox = mailbox_open(receipt=receipt)
    assert (
        "Voor de bon"
        in report_content(report=mailbox.report, key_bytes=mailbox.key_bytes)["answers"]["chat"]
    )


def test_a_receipt_after_the_chat_ended_keeps_it_ended_as_it_was():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    services.chat_end(chat=access.chat, actor=analyst)
    services.chat_receipt(access=access)
    access.chat.refresh_from_db()
    assert access.chat.status == ChatStatus.ENDED and access.chat.report is not None


def test_pick_up_by_a_member_who_joined_the_line_after_the_chat_started_is_refused_clearly():
    line = make_chat_line()
    access, _t = _start(line)
    newcomer = make_staff(lines=[line])  # joined after the chat's key was sealed
    with pytest.raises(ChatError) as refused:
        services.chat_pick_up(chat=access.chat, actor=newcomer)
    assert refused.value.code == ChatErrorCode.NO_KEY
    assert "voordat u bij de lijn kwam" in refused.value.message  # Dutch, the default
    access.chat.refresh_from_db()
    assert access.chat.status == ChatStatus.WAITING and access.chat.staff is None
    assert not access.chat.messages.exists()


def test_hand_over_seals_the_chats_key_for_a_colleague_who_joined_the_line_later():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    access, _t = _start(line)
    services.chat_pick_up(chat=access.chat, actor=analyst)
    key = services.staff_chat_key(chat=access.chat, user=analyst, private_key=unlocked_key(analyst))
    services.reporter_message_post(access=access, body="Vraag van de melder")
    newcomer = make_staff(lines=[line])
    with pytest.raises(NoKeyError):
        services.staff_chat_key(chat=access.chat, user=newcomer, private_key=unlocked_key(newcomer))
    # Without the holder's opened key there is nothing to seal: refused, nothing moves.
    with pytest.raises(ChatError) as refused:
        services.chat_hand_over(chat=access.chat, actor=analyst, colleague=newcomer)
    assert refused.value.code == ChatErrorCode.NO_KEY
    assert access.chat.staff == analyst
    services.chat_hand_over(chat=access.chat, actor=analyst, colleague=newcomer, key_bytes=key)
    assert access.chat.staff == newcomer
    opened = services.staff_chat_key(
        chat=access.chat, user=newcomer, private_key=unlocked_key(newcomer)
    )
    message = access.chat.messages.get(author=Author.REPORTER)
    assert services.message_text(message=message, key_bytes=opened) == "Vraag van de melder"
    services.staff_message_post(chat=access.chat, actor=newcomer, key_bytes=opened, body="Dag")
    assert KeyGrant.objects.filter(data_key=access.chat.data_key, user=newcomer).count() == 1


def test_an_absent_holders_chat_goes_back_to_the_queue_and_a_present_ones_stays():
    """A closed laptop or an expired session signs nothing out: the page's silence counts."""
    line = make_chat_line(staff_timeout_minutes=5)
    away, present = make_staff(lines=[line]), make_staff(lines=[line])
    left, _t = _start(line)
    kept, _t = _start(line)
    services.chat_pick_up(chat=left.chat, actor=away)
    services.chat_pick_up(chat=kept.chat, actor=present)
    later = timezone.now() + timedelta(minutes=6)
    for access in (left, kept):  # both reporters are still there
        services.chat_reporter_seen(chat=access.chat, now=later)
    services.chat_staff_seen(chat=kept.chat, user=present, now=later - timedelta(minutes=1))
    # Another member's look does not keep a chat that is not theirs.
    services.chat_staff_seen(chat=left.chat, user=present, now=later)

    assert services.chats_time_out(now=later) == 0  # nothing timed out: one went back
    left.chat.refresh_from_db()
    kept.chat.refresh_from_db()
    assert left.chat.status == ChatStatus.WAITING and left.chat.staff is None
    assert left.chat.messages.last().event == ChatEvent.RETURNED
    assert selectors.queue_position(left.chat) == 1
    assert kept.chat.status == ChatStatus.ACTIVE and kept.chat.staff == present
    event = AuditEvent.objects.filter(action="chat.returned").get()
    assert event.actor_id is None and event.details == {"holder": away.pk, "absent": True}
    # The next colleague picks it up and it is theirs.
    services.chat_pick_up(chat=left.chat, actor=present)
    left.chat.refresh_from_db()
    assert left.chat.staff == present and left.chat.staff_seen_at is not None
