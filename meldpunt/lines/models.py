"""Lines, their categories and questionnaires, and who works on them.

Configurable text is kept in Dutch (the default language) with an optional
English version in a twin field ending in ``_en``; ``localized`` picks the one
for the active language.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.formats import FORMATS_BY_NAME


def localized(obj: models.Model, field: str) -> str:
    """The English twin of a text field when English is active and it is filled in."""
    if (get_language() or "nl").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


class LineKind(models.TextChoices):
    TIPS = "tips", _("Crime tips")
    CONFIDENTIAL = "confidential", _("Confidential line")
    CONTENT_HOTLINE = "content_hotline", _("Illegal content hotline")


class FileNames(models.TextChoices):
    """What happens to the names of reporters' files (issue 11 item 4)."""

    REVIEWED = "reviewed", _("Kept, after the reporter reviewed them (rename or drop)")
    NEUTRAL = "neutral", _("Replaced by neutral names (file-1.jpg)")


class TrackedChanges(models.TextChoices):
    """What happens to an office document with tracked changes (issue 19)."""

    ACCEPT = "accept", _("Accepted: stored as it reads with every change accepted")
    REFUSE = "refuse", _("Refused: the reporter accepts or rejects them and sends it again")


class Described(models.Model):
    """A name and description that reporters see, in Dutch and optionally English."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return localized(self, "name")

    @property
    def summary(self) -> str:
        return localized(self, "description")


class Line(Described):
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind, default=LineKind.TIPS)
    is_active = models.BooleanField(_("open to reporters"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    max_files = models.PositiveSmallIntegerField(_("maximum files per submission"), default=10)
    max_file_mb = models.PositiveIntegerField(_("maximum file size (MB)"), default=100)
    allowed_file_formats = models.JSONField(
        _("accepted file formats"),
        default=list,
        blank=True,
        help_text=_("Format names such as jpeg, png, mp4, pdf; empty accepts every supported one."),
    )
    keep_uncleaned_files = models.BooleanField(
        _("keep files that cannot be cleaned"),
        default=False,
        help_text=_(
            "Keep unknown, damaged or protected files as they came, marked for staff only, "
            "instead of refusing them."
        ),
    )
    file_names = models.CharField(
        _("file names"),
        max_length=10,
        choices=FileNames,
        default=FileNames.REVIEWED,
        help_text=_(
            "A file's name can say who took it or where (bewijs_buurman_Kerkstraat12.jpg). "
            "Reviewed: the reporter sees each name with a warning and may rename or drop "
            "the file. Neutral: names are replaced and the original is never stored."
        ),
    )
    tracked_changes = models.CharField(
        _("tracked changes in documents"),
        max_length=10,
        choices=TrackedChanges,
        default=TrackedChanges.ACCEPT,
        help_text=_(
            "Tracked deletions can hold what the writer took out on purpose, their own name "
            "included. Accepted: insertions are kept and deletions dropped, and staff see how "
            "many there were. Refused: the reporter is asked to accept or reject the changes "
            "and send the document again; the rest of the report is kept."
        ),
    )
    retention_days_after_close = models.PositiveIntegerField(
        _("days content is kept after closing"), default=365
    )
    retention_days_open = models.PositiveIntegerField(
        _("maximum days content is kept for an unclosed report"), default=1095
    )
    acknowledge_days = models.PositiveSmallIntegerField(_("acknowledge within days"), default=7)
    feedback_days = models.PositiveSmallIntegerField(_("feedback within days"), default=90)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.allowed_file_formats or []) - set(FORMATS_BY_NAME))
        if unknown:
            raise ValidationError(
                {
                    "allowed_file_formats": _("Unknown file formats: %(names)s. Known: %(known)s.")
                    % {"names": ", ".join(unknown), "known": ", ".join(FORMATS_BY_NAME)}
                }
            )


class Category(Described):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(_("slug"))
    is_public = models.BooleanField(
        _("open to the public"),
        default=False,
        help_text=_("Categories are opened step by step; closed ones accept no reports."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["line", "slug"], name="category_slug_per_line")
        ]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.line} / {self.name}"

    @property
    def is_open(self) -> bool:
        return self.is_public and self.line.is_active


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Choice")
    DATE = "date", _("Date")
    MUNICIPALITY = "municipality", _("Location (municipality)")
    POSTCODE = "postcode", _("Location (postcode)")
    YES_NO = "yes_no", _("Yes / no")
    FILE = "file", _("Files")
    WEB_ADDRESSES = "web_addresses", _("Web addresses (one per line)")
    # Short text asking where something happens: the review step does not warn about the
    # address it asked for, it asks once whether the reporter lives or works there.
    ADDRESS = "address", _("Address or place")


class Question(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        _("key"), help_text=_("Stable name of the answer in exports and the API.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind)
    label = models.CharField(_("question"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    help_text_en = models.TextField(_("help text (English)"), blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choice questions: [{"value": "...", "label": "...", "label_en": "..."}]'),
    )
    max_length = models.PositiveIntegerField(_("maximum length"), default=10000)
    shown_if_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        verbose_name=_("shown only if question"),
    )
    shown_if_value = models.CharField(_("has the answer"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "key"], name="question_key_per_category")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def text(self) -> str:
        return localized(self, "label")

    @property
    def help(self) -> str:
        return localized(self, "help_text")

    def localized_choices(self) -> list[tuple[str, str]]:
        english = (get_language() or "nl").startswith("en")
        return [
            (c["value"], (c.get("label_en") if english else None) or c.get("label", c["value"]))
            for c in self.choices
        ]


class Municipality(models.Model):
    """A municipality (CBS code, e.g. GM0363), for routing and statistics.

    Municipalities merge: a code that ended stays (old reports and postcodes
    carry it) and points to the municipalities that took it over, so a report
    made before a merger still reaches the municipality that exists now.
    Whether a municipality receives forwards is its partner's connection
    (``network.Partner``), not a property of the municipality.
    """

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    province = models.CharField(_("province"), max_length=60, blank=True)
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        help_text=_("First day it no longer exists (the date of the merger)."),
    )
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("taken over by"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    def exists_on(self, day: date) -> bool:
        return self.ended_on is None or day < self.ended_on


class PostcodeArea(models.Model):
    """How many addresses of a postcode lie in a municipality.

    One row per postcode and municipality, for six-position postcodes
    ("1012AB") and their four-digit areas ("1012"). A four-digit area often
    spans two municipalities; the address counts order the candidates. Filled
    by ``meldpunt regions import`` from CBS's postcode-house-number file.
    """

    postcode = models.CharField(_("postcode"), max_length=6)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="postcode_areas"
    )
    addresses = models.PositiveIntegerField(_("addresses"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["postcode", "municipality"], name="one_row_per_postcode_and_municipality"
            )
        ]
        verbose_name = _("postcode area")
        verbose_name_plural = _("postcode areas")

    def __str__(self) -> str:
        return f"{self.postcode} → {self.municipality_id}"


class LineMembership(models.Model):
    """A staff member's access to one line: the basis for sealing report keys."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="line_memberships"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "user"], name="one_membership")]
        verbose_name = _("line membership")
        verbose_name_plural = _("line memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.line}"

    def clean(self) -> None:
        # Every report of a line is sealed for its members: partner users must not be one.
        if self.user_id is not None and not self.user.may_join_lines:
            raise ValidationError(
                {"user": _("Partner users receive forwards only and cannot join a line.")}
            )
