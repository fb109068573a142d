"""Forms built from a category's questionnaire; shared by the web pages and the API."""

import re
import secrets
from datetime import timedelta
from typing import Any

from django import forms
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import (
    Category,
    FileNames,
    Line,
    Municipality,
    Question,
    QuestionKind,
)
from meldpunt.lines.regions import postcode_resolve
from meldpunt.lines.webaddress import UrlRefused, url_normalise
from meldpunt.vault.receipts import receipt_normalize

from .staging import StagedUpload

YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
MAX_MESSAGE_CHARS = 20000
MAX_WEB_ADDRESSES = 50


class WebAddressesField(forms.CharField):
    """One or more web addresses, one per line, each normalised as a browser reads it.

    A reporter pastes what the address bar or a chat shows; every address is
    checked here, before the review step, so a broken one is named with its
    number while the reporter can still correct it. The cleaned value holds the
    normalised addresses, repeats removed, one per line.
    """

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value: str) -> str:
        value = super().clean(value)
        lines = [line for line in value.splitlines() if line.strip()]
        if len(lines) > MAX_WEB_ADDRESSES:
            raise forms.ValidationError(
                _("Report at most %(count)s addresses at once."),
                code="too_many",
                params={"count": MAX_WEB_ADDRESSES},
            )
        addresses, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                addresses.append(url_normalise(line).url)
            except UrlRefused as refused:
                errors.append(
                    forms.ValidationError(
                        _("Address %(number)s: %(problem)s"),
                        code=refused.code,
                        params={"number": number, "problem": refused.message},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return "\n".join(dict.fromkeys(addresses))


def _field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.text,
        "help_text": question.help,
        # Conditional questions are checked in clean(), once the condition is known.
        "required": question.is_required and question.shown_if_question_id is None,
    }
    match question.kind:
        case QuestionKind.TEXT | QuestionKind.ADDRESS:
            return forms.CharField(max_length=min(question.max_length, 500), **common)
        case QuestionKind.LONG_TEXT:
            return forms.CharField(
                max_length=question.max_length,
                widget=forms.Textarea(attrs={"rows": 8}),
                **common,
            )
        case QuestionKind.CHOICE:
            return forms.ChoiceField(
                choices=question.localized_choices(), widget=forms.RadioSelect, **common
            )
        case QuestionKind.YES_NO:
            return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
        case QuestionKind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case QuestionKind.MUNICIPALITY:
            return forms.ModelChoiceField(
                queryset=Municipality.objects.exclude(ended_on__lte=localdate()),
                to_field_name="code",
                empty_label=_("— choose a municipality —"),
                **common,
            )
        case QuestionKind.WEB_ADDRESSES:
            return WebAddressesField(max_length=question.max_length, **common)
        case QuestionKind.POSTCODE:
            return forms.CharField(max_length=20, **common)
    raise ValueError(f"no form field for question kind {question.kind!r}")


class ReportForm(forms.Form):
    """The answers to a category's questions (files are handled by ReportFilesForm)."""

    def __init__(self, *args: Any, category: Category, hidden: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.category = category
        self.questions = [q for q in category.questions.all() if q.kind != QuestionKind.FILE]
        for question in self.questions:
            field = _field_for(question)
            if hidden:
                field.widget = forms.HiddenInput()
            self.fields[question.key] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        by_id = {q.pk: q for q in self.questions}
        for question in self.questions:
            condition = by_id.get(question.shown_if_question_id)
            if question.shown_if_question_id is None:
                continue
            shown = condition is not None and _as_text(data.get(condition.key)) == (
                question.shown_if_value
            )
            if not shown:
                data.pop(question.key, None)
            elif question.is_required and not data.get(question.key):
                self.add_error(
                    question.key,
                    forms.ValidationError(
                        forms.Field.default_error_messages["required"], code="required"
                    ),
                )
        return data

    def answers(self) -> dict[str, str]:
        """Answers as plain strings, in questionnaire order, for sealing."""
        return {
            q.key: _as_text(self.cleaned_data[q.key])
            for q in self.questions
            if self.cleaned_data.get(q.key) not in (None, "")
        }

    def answered_questions(self) -> list[tuple[Question, str]]:
        """(question, shown answer) pairs for the review page."""
        shown = []
        for question in self.questions:
            value = self.cleaned_data.get(question.key)
            if value in (None, ""):
                continue
            field = self.fields[question.key]
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                value = dict(field.choices).get(value, value)
            shown.append((question, str(value)))
        return shown

    def municipality_code(self) -> str:
        for question in self.questions:
            if question.kind == QuestionKind.MUNICIPALITY and self.cleaned_data.get(question.key):
                return self.cleaned_data[question.key].code
        for question in self.questions:
            if question.kind == QuestionKind.POSTCODE and self.cleaned_data.get(question.key):
                # Only the municipality is plaintext; the postcode itself stays sealed.
                place = postcode_resolve(text=self.cleaned_data[question.key], on=localdate())
                return place.municipality.code if place.municipality else ""
        return ""


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Municipality):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class FilesForm(forms.Form):
    """Files for a report or a message, within the line's limits."""

    def __init__(
        self,
        *args: Any,
        line: Line,
        file_questions: list[Question] | None = None,
        staged: list[StagedUpload] = (),
        **kwargs: Any,
    ):
        """One field per file question, or a single optional "files" field when None.

        ``staged`` are files chosen earlier in the same report (intake.staging): they
        count towards the line's limit and answer a required file question.
        """
        super().__init__(*args, **kwargs)
        self.line = line
        self.staged_count = len(staged)
        answered = {upload.question_key for upload in staged}
        if file_questions is None:
            self.fields["files"] = MultipleFileField(label=_("Files (optional)"), required=False)
        for question in file_questions or []:
            self.fields[question.key] = MultipleFileField(
                label=question.text,
                help_text=question.help,
                required=question.is_required and question.key not in answered,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        files = [f for key in self.fields for f in (data.get(key) or [])]
        if self.staged_count + len(files) > self.line.max_files:
            raise forms.ValidationError(
                _("You can add at most %(count)d files."),
                code="too_many_files",
                params={"count": self.line.max_files},
            )
        limit = self.line.max_file_mb * 1024 * 1024
        for key in self.fields:
            for upload in data.get(key) or []:
                if upload.size > limit:
                    self.add_error(
                        key,
                        forms.ValidationError(
                            _("“%(name)s” is larger than %(mb)d MB."),
                            code="file_too_large",
                            params={"name": upload.name, "mb": self.line.max_file_mb},
                        ),
                    )
        return data

    def uploads(self) -> list[tuple[str, UploadedFile]]:
        return [(key, f) for key in self.fields for f in (self.cleaned_data.get(key) or [])]


# What a reporter may type as a file's new name: no folders, no control characters.
FILE_STEM = re.compile(r"[^/\\\x00-\x1f\x7f]{1,100}")


class StagedFilesForm(forms.Form):
    """The review step's choice for each staged file: send it (renamed or not) or drop it.

    ``staged`` carries the batch secret (intake.staging), ``staged_count`` how many
    files the review showed, so that files that expired meanwhile are noticed
    instead of silently missing from the report. On a line with neutral names the
    name cannot be changed, only whether the file is sent.
    """

    GONE = _(
        "The files you chose are no longer kept. Go back to your answers and choose them again."
    )

    staged = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    staged_count = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, initial=0, required=False
    )

    def __init__(self, *args: Any, line: Line, uploads: list[StagedUpload], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.uploads = uploads
        self.can_rename = line.file_names == FileNames.REVIEWED
        for upload in uploads:
            stem, extension = _split_name(upload.name)
            if self.can_rename:
                self.fields[f"name-{upload.position}"] = forms.CharField(
                    label=_("Name"),
                    initial=stem,
                    required=False,
                    max_length=100,
                    help_text=extension,
                )
            self.fields[f"drop-{upload.position}"] = forms.BooleanField(
                label=_("Do not send this file"), required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("staged_count") not in (None, len(self.uploads)):
            raise forms.ValidationError(self.GONE, code="staged_gone")
        if not self.can_rename:
            return data
        for upload in self.uploads:
            key = f"name-{upload.position}"
            if data.get(f"drop-{upload.position}") or key not in data:
                continue
            stem = data[key].strip()
            if not stem:
                self.add_error(key, _("Give the file a name, or choose not to send it."))
            elif not FILE_STEM.fullmatch(stem):
                self.add_error(
                    key, _("A file name cannot contain “/”, “\\” or control characters.")
                )
        return data

    def names(self) -> dict[int, str | None]:
        """Each staged position's final name, or None for a file not to send."""
        names: dict[int, str | None] = {}
        for upload in self.uploads:
            if self.cleaned_data.get(f"drop-{upload.position}"):
                names[upload.position] = None
            elif self.can_rename:
                names[upload.position] = (
                    self.cleaned_data[f"name-{upload.position}"].strip()
                    + _split_name(upload.name)[1]
                )
            else:
                names[upload.position] = upload.name
        return names


def _split_name(name: str) -> tuple[str, str]:
    """ "bewijs.jpg" -> ("bewijs", ".jpg"); the extension stays when a file is renamed."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension.isalnum() or len(extension) > 5:
        return name, ""
    return stem, "." + extension


class SubmissionForm(forms.Form):
    """The review step's one-time token: the same form sent twice makes one report.

    The token is random and signed with the time it was issued, so a review page
    left open for days is not sent as if it were fresh. Only the browser holds
    it; the server keeps neither the token nor when it was issued.
    """

    VALID_FOR = timedelta(hours=24)
    _signer = signing.TimestampSigner(salt="meldpunt.intake.submission")

    EXPIRED = _("This page was open for too long. Check your answers and send your report again.")

    token = forms.CharField(
        widget=forms.HiddenInput, max_length=200, error_messages={"required": EXPIRED}
    )

    @classmethod
    def issue(cls, token: str | None = None) -> "SubmissionForm":
        """A form carrying ``token``, or a fresh one."""
        return cls(initial={"token": token or cls._signer.sign(secrets.token_urlsafe(32))})

    def clean_token(self) -> str:
        try:
            self._signer.unsign(self.cleaned_data["token"], max_age=self.VALID_FOR)
        except signing.BadSignature as error:
            raise forms.ValidationError(self.EXPIRED, code="expired") from error
        return self.cleaned_data["token"]


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_receipt(self) -> str:
        value = self.cleaned_data["receipt"]
        if receipt_normalize(value) is None:
            raise forms.ValidationError(
                _("A receipt has 20 letters and digits, in groups of four."), code="malformed"
            )
        return value


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
