"""Anonymous live chat: per-line opening hours, the chat, its sealed messages, and
the anonymous figures staff record afterwards.

Nothing about the reporter's device is stored. A chat is held by a random token
that only the reporter's browser carries (a cookie); the database keeps a hash
of it. Message text is sealed under the chat's own data key for the line's
members and the reporter (vault), so a copy of the database reads nothing.
Times the reporter causes are kept to the hour, except ``reporter_seen_at`` and
the flood window, which a running chat needs to the minute and which are
cleared as soon as it ends (as is ``staff_seen_at``, the holder's presence).
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import Category, Line, localized
from meldpunt.vault.models import DataKey, StaffUser, hour_now


class ChatSettings(models.Model):
    """How a line's chat runs; a line without these has no chat."""

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="chat_settings")
    is_enabled = models.BooleanField(_("chat enabled"), default=True)
    receipt_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category of reports made from a chat"),
        help_text=_("When a reporter asks for a receipt, the chat becomes a report here."),
    )
    retention_days = models.PositiveIntegerField(
        _("days a transcript is kept after the chat"),
        default=7,
        help_text=_("A transcript without a receipt is destroyed after this many days."),
    )
    reporter_timeout_minutes = models.PositiveSmallIntegerField(
        _("minutes before a silent reporter's chat times out"), default=3
    )
    staff_timeout_minutes = models.PositiveSmallIntegerField(
        _("minutes before an absent staff member's chat goes back to the queue"),
        default=5,
        help_text=_(
            "A chat whose holder's page stopped asking for news (a closed laptop, an "
            "expired session) waits for the next colleague instead of for nobody."
        ),
    )
    max_messages_per_minute = models.PositiveSmallIntegerField(
        _("messages per minute from the reporter"), default=10
    )
    max_message_chars = models.PositiveIntegerField(_("maximum message length"), default=2000)

    class Meta:
        verbose_name = _("chat settings")
        verbose_name_plural = _("chat settings")

    def __str__(self) -> str:
        return str(self.line)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a line's chat on a weekday, in local time."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="chat_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("chat opening hours")
        verbose_name_plural = _("chat opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="chat_hours_open_before_close",
            )
        ]


class ClosedDay(models.Model):
    """A holiday or other day on which the chat stays closed whatever the weekday."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="chat_closed_days")
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("chat closed day")
        verbose_name_plural = _("chat closed days")
        constraints = [models.UniqueConstraint(fields=["line", "day"], name="chat_closed_day")]


class CannedAnswer(models.Model):
    """A prepared staff answer, per line and language."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="chat_canned_answers")
    language = models.CharField(_("language"), max_length=5, choices=[("nl", "nl"), ("en", "en")])
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")

    def __str__(self) -> str:
        return self.title


class ContactType(models.Model):
    """A kind of contact moment the line registers (e.g. concerned about someone else)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="contact_types")
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("contact type")
        verbose_name_plural = _("contact types")

    def __str__(self) -> str:
        return localized(self, "name")


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    TIMED_OUT = "timed_out", _("Timed out")


FINISHED = (ChatStatus.ENDED, ChatStatus.TIMED_OUT)


class Chat(models.Model):
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="chats")
    status = models.CharField(max_length=10, choices=ChatStatus, default=ChatStatus.WAITING)
    # A hash of the reporter's token: finds the chat, cannot be turned back into the token.
    token_lookup = models.BinaryField(max_length=32, unique=True, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="chat")
    staff = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )
    language = models.CharField(max_length=5, default="nl")
    started_at = models.DateTimeField(default=hour_now)
    ended_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    # Needed to the minute while the chat runs (time-out, flood limit); cleared at the end.
    reporter_seen_at = models.DateTimeField(null=True, blank=True)
    # The minute the holding staff member's page last asked for news (not the
    # reporter's doing); an absent holder's chat goes back to the queue.
    staff_seen_at = models.DateTimeField(null=True, blank=True)
    flood_window_start = models.DateTimeField(null=True, blank=True)
    flood_count = models.PositiveSmallIntegerField(default=0)
    report = models.OneToOneField(
        "intake.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat"
    )
    is_contact_registered = models.BooleanField(default=False)
    is_survey_answered = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["line", "status"])]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    STAFF = "staff", _("Reporting point")
    SYSTEM = "system", _("Notice")


class ChatEvent(models.TextChoices):
    """What a system line in the transcript says; plain codes, never content."""

    PICKED_UP = "picked_up", _("A member of staff joined the chat.")
    HANDED_OVER = "handed_over", _("The chat was handed over to a colleague.")
    RETURNED = "returned", _("The chat went back to the queue; a colleague will take over.")
    ENDED = "ended", _("The chat has ended.")
    TIMED_OUT = "timed_out", _("The reporter left; the chat timed out.")
    REPORTER_LEFT = "reporter_left", _("The reporter ended the chat.")
    RECEIPT = "receipt", _("The reporter asked for a receipt; the chat became a report.")


class ChatMessage(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author)
    staff_author = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=20, choices=ChatEvent, blank=True)
    sealed_body = models.BinaryField(blank=True)
    created_at = models.DateTimeField(default=hour_now)

    class Meta:
        ordering = ["pk"]


class ContactChannel(models.TextChoices):
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")


def month_start(day: date) -> date:
    return day.replace(day=1)


class ContactRegistration(models.Model):
    """One contact moment: its type and whether a follow-up was agreed, by month only."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="contact_registrations")
    contact_type = models.ForeignKey(ContactType, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=ContactChannel)
    has_follow_up = models.BooleanField(_("follow-up appointment made"))
    month = models.DateField()

    class Meta:
        ordering = ["-month", "pk"]
        indexes = [models.Index(fields=["line", "month"])]


class SurveyQuestion(models.TextChoices):
    SATISFIED = "satisfied", _("Were you satisfied with this chat?")
    FEEL_BETTER = "feel_better", _("Do you feel better after this chat?")
    RECOMMEND = "recommend", _("Would you recommend this chat to others?")


class SurveyCount(models.Model):
    """How often a survey question was answered yes or no, per line and month: nothing else."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="chat_survey_counts")
    month = models.DateField()
    question = models.CharField(max_length=20, choices=SurveyQuestion)
    is_yes = models.BooleanField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "month", "question", "is_yes"], name="chat_survey_count"
            )
        ]
