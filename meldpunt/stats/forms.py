"""The period and line filters of the statistics pages."""

import re
from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import Line

from .models import DEFAULT_EXPORT_MIN_COUNT
from .selectors import Scope

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_MONTHS = 120  # ten years: enough for any comparison, bounded work per request
MAX_MIN_COUNT = 1000


def _month(value: str) -> date:
    match = MONTH.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise forms.ValidationError(_("Give a month as year and month, e.g. 2026-03."))
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise forms.ValidationError(
            _("Give a year from %(first)s to %(last)s."),
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return date(year, int(match[2]), 1)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=7, **kwargs)

    def clean(self, value: str) -> date:
        return _month(super().clean(value))


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line: Line) -> str:
        return line.title


class _LineForm(forms.Form):
    line = LineChoiceField(
        label=_("Line"),
        required=False,
        queryset=Line.objects.none(),
        to_field_name="slug",
        empty_label=_("All lines"),
    )

    def __init__(self, *args, lines: QuerySet[Line], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["line"].queryset = lines

    def line_ids(self) -> tuple[int, ...]:
        line = self.cleaned_data.get("line")
        if line is not None:
            return (line.pk,)
        return tuple(self.lines.values_list("pk", flat=True))


class PeriodForm(_LineForm):
    """From month, to month (both included) and optionally one line."""

    start = MonthField(label=_("From month"))
    end = MonthField(label=_("To month"))

    field_order = ["start", "end", "line"]

    @staticmethod
    def defaults() -> dict[str, str]:
        """This year so far."""
        today = timezone.localdate()
        return {"start": f"{today.year}-01", "end": f"{today.year}-{today.month:02d}"}

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The last month comes before the first month."))
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                raise forms.ValidationError(
                    _("Choose a period of at most %(months)s months."),
                    params={"months": MAX_MONTHS},
                )
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(first=data["start"], last=data["end"], line_ids=self.line_ids())


class YearForm(_LineForm):
    """One calendar year and optionally one line, for the printable year overview."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    field_order = ["year", "line"]

    @staticmethod
    def defaults() -> dict[str, str]:
        return {"year": str(timezone.localdate().year)}

    def scope(self, year_offset: int = 0) -> Scope:
        year = self.cleaned_data["year"] + year_offset
        return Scope(first=date(year, 1, 1), last=date(year, 12, 1), line_ids=self.line_ids())


class PhenomenonForm(_LineForm):
    """One line (required: the export is per line), one calendar year and the threshold k."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    min_count = forms.IntegerField(
        label=_("Hide counts below"),
        min_value=1,
        max_value=MAX_MIN_COUNT,
        initial=DEFAULT_EXPORT_MIN_COUNT,
    )

    field_order = ["line", "year", "min_count"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].required = True
        self.fields["line"].empty_label = None

    @staticmethod
    def defaults() -> dict[str, str]:
        """Last year: the most recent year that has ended."""
        return {
            "year": str(timezone.localdate().year - 1),
            "min_count": str(DEFAULT_EXPORT_MIN_COUNT),
        }
