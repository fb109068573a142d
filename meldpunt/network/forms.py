"""Forms of forwarding. Each carries the version of the draft it was shown with."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.models import HotlineState
from meldpunt.intake.models import Report
from meldpunt.lines.models import Municipality
from meldpunt.privacy.redaction import Decision

from .models import Partner
from .selectors import municipalities_existing, partners_for
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


class HotlineActionsForm(forms.Form):
    """The analyst's confirmation of the proposed actions, with the state they saw."""

    state = forms.ChoiceField(choices=HotlineState.choices, widget=forms.HiddenInput)
