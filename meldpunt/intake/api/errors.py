"""Error codes of the reporter API; the JSON shape of errors is meldpunt.jsonapi's.

Clients branch on ``code`` (stable, English, listed in the OpenAPI document);
``message`` is for people and follows Accept-Language.
"""

from enum import StrEnum

from django import forms
from django.utils.translation import gettext as _

from meldpunt.intake.services import IntakeError
from meldpunt.jsonapi import ApiError, FieldErrors


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    CATEGORY_CLOSED = "category_closed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    MALFORMED_JSON = "malformed_json"
    MALFORMED_MULTIPART = "malformed_multipart"
    REQUEST_TOO_LARGE = "request_too_large"
    TOO_MANY_FIELDS = "too_many_fields"
    TOO_MANY_FILES = "too_many_files"
    FILE_TOO_LARGE = "file_too_large"
    INVALID = "invalid"
    RECEIPT_WRONG = "receipt_wrong"
    BUSY = "busy"
    TOKEN_MISSING = "token_missing"  # noqa: S105 (a code, not a secret)
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a code, not a secret)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 (a code, not a secret)
    REPORT_DESTROYED = "report_destroyed"
    STORE_UNAVAILABLE = "store_unavailable"


# Codes that can appear per field, next to Django's own field codes
# (required, max_length, invalid_choice, invalid, ...).
UNKNOWN_FIELD = "unknown_field"


def form_field_errors(*bound_forms: forms.Form) -> FieldErrors:
    """Errors of validated forms by field ("__all__" for the form as a whole)."""
    fields: FieldErrors = {}
    for form in bound_forms:
        for name, errors in form.errors.as_data().items():
            fields.setdefault(name, []).extend(
                {"code": error.code or "invalid", "message": " ".join(error.messages)}
                for error in errors
            )
    return fields


def invalid(fields: FieldErrors) -> ApiError:
    return ApiError(
        400, ErrorCode.INVALID, _("Some answers need attention; see fields."), fields=fields
    )


def invalid_input(*bound_forms: forms.Form) -> ApiError:
    """One error for everything the forms rejected, named after the most telling cause.

    A file over the size limit is 413 like an oversized body, so a client handles
    "too large" in one place; everything else is 400 with the details per field.
    """
    fields = form_field_errors(*bound_forms)
    codes = {error["code"] for errors in fields.values() for error in errors}
    if "file_too_large" in codes:
        return ApiError(
            413, ErrorCode.FILE_TOO_LARGE, _("A file is larger than allowed."), fields=fields
        )
    if "too_many_files" in codes:
        return ApiError(400, ErrorCode.TOO_MANY_FILES, _("Too many files."), fields=fields)
    return invalid(fields)


# Seconds a client told "busy" should wait before trying again.
BUSY_RETRY_SECONDS = 60


def busy(message: str) -> ApiError:
    """503: too many key derivations waiting; nothing was stored, try again later."""
    return ApiError(
        503,
        ErrorCode.BUSY,
        _("%(problem)s Try again in a minute.") % {"problem": message},
        headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
    )


def store_unavailable() -> ApiError:
    """503: the blob store did not take the files; nothing was stored, try again later."""
    return ApiError(
        503,
        ErrorCode.STORE_UNAVAILABLE,
        _("The files cannot be stored right now; nothing was stored. Try again in a few minutes."),
        headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
    )


def from_intake_error(error: IntakeError) -> ApiError:
    """Map a refusal of the service layer onto a status code and an API code."""
    if error.code == "category_closed":
        return ApiError(404, ErrorCode.CATEGORY_CLOSED, error.message)
    if error.code == "report_destroyed":
        return ApiError(410, ErrorCode.REPORT_DESTROYED, error.message)
    field_error = {error.field or "__all__": [{"code": error.code, "message": error.message}]}
    if error.code == "too_large":
        return ApiError(413, ErrorCode.FILE_TOO_LARGE, error.message, fields=field_error)
    return ApiError(400, ErrorCode.INVALID, error.message, fields=field_error)
