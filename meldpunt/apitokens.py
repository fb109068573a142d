"""Bearer tokens of the JSON APIs: made once, shown once, stored as a digest only.

Shared by the hash-check API (hashes) and the partner-hotline exchange
(network), which sit in different layers. A token is a prefix naming its API
and 43 URL-safe characters (256 random bits); only its SHA-256 is stored. A
fast hash suffices because the token cannot be guessed, and the stored digest
is not itself a token, so a copy of the database does not let anyone call an
API as a client.
"""

import hashlib
import secrets

from django.http import HttpRequest


def token_new(prefix: str) -> tuple[str, str]:
    """A fresh token and the digest to store for it."""
    token = prefix + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None without one."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
