"""The analyst's input on the hotline pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.models import (
    CHILD_CLASSES,
    AgeGroup,
    Assessment,
    Gender,
    HotlineState,
    MaterialClass,
    MediaKind,
    QueueBucket,
)


class AssessForm(forms.Form):
    """The judgement of one address, with the state the analyst saw (for staleness)."""

    decision = forms.ChoiceField(
        label=_("Assessment"),
        choices=Assessment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose illegal or not illegal.")},
    )
    state = forms.ChoiceField(choices=HotlineState.choices, widget=forms.HiddenInput)


class ClassifyForm(forms.Form):
    """One picture or video in the content hotline's scheme, with what the analyst saw."""

    material = forms.ChoiceField(
        label=_("Assessment"),
        choices=MaterialClass.choices,
        error_messages={"required": _("Choose what the item shows.")},
    )
    age_group = forms.ChoiceField(
        label=_("Age group"),
        choices=AgeGroup.choices,
        error_messages={"required": _("Choose an age group.")},
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        error_messages={"required": _("Choose a gender.")},
    )
    media_kind = forms.ChoiceField(
        label=_("Picture or video"),
        choices=MediaKind.choices,
        error_messages={"required": _("Choose picture or video.")},
    )
    state = forms.ChoiceField(choices=HotlineState.choices, widget=forms.HiddenInput)
    seen = forms.ChoiceField(
        choices=[("", ""), *MaterialClass.choices], required=False, widget=forms.HiddenInput
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("material") in CHILD_CLASSES and data.get("age_group") == AgeGroup.ADULT:
            self.add_error(
                "age_group", _("Material of a child needs a child's age group (or unknown).")
            )
        return data


class RetireForm(forms.Form):
    """Why an entry of the own list was added by mistake (kept in the audit log)."""

    reason = forms.CharField(
        label=_("Why it was a mistake"),
        max_length=200,
        error_messages={"required": _("Say why this entry was added by mistake.")},
    )


class QueueForm(forms.Form):
    """Which bucket of the address queue to show, and in which order."""

    bucket = forms.ChoiceField(label=_("Bucket"), choices=QueueBucket.choices, required=False)
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[("newest", _("newest first")), ("oldest", _("oldest first"))],
        required=False,
    )
