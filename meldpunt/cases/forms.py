"""Forms of the back office. Each action form carries the case version it was shown with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.exposure import DAILY_REVEAL_LIMIT_MAX
from meldpunt.intake.models import Report, ReportStatus
from meldpunt.lines.models import Category, Line
from meldpunt.vault.models import StaffUser

from .models import (
    ClassificationOption,
    ClassificationScheme,
    CloseOutcome,
    LinkKind,
    QuestionTemplate,
    TriageOutcome,
)
from .selectors import AGES, ASSIGNEE_ME, ASSIGNEE_NOBODY, SORTS, QueueQuery, line_colleagues
from .services import MAX_TEXT_CHARS

AGE_LABELS = {
    "lt1": _("Last 24 hours"),
    "lt7": _("Last 7 days"),
    "gt7": _("Older than 7 days"),
    "gt30": _("Older than 30 days"),
    "gt90": _("Older than 90 days"),
}
SORT_LABELS = {
    "oldest": _("Oldest first"),
    "newest": _("Newest first"),
}
ALL_STATUSES = "all"
DEFAULT_STATUS = ReportStatus.NEW
ANY = [("", _("Any"))]


class QueueFilterForm(forms.Form):
    """The queue's filters, limited to what the user can see."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ALL_STATUSES, _("All")), *ReportStatus.choices],
    )
    line = forms.TypedChoiceField(label=_("Line"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    assignee = forms.ChoiceField(label=_("Held by"), required=False)
    municipality = forms.CharField(label=_("Municipality code"), required=False, max_length=10)
    age = forms.ChoiceField(
        label=_("Received"), required=False, choices=ANY + [(k, AGE_LABELS[k]) for k in AGES]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    attention = forms.BooleanField(label=_("Only with news from the reporter"), required=False)
    unanswered = forms.BooleanField(
        label=_("Only questions left unanswered for two weeks"), required=False
    )
    q = forms.CharField(
        label=_("Reference or municipality code"),
        required=False,
        max_length=50,
        help_text=_("Searches every status."),
    )
    sort = forms.ChoiceField(
        label=_("Sort"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS]
    )

    def __init__(self, *args, lines: list[Line], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = ANY + [(line.pk, line.title) for line in lines]
        self.fields["category"].choices = ANY + [
            (category.pk, f"{category.line.title} / {category.title}")
            for category in Category.objects.filter(line__in=lines).select_related("line")
        ]
        colleagues = StaffUser.objects.filter(line_memberships__line__in=lines).distinct()
        self.fields["assignee"].choices = (
            ANY
            + [(ASSIGNEE_ME, _("Me")), (ASSIGNEE_NOBODY, _("Nobody"))]
            + [(str(user.pk), user.get_username()) for user in colleagues.order_by("username")]
        )

    def query(self) -> QueueQuery:
        """The query of the valid fields; invalid ones are shown as errors and ignored."""
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or DEFAULT_STATUS
        return QueueQuery(
            line_id=data.get("line"),
            status="" if status == ALL_STATUSES else status,
            category_id=data.get("category"),
            assignee=data.get("assignee", ""),
            municipality_code=data.get("municipality", ""),
            age=data.get("age", ""),
            is_overdue=data.get("overdue", False),
            needs_attention=data.get("attention", False),
            is_unanswered=data.get("unanswered", False),
            search=data.get("q", ""),
            sort=data.get("sort") or "oldest",
        )


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=2**31, widget=forms.HiddenInput)

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report


class HandOverForm(VersionForm):
    to = forms.ModelChoiceField(label=_("Hand over to"), queryset=StaffUser.objects.none())

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.fields["to"].queryset = line_colleagues(report.line)


class TriageForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Assessment"), choices=TriageOutcome.choices, widget=forms.RadioSelect
    )


class CategoryForm(VersionForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.fields["category"].queryset = report.line.categories.all()
        # All of the line's categories, by their name in the page language (not the
        # admin's "line / Dutch name").
        self.fields["category"].label_from_instance = lambda category: category.title


class ClassificationForm(VersionForm):
    """One field per scheme of the line: radio buttons, or check boxes where several apply."""

    def __init__(
        self,
        *args,
        report: Report,
        schemes: list[ClassificationScheme],
        chosen: set[int] = frozenset(),
        **kwargs,
    ) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.schemes = schemes
        for scheme in schemes:
            # Retired options stay visible on the cases that carry them.
            options = [o for o in scheme.options.all() if o.is_active or o.pk in chosen]
            choices = [(str(o.pk), o.title) for o in options]
            selected = [c for c, _label in choices if int(c) in chosen]
            if scheme.allows_multiple:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, initial=selected
                )
            else:
                field = forms.ChoiceField(
                    choices=[("", _("Not classified"))] + choices,
                    widget=forms.RadioSelect,
                    initial=selected[0] if selected else "",
                )
            field.label, field.required = scheme.title, False
            self.fields[f"scheme_{scheme.pk}"] = field

    def options(self) -> list[ClassificationOption]:
        ids: list[int] = []
        for scheme in self.schemes:
            value = self.cleaned_data.get(f"scheme_{scheme.pk}")
            ids.extend(int(v) for v in (value if isinstance(value, list) else [value]) if v)
        return list(ClassificationOption.objects.filter(pk__in=ids).select_related("scheme"))


class QuestionForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), required=False, queryset=QuestionTemplate.objects.none()
    )
    body = forms.CharField(
        label=_("Question to the reporter"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["template"].queryset = report.line.question_templates.all()


class LinkForm(VersionForm):
    reference = forms.CharField(label=_("Reference of the earlier report"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices, widget=forms.RadioSelect)

    def clean_reference(self) -> Report:
        """The earlier report, looked up in this report's line only."""
        raw = self.cleaned_data["reference"].strip().upper().replace(" ", "")
        if "-" not in raw and len(raw) == 8:
            raw = f"{raw[:4]}-{raw[4:]}"
        earlier = (
            Report.objects.filter(
                reference=raw, line_id=self.report.line_id, destroyed_at__isnull=True
            )
            .exclude(pk=self.report.pk)
            .first()
        )
        if earlier is None:
            raise forms.ValidationError(_("There is no other report with this reference here."))
        return earlier


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by colleagues; stored encrypted."),
    )

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CloseOutcome.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContentSearchForm(forms.Form):
    text = forms.CharField(label=_("Search in the text of reports and messages"), max_length=200)
    line = forms.TypedChoiceField(label=_("Line"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, lines: list[Line], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = ANY + [(line.pk, line.title) for line in lines]


class NotificationSettingForm(forms.Form):
    by_email = forms.BooleanField(
        label=_("Mail me when something new waits in one of my lines"),
        required=False,
        help_text=_("The mail names the line only, never a report."),
    )


class ExposureLimitForm(forms.Form):
    """One's own daily reveal limit: empty for none, otherwise a number a day can hold."""

    daily_reveal_limit = forms.IntegerField(
        label=_("Suggest a break after this many revealed items a day"),
        required=False,
        min_value=1,
        max_value=DAILY_REVEAL_LIMIT_MAX,
        help_text=_("Leave empty for no limit. Only you see this number."),
        error_messages={
            "invalid": _("Enter a whole number, or leave the field empty for no limit."),
            "min_value": _("Enter a number of at least 1, or leave the field empty for no limit."),
            "max_value": _("Enter a number of at most %(limit_value)s."),
        },
    )
