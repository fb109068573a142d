"""Re-authentication for sensitive actions (export, key reset, forwarding override).

A signed-in session is not enough for these: the person must have typed their
password within the last few minutes, so a session left open on an unattended
screen cannot be used for them.
"""

import time
from collections.abc import Callable, Collection
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from meldpunt.vault.sessionsecrets import session_private_key

PASSWORD_CONFIRMED_AT = "vault_password_confirmed_at"  # noqa: S105 - a session key name


def password_confirmed(request: HttpRequest) -> None:
    """Record that the password was just verified (at sign-in or re-authentication)."""
    request.session[PASSWORD_CONFIRMED_AT] = int(time.time())


def has_recent_auth(request: HttpRequest, *, minutes: int) -> bool:
    confirmed_at = request.session.get(PASSWORD_CONFIRMED_AT)
    return isinstance(confirmed_at, int) and time.time() - confirmed_at <= minutes * 60


def is_fully_signed_in(request: HttpRequest) -> bool:
    """Signed in with both factors, and the private key unlocked in this session."""
    user = request.user
    return user.is_authenticated and user.is_verified() and session_private_key(request) is not None


def two_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, whatever the role (partner users included)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated or not request.user.is_verified():
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def require_recent_auth(
    minutes: int = 5,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view so it runs only if the password was confirmed in the last ``minutes``.

    Otherwise the person is sent to the re-enter-password page and comes back to
    this URL afterwards (a form posted without recent authentication is not
    carried over: they submit it again, now knowingly).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @two_factor_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_recent_auth(request, minutes=minutes):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('vault:confirm_password')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def key_holder_required(
    roles: Collection[str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed in with both factors, key unlocked in this session, and one of ``roles``.

    Whoever is not fully signed in goes to the sign-in page; a signed-in person
    of another role gets "not found", so a page does not even confirm it exists.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_fully_signed_in(request):
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
