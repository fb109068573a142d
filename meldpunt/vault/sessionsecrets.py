"""Keep unlocked keys for the length of a session without storing them in the clear.

An unlocked private key is encrypted under a random key that lives only in a
cookie of the user's browser; the session row holds the ciphertext. A copy of
the session table therefore opens nothing, and neither does the cookie alone.
"""

import base64

import nacl.utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from nacl.public import PrivateKey

from meldpunt.vault import crypto

COOKIE_NAME = "mp_vault"
PRIVATE_KEY = "private_key"  # the signed-in person's unlocked key pair
_SESSION_PREFIX = "vault:"


def _cookie_key(request: HttpRequest, *, create: bool) -> bytes | None:
    key = getattr(request, "_vault_cookie_key", None)
    if key is None:
        raw = request.COOKIES.get(COOKIE_NAME, "")
        try:
            key = base64.urlsafe_b64decode(raw) if raw else None
        except ValueError:
            key = None
        if key is not None and len(key) != crypto.DATA_KEY_BYTES:
            key = None
        if key is None and create:
            key = nacl.utils.random(crypto.DATA_KEY_BYTES)
            request._vault_cookie_changed = True
        request._vault_cookie_key = key
    return key


def session_secret_put(request: HttpRequest, name: str, secret: bytes) -> None:
    key = _cookie_key(request, create=True)
    ciphertext = crypto.encrypt(key, secret, context=name.encode())
    request.session[_SESSION_PREFIX + name] = base64.b64encode(ciphertext).decode()


def session_secret_get(request: HttpRequest, name: str) -> bytes | None:
    stored = request.session.get(_SESSION_PREFIX + name)
    key = _cookie_key(request, create=False)
    if stored is None or key is None:
        return None
    try:
        return crypto.decrypt(key, base64.b64decode(stored), context=name.encode())
    except crypto.DecryptionError:
        return None


def session_secrets_clear(request: HttpRequest) -> None:
    for name in [k for k in request.session.keys() if k.startswith(_SESSION_PREFIX)]:
        del request.session[name]
    request._vault_cookie_key = None
    request._vault_cookie_changed = True


def apply_cookie(request: HttpRequest, response: HttpResponse) -> None:
    if not getattr(request, "_vault_cookie_changed", False):
        return
    key = getattr(request, "_vault_cookie_key", None)
    if key is None:
        response.delete_cookie(COOKIE_NAME, samesite="Strict")
    else:
        response.set_cookie(
            COOKIE_NAME,
            base64.urlsafe_b64encode(key).decode(),
            httponly=True,
            samesite="Strict",
            secure=settings.SESSION_COOKIE_SECURE,
        )


def session_private_key(request: HttpRequest) -> PrivateKey | None:
    """The signed-in person's unlocked private key, or None when it is not in this session."""
    secret = session_secret_get(request, PRIVATE_KEY)
    return PrivateKey(secret) if secret is not None else None
