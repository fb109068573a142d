"""A line's phenomenon-analysis settings and the exports made of it (docs/statistics.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import ClassificationScheme
from meldpunt.lines.models import Line

DEFAULT_EXPORT_MIN_COUNT = 10


class PhenomenonSettings(models.Model):
    """What a line's phenomenon analysis counts, and whether its figures are public."""

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="phenomenon")
    public_figures = models.BooleanField(
        _("public figures page"),
        default=False,
        help_text=_(
            "Show the line's recorded phenomenon exports on a public page, without signing in."
        ),
    )
    schemes = models.ManyToManyField(
        ClassificationScheme,
        verbose_name=_("classifications in the export"),
        blank=True,
        limit_choices_to={"allows_multiple": False},
        help_text=_("Structured answers (one option per report) counted per category."),
    )

    class Meta:
        verbose_name = _("phenomenon analysis settings")
        verbose_name_plural = _("phenomenon analysis settings")

    def __str__(self) -> str:
        return str(self.line)


class PhenomenonExport(models.Model):
    """One line's export for one calendar year, recorded once and served unchanged after.

    Recording it is what keeps two exports of the same period from differing
    (another threshold, reports reclassified since): whoever has both could
    subtract one from the other and find a hidden count.
    """

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="phenomenon_exports")
    year = models.PositiveSmallIntegerField(_("year"))
    min_count = models.PositiveIntegerField(_("smallest count shown"))
    tables = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="one_phenomenon_export_per_year")
        ]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.line} {self.year}"


class MonthFigures(models.Model):
    """One grouped pass's counts for one line and one month that has ended.

    Kept so that a year's figures are not recounted from every report on every
    request (``stats.monthly``). Database triggers (``stats.triggers``)
    delete a line's months as soon as a row they were counted from is written:
    a report, its case, classification, messages, forwards, feedback or
    known-material matches, even through ``QuerySet.update`` or plain SQL.
    ``rows`` is None while the month is being counted.
    """

    name = models.CharField(max_length=40)  # the pass and its version, e.g. "cube/1"
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()  # the month's first instant in the installation's zone
    ends_at = models.DateTimeField()  # exclusive
    rows = models.JSONField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "line", "starts_at"], name="one_month_figures_per_pass"
            )
        ]
        indexes = [models.Index(fields=["line", "starts_at"], name="stats_month_line_starts")]

    def __str__(self) -> str:
        return f"{self.name} {self.line_id} {self.starts_at:%Y-%m}"
