"""The analyst's working state of a report, kept apart from the report itself.

The intake owns ``Report`` (what came in); this app owns what staff do with it:
who holds it, how it was triaged and classified, internal notes and how it was
closed. A ``Case`` row is made the first time someone acts on a report, so the
intake never has to know about the back office.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.intake.models import Report
from meldpunt.lines.models import Line, localized
from meldpunt.vault.models import StaffUser


class TriageOutcome(models.TextChoices):
    """Fixed because the workflow depends on them (usable cases become ready to forward)."""

    USABLE = "usable", _("Usable")
    NOT_USABLE = "not_usable", _("Not usable")
    DUPLICATE = "duplicate", _("Duplicate")
    FALSE = "false", _("False report")
    NOT_ILLEGAL = "not_illegal", _("Not illegal")
    NEEDS_INFORMATION = "needs_information", _("Needs information")


class CloseOutcome(models.TextChoices):
    HANDLED = "handled", _("Handled")
    FORWARDED = "forwarded", _("Forwarded to a partner")
    NOT_USABLE = "not_usable", _("Not usable")
    DUPLICATE = "duplicate", _("Duplicate of another report")
    FALSE = "false", _("False report")
    NOT_ILLEGAL = "not_illegal", _("Not illegal")
    NO_RESPONSE = "no_response", _("No answer from the reporter")


class LinkKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up report")
    DUPLICATE = "duplicate", _("Duplicate")


class Case(models.Model):
    """Back-office state of one report.

    ``version`` is raised by every change; a change names the version it was
    based on and is refused when someone else changed the case in between.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="case")
    version = models.PositiveIntegerField(default=0)
    assignee = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    triage_outcome = models.CharField(max_length=20, choices=TriageOutcome, blank=True)
    link_kind = models.CharField(max_length=20, choices=LinkKind, blank=True)
    # Four-eyes review: who judged the report usable, and the colleague who agreed.
    triaged_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_outcome = models.CharField(max_length=20, choices=CloseOutcome, blank=True)
    # Encrypted with the report's data key: a reason may repeat report content.
    sealed_close_reason = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return str(self.report)


class LineCaseSettings(models.Model):
    """How the back office works for one line (kept here, not on the line itself)."""

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="case_settings")
    requires_review = models.BooleanField(
        _("four-eyes review before forwarding"),
        default=False,
        help_text=_("A second analyst must agree before a usable report is ready to forward."),
    )

    class Meta:
        verbose_name = _("back-office settings")
        verbose_name_plural = _("back-office settings")

    def __str__(self) -> str:
        return str(self.line)


class ClassificationScheme(models.Model):
    """One axis along which a line classifies its reports (e.g. assessment, age group)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="classification_schemes")
    slug = models.SlugField(_("slug"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    allows_multiple = models.BooleanField(_("more than one option may apply"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "slug"], name="scheme_slug_per_line")
        ]
        verbose_name = _("classification scheme")
        verbose_name_plural = _("classification schemes")

    def __str__(self) -> str:
        return f"{self.line} / {self.name}"

    @property
    def title(self) -> str:
        return localized(self, "name")


class ClassificationOption(models.Model):
    scheme = models.ForeignKey(
        ClassificationScheme, on_delete=models.CASCADE, related_name="options"
    )
    slug = models.SlugField(_("slug"))
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired options stay on classified cases.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "slug"], name="option_slug_per_scheme")
        ]
        verbose_name = _("classification option")
        verbose_name_plural = _("classification options")

    def __str__(self) -> str:
        return self.label

    @property
    def title(self) -> str:
        return localized(self, "label")


class CaseClassification(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classifications")
    option = models.ForeignKey(ClassificationOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "option"], name="one_classification_per_option")
        ]


class QuestionTemplate(models.Model):
    """A prepared question to the reporter, per line and language."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="question_templates")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    is_control_question = models.BooleanField(
        _("control question"),
        default=False,
        help_text=_("Checks whether the reporter really knows what they reported."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["language", "order", "pk"]
        verbose_name = _("question template")
        verbose_name_plural = _("question templates")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class CaseNote(models.Model):
    """An internal note; encrypted like the report, never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealed_body = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class NotificationSetting(models.Model):
    """A staff member's choice of how to hear that something is waiting."""

    user = models.OneToOneField(
        StaffUser, on_delete=models.CASCADE, related_name="notification_setting"
    )
    by_email = models.BooleanField(_("by e-mail"), default=True)


class NotificationWatermark(models.Model):
    """How far the collector has looked: the newest report and message it has seen.

    Primary keys only grow, so they mark progress exactly even though report and
    message times are rounded to the hour.
    """

    last_report_id = models.PositiveBigIntegerField(default=0)
    last_message_id = models.PositiveBigIntegerField(default=0)


class StaffNotification(models.Model):
    """One mail to one staff member saying that something waits in one line.

    While a notification is unsent, further news for the same person and line
    joins it (batching). Failed sends are retried with growing pauses and stay
    visible to administrators until they succeed.
    """

    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "line"],
                condition=models.Q(sent_at__isnull=True),
                name="one_unsent_notification_per_user_and_line",
            )
        ]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]
