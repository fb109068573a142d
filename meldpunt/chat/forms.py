"""Input of the chat pages; the limits are the line's, the errors in the page language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import Line
from meldpunt.vault.models import StaffUser

from .models import CannedAnswer, ChatSettings, ContactType, SurveyQuestion
from .services import ChatError, message_body_check

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ChatMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, settings: ChatSettings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.fields["body"].widget.attrs["maxlength"] = settings.max_message_chars

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write a message."), code="required")
        try:
            message_body_check(body=body, settings=self.settings)
        except ChatError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return body


class StaffMessageForm(ChatMessageForm):
    pass


class CannedAnswerForm(forms.Form):
    canned = forms.ModelChoiceField(queryset=CannedAnswer.objects.none(), label=_("Canned answer"))

    def __init__(self, *args, line: Line, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = CannedAnswer.objects.filter(
            line=line, language=language[:2]
        )


class HandOverForm(forms.Form):
    colleague = forms.ModelChoiceField(queryset=StaffUser.objects.none(), label=_("Colleague"))

    def __init__(self, *args, line: Line, actor: StaffUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = (
            StaffUser.objects.filter(
                line_memberships__line=line, is_active=True, role__in=["analyst", "supervisor"]
            )
            .exclude(pk=actor.pk)
            .order_by("username")
        )


class ContactForm(forms.Form):
    contact_type = forms.ModelChoiceField(
        queryset=ContactType.objects.none(), label=_("Contact type"), widget=forms.RadioSelect
    )
    has_follow_up = forms.TypedChoiceField(
        label=_("Follow-up appointment made?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, line: Line, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_type"].queryset = ContactType.objects.filter(line=line)


class PhoneContactForm(ContactForm):
    line = forms.ModelChoiceField(queryset=Line.objects.none(), label=_("Line"))

    def __init__(self, *args, lines, **kwargs) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["line"] = forms.ModelChoiceField(queryset=lines, label=_("Line"))
        self.fields["contact_type"] = forms.ModelChoiceField(
            queryset=ContactType.objects.filter(line__in=lines).select_related("line"),
            label=_("Contact type"),
        )
        self.fields["has_follow_up"] = ContactForm.base_fields["has_follow_up"]
        self.order_fields(["line", "contact_type", "has_follow_up"])


class SurveyForm(forms.Form):
    """Three optional questions; an unanswered one is simply not counted."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in SurveyQuestion:
            self.fields[question.value] = forms.ChoiceField(
                label=question.label, choices=YES_NO, required=False, widget=forms.RadioSelect
            )

    def answers(self) -> dict[str, bool]:
        return {key: value == "yes" for key, value in self.cleaned_data.items() if value}
