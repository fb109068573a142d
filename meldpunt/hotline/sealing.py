"""The hotline key: what the crawler encrypts reported addresses and its findings with.

The daily re-check must read addresses with no staff member signed in, so they
cannot be sealed for staff keys only. They are encrypted under a key derived
from a secret file in the data directory (like the evidence worker key): a copy
of the database alone reveals no address; whoever holds the database *and*
the data directory, or runs code on the server, can read them. The trade-off
is described in docs/hotline.md.
"""

import hashlib
import json
from typing import Any

from meldpunt.datadir import installation_secret
from meldpunt.vault import crypto

HOTLINE_SECRET_NAME = "hotline-worker"  # noqa: S105 (the file name of the secret)
_URL_CONTEXT = b"hotline-url"
_DETAILS_CONTEXT = b"hotline-fetch"


def _secret() -> bytes:
    return bytes.fromhex(installation_secret(HOTLINE_SECRET_NAME))


def hotline_key() -> bytes:
    return crypto.subkey(_secret(), b"hotline-url")


def url_seal(url: str) -> bytes:
    return crypto.encrypt(hotline_key(), url.encode(), context=_URL_CONTEXT)


def url_open(sealed: bytes) -> str:
    """The address; raises crypto.DecryptionError for a wiped or tampered row."""
    return crypto.decrypt(hotline_key(), bytes(sealed), context=_URL_CONTEXT).decode()


def url_tag(url: str) -> str:
    """A keyed hash of a normalised address, to find the same address reported again."""
    key = crypto.subkey(_secret(), b"hotline-url-tag")
    return hashlib.blake2b(url.encode(), key=key, digest_size=32).hexdigest()


def details_seal(details: dict[str, Any]) -> bytes:
    return crypto.encrypt(
        hotline_key(), json.dumps(details, sort_keys=True).encode(), context=_DETAILS_CONTEXT
    )


def details_open(sealed: bytes) -> dict[str, Any]:
    return json.loads(crypto.decrypt(hotline_key(), bytes(sealed), context=_DETAILS_CONTEXT))
