"""Reads of the chat for its pages and for the apps above it (stats reads the figures).

stats sits above chat and imports these; chat never imports stats.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from meldpunt.intake.reporter_links import ReporterLink
from meldpunt.lines.models import Line
from meldpunt.vault.models import KeyGrant, StaffUser

from .hours import chat_is_open
from .models import (
    Chat,
    ChatMessage,
    ChatStatus,
    ContactRegistration,
    SurveyCount,
    SurveyQuestion,
)


def chat_reporter_link(line: Line) -> ReporterLink | None:
    """A link to the line's chat for intake's pages, only while the chat is open now.

    Outside opening hours nothing is offered: the reporter is already where the
    chat's own closed page would send them (the form).
    """
    if not chat_is_open(line):
        return None
    return ReporterLink(
        url=reverse("chat:line", args=[line.slug]),
        label=_("Chat with us now"),
        note=_("Anonymous, without an account; you can still ask for a receipt."),
    )


def queue_position(chat: Chat) -> int:
    """1 for the first waiting chat of its line, and so on; 0 once it is no longer waiting."""
    if chat.status != ChatStatus.WAITING:
        return 0
    return (
        Chat.objects.filter(line_id=chat.line_id, status=ChatStatus.WAITING, pk__lt=chat.pk).count()
        + 1
    )


def chat_messages(chat: Chat) -> QuerySet[ChatMessage]:
    return chat.messages.order_by("pk")


def waiting_chats(user: StaffUser, line_ids: list[int]) -> QuerySet[Chat]:
    """Waiting chats of the user's lines, each with ``can_pick_up``.

    A chat is sealed for the line's members when it starts, so someone who joined
    later holds no key and would only be refused: the queue says so instead of
    offering the button.
    """
    holds_key = KeyGrant.objects.filter(data_key_id=OuterRef("data_key_id"), user=user)
    return (
        Chat.objects.filter(line_id__in=line_ids, status=ChatStatus.WAITING)
        .annotate(can_pick_up=Exists(holds_key))
        .select_related("line")
    )


def chats_of(user: StaffUser) -> QuerySet[Chat]:
    """The chats a member of staff is in right now (several at once)."""
    return Chat.objects.filter(staff=user, status=ChatStatus.ACTIVE).select_related("line")


def chats_to_register(user: StaffUser, line_ids: list[int]) -> QuerySet[Chat]:
    """Finished chats of the lines whose contact moment nobody has recorded yet."""
    return Chat.objects.filter(
        line_id__in=line_ids,
        status__in=[ChatStatus.ENDED, ChatStatus.TIMED_OUT],
        is_contact_registered=False,
        destroyed_at__isnull=True,
    ).select_related("line")


@dataclass(frozen=True)
class ContactFigure:
    contact_type: str
    channel: str
    has_follow_up: bool
    count: int


def contact_figures(*, line: Line, month: date) -> list[ContactFigure]:
    """Contact moments of a line in one month (month = its first day), by type and channel."""
    rows = (
        ContactRegistration.objects.filter(line=line, month=month)
        .values("contact_type__name", "channel", "has_follow_up")
        .annotate(count=Count("pk"))
        .order_by("contact_type__name", "channel", "has_follow_up")
    )
    return [
        ContactFigure(
            contact_type=row["contact_type__name"],
            channel=row["channel"],
            has_follow_up=row["has_follow_up"],
            count=row["count"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class SurveyFigure:
    question: str
    yes: int
    no: int

    @property
    def percentage_yes(self) -> int | None:
        total = self.yes + self.no
        return round(100 * self.yes / total) if total else None


def survey_figures(*, line: Line, month: date) -> list[SurveyFigure]:
    """Yes and no per survey question for a line and month (month = its first day)."""
    counts = {
        (row["question"], row["is_yes"]): row["total"]
        for row in SurveyCount.objects.filter(line=line, month=month)
        .values("question", "is_yes")
        .annotate(total=Sum("count"))
    }
    return [
        SurveyFigure(
            question=question.value,
            yes=counts.get((question.value, True), 0),
            no=counts.get((question.value, False), 0),
        )
        for question in SurveyQuestion
    ]


def chat_counts(*, line: Line, month: date) -> dict[str, int]:
    """How many chats of a line started in a month, by how they finished or stand."""
    start = month
    end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    rows = (
        Chat.objects.filter(line=line, started_at__date__gte=start, started_at__date__lt=end)
        .values("status")
        .annotate(total=Count("pk"))
    )
    return {row["status"]: row["total"] for row in rows}
