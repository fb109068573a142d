"""Error codes of the hash-check API and the one JSON shape every error has.

The same shape as the reporter API's errors (``{"error": {"code", "message"}}``,
docs/api.md), kept here because the hashes app must not import intake.
Clients branch on ``code``; ``message`` is for people and follows Accept-Language.
"""

from enum import StrEnum

from django.http import JsonResponse


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    MALFORMED_JSON = "malformed_json"
    REQUEST_TOO_LARGE = "request_too_large"
    TOO_MANY_ITEMS = "too_many_items"
    TOKEN_MISSING = "token_missing"  # noqa: S105 (a code, not a secret)
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a code, not a secret)
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 (a code, not a secret)
    QUOTA_EXCEEDED = "quota_exceeded"


class ApiError(Exception):
    """Raised anywhere below a view; the view decorator turns it into the JSON error."""

    def __init__(
        self, status: int, code: ErrorCode, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        return JsonResponse(
            {"error": {"code": str(self.code), "message": self.message}},
            status=self.status,
            headers=self.headers,
        )
