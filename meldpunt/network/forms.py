"""Forms of forwarding. Each carries the version of the draft it was shown with."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.models import EvidenceFile
from meldpunt.hotline.models import HotlineState
from meldpunt.intake.models import Report
from meldpunt.lines.models import Municipality
from meldpunt.privacy.redaction import Decision

from .feedback import MAX_FEEDBACK_CHARS, MAX_QUESTION_CHARS
from .models import FeedbackOutcome, Partner
from .selectors import forward_file_refusal, municipalities_existing, partners_for, report_files
from .services import MAX_PASSAGE_CHARS

MAX_VERSION = 2**31


class DraftVersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report


class DecisionForm(DraftVersionForm):
    """One click on one finding: redact it or keep it."""

    index = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(Decision.REDACT, _("Redact")), (Decision.KEEP, _("Keep"))]
    )


class PassageForm(DraftVersionForm):
    passage = forms.CharField(
        label=_("Passage to redact"),
        max_length=MAX_PASSAGE_CHARS,
        strip=True,
        help_text=_("Type or paste it; every occurrence in the text is redacted."),
    )


class ForwardForm(forms.Form):
    """The forward itself: partner, the versions it was prepared on, and perhaps an override."""

    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    case_version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    # Several partners may receive one report; each gets a forward of its own.
    partner = forms.ModelMultipleChoiceField(
        label=_("Forward to"),
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one partner.")},
    )
    # Cleaned files of the report that go along, re-encrypted for each partner.
    files = forms.ModelMultipleChoiceField(
        label=_("Files to forward"),
        queryset=EvidenceFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Shown to supervisors only; the service refuses an override from anyone else.
    override_reason = forms.CharField(
        label=_("Forward without reviewing every passage, because"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for supervisors. The reason is written to the audit log."),
    )

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["partner"].queryset = partners_for(report)
        # Known material stays in the queryset so that posting it gets the reason,
        # not "not a valid choice"; the page offers no box for it.
        self.fields["files"].queryset = report_files(report)

    def clean_files(self) -> list[EvidenceFile]:
        files = list(self.cleaned_data["files"])
        refusals = list(dict.fromkeys(filter(None, map(forward_file_refusal, files))))
        if refusals:
            raise forms.ValidationError(refusals)
        return files


class LocationForm(forms.Form):
    """The analyst names the report's municipality when its postcode gave none or several."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        to_field_name="code",
        empty_label=_("— choose a municipality —"),
    )

    def __init__(self, *args, report: Report, candidates: tuple = (), **kwargs) -> None:
        """``candidates`` narrow the list shown; a posted choice may be any existing one."""
        super().__init__(*args, **kwargs)
        self.report = report
        existing = municipalities_existing(timezone.localdate())
        if candidates:
            existing = existing.filter(code__in=[m.code for m in candidates])
        self.fields["municipality"].queryset = existing


class FeedbackForm(forms.Form):
    """A partner member says what became of a forward; ``version`` is the feedback seen."""

    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("What became of it"), choices=FeedbackOutcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Explanation"),
        max_length=MAX_FEEDBACK_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the reporting point's staff of this line can read it."),
    )


class FollowUpQuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_QUESTION_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The reporting point decides whether and how to ask the reporter; "
            "the answer reaches you with identifying details removed."
        ),
    )


class RelayForm(forms.Form):
    """The analyst's words for the reporter's mailbox (not the partner's own wording)."""

    body = forms.CharField(
        label=_("Question to the reporter"),
        max_length=MAX_QUESTION_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    """Redact or keep each marked passage of the reporter's answer, then send it back."""

    upto = forms.IntegerField(min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput)
    passage = forms.CharField(
        label=_("Also redact this passage"), max_length=MAX_PASSAGE_CHARS, required=False
    )
    override_reason = forms.CharField(
        label=_("Send without reviewing every passage, because"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for supervisors. The reason is written to the audit log."),
    )

    def __init__(self, *args, marks: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.marks = marks
        for index in range(marks):
            self.fields[f"decision_{index}"] = forms.ChoiceField(
                label=_("Passage %(number)s") % {"number": index + 1},
                choices=DecisionForm.base_fields["decision"].choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def decisions(self) -> list[Decision]:
        return [
            Decision(self.cleaned_data.get(f"decision_{index}") or Decision.UNREVIEWED)
            for index in range(self.marks)
        ]


class PeriodForm(forms.Form):
    """The period of a statement: whole days, at most ten years."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Up to and including"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        elif start and end and (end - start).days > 3660:
            self.add_error("end", _("Choose a period of at most ten years."))
        return data


class EvaluationForm(forms.Form):
    start = forms.DateField(
        label=_("Year starting on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class HotlineActionsForm(forms.Form):
    """The analyst's confirmation of the proposed actions, with the state they saw."""

    state = forms.ChoiceField(choices=HotlineState.choices, widget=forms.HiddenInput)
