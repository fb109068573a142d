"""The partner portal: partner users read the forwards made to their organisations.

Partner users sign in like staff (password that unlocks their key, then a
second factor). Here they see only forwards to the partners they belong to,
each decrypted with their own key; everything else answers "not found".
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meldpunt.vault.decorators import key_holder_required
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import session_private_key

from . import selectors, services

MAX_ID = 2**63 - 1


# Signed in with both factors, the partner role, and an unlocked key in this session.
partner_required = key_holder_required({Role.PARTNER})


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
            private_key=session_private_key(request),
        )
    except NoKeyError:
        return render(request, "network/partner_no_key.html", {"forward": forward}, status=403)
    return render(request, "network/partner_forward.html", {"forward": forward, "body": body})
