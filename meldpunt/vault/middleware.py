from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.sessionsecrets import apply_cookie


class SessionSecretMiddleware:
    """Sets or clears the browser-held key of the session secrets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        apply_cookie(request, response)
        return response


class PasswordChangeRequiredMiddleware:
    """After an administrator's reset, nothing but choosing a new password (or signing out).

    The temporary password was seen by the administrator; until it is replaced
    the account's key is wrapped by something another person knows.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in {reverse("vault:password_change"), reverse("vault:logout")}
        ):
            return redirect("vault:password_change")
        return self.get_response(request)


class CorruptedContentMiddleware:
    """Ciphertext that fails authentication anywhere: a clear page, an audit event, no 500.

    Nothing of the failed content is shown (AEAD gives nothing back), and the
    event names only the page, so an operator can find the damaged record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, crypto.DecryptionError):
            return None
        user = getattr(request, "user", None)
        audit_record(
            actor=user if user is not None and user.is_authenticated else None,
            action="content.integrity_failure",
            details={"path": request.path, "error": str(exception)},
        )
        return render(request, "vault/corrupted.html", status=422)
