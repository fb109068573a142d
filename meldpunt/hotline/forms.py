"""The analyst's input on the hotline pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.models import Assessment, HotlineState


class AssessForm(forms.Form):
    """The judgement of one address, with the state the analyst saw (for staleness)."""

    decision = forms.ChoiceField(
        label=_("Assessment"),
        choices=Assessment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose illegal or not illegal.")},
    )
    state = forms.ChoiceField(choices=HotlineState.choices, widget=forms.HiddenInput)
