"""The partner portal: partner users read the forwards made to their organisations.

Partner users sign in like staff (password that unlocks their key, then a
second factor). Here they see only forwards to the partners they belong to,
each decrypted with their own key; everything else answers "not found".
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from nacl.public import PrivateKey

from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import session_secret_get
from meldpunt.vault.views import PRIVATE_KEY

from . import selectors, services

MAX_ID = 2**63 - 1


def partner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, the partner role, and an unlocked key in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or not user.is_verified()
            or session_secret_get(request, PRIVATE_KEY) is None
        ):
            return redirect_to_login(request.get_full_path())
        if user.role != Role.PARTNER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@partner_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    forwards = selectors.partner_forwards(request.user).order_by("-created_at", "-pk")[:200]
    return render(request, "network/partner_inbox.html", {"forwards": forwards})


@partner_required
@require_GET
def forward_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read one forward; reading is audited and the first read is recorded."""
    forward = selectors.partner_forward_get(request.user, pk) if pk <= MAX_ID else None
    if forward is None:
        raise Http404
    try:
        body = services.forward_open(
            forward=forward,
            user=request.user,
            private_key=PrivateKey(session_secret_get(request, PRIVATE_KEY)),
        )
    except NoKeyError:
        return render(request, "network/partner_no_key.html", {"forward": forward}, status=403)
    return render(request, "network/partner_forward.html", {"forward": forward, "body": body})
