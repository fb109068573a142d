"""Receipts: the reporter's only way back to their report.

A receipt is 20 characters of Crockford base32 (100 bits), shown in groups of
four so it can be written down. It is never stored. Two values are stored with
the report to find it again:

- a fast tag (keyed BLAKE2b), so that the mailbox can tell a wrong receipt from a
  right one in microseconds and a flood of wrong receipts costs the server
  nothing; at 100 bits, guessing stays out of reach however fast a guess is
  (docs/security.md, "Receipts");
- a lookup value from one slow Argon2id derivation, which also yields the
  reporter's private key that opens the report's data key. Only a receipt whose
  tag matched is derived, through the bounded queue of vault.derivations.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from nacl.public import PrivateKey

from meldpunt.datadir import installation_secret, shared_file
from meldpunt.vault import crypto
from meldpunt.vault.derivations import derivation_gate

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RECEIPT_LENGTH = 20
GROUP = 4
RECEIPT_KDF_FILE = "receipt-kdf.json"
_SIMILAR = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


@dataclass(frozen=True)
class ReceiptSecrets:
    lookup: bytes
    private_key: PrivateKey

    @property
    def public_key(self) -> bytes:
        return bytes(self.private_key.public_key)


def _grouped(raw: str) -> str:
    return " ".join(raw[i : i + GROUP] for i in range(0, RECEIPT_LENGTH, GROUP))


def receipt_generate() -> str:
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH)))


def receipt_for_submission(token: str) -> str:
    """The receipt of the submission that carries ``token``: the same token, the same receipt.

    The review form carries a random token; deriving the receipt from it with a
    key of the installation lets a repeated POST of the same form (reload, Back
    then Forward) show the same receipt again without the receipt being kept
    anywhere. Without the installation's key the token says nothing about the
    receipt; the token itself is never stored.
    """
    key = bytes.fromhex(installation_secret("receipt-submission-key"))
    digest = hashlib.blake2b(token.encode(), key=key, person=b"mp-receipt-sub", digest_size=16)
    value = int.from_bytes(digest.digest())
    return _grouped("".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH)))


def receipt_normalize(receipt: str) -> str | None:
    """The canonical form of what a person typed, or None if it cannot be a receipt."""
    text = "".join(receipt.upper().split()).translate(_SIMILAR)
    if len(text) != RECEIPT_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def receipt_kdf_cost() -> tuple[int, int]:
    """The Argon2id cost of receipt derivation, fixed when the installation first used it.

    Unlike staff keys, a receipt's derivation cost cannot be stored with it (the
    lookup happens before the report is known), so changing the settings later
    would make every existing receipt useless. The cost in force at first use is
    kept next to the receipt salt and used from then on.
    """
    cost = json.loads(receipt_kdf_file())
    return int(cost["opslimit"]), int(cost["memlimit"])


def receipt_kdf_file() -> str:
    """The shared file that fixes the receipt cost, made from the settings on first use."""
    first = {"opslimit": settings.VAULT_KDF_OPSLIMIT, "memlimit": settings.VAULT_KDF_MEMLIMIT}
    return shared_file(RECEIPT_KDF_FILE, lambda: json.dumps(first))


def receipt_tag(receipt: str) -> bytes | None:
    """The fast tag stored with a report; None if ``receipt`` cannot be a receipt.

    Keyed with a secret of the data directory, so a copy of the database alone
    cannot even test guesses.
    """
    normalized = receipt_normalize(receipt)
    if normalized is None:
        return None
    key = bytes.fromhex(installation_secret("receipt-tag-key"))
    return hashlib.blake2b(
        normalized.encode(), key=key, person=b"mp-receipt-tag", digest_size=32
    ).digest()


def receipt_derive(receipt: str) -> ReceiptSecrets:
    """Derive the lookup value and reporter key: the slow step, run through the bounded queue.

    Raises vault.derivations.DerivationBusy when the queue is too long to wait in.
    """
    normalized = receipt_normalize(receipt)
    # Malformed input still pays the full cost, so timing says nothing about form.
    material = (normalized or receipt[:64]).encode()
    salt = bytes.fromhex(installation_secret("receipt-salt", crypto.KDF_SALT_BYTES))
    opslimit, memlimit = receipt_kdf_cost()
    with derivation_gate().slot():
        master = crypto.derive_key(material, salt, opslimit=opslimit, memlimit=memlimit)
    lookup = crypto.subkey(master, b"mp-receipt-look")
    if normalized is None:
        lookup = b"\0" * 32  # never matches a real tag
    return ReceiptSecrets(
        lookup=lookup, private_key=PrivateKey(crypto.subkey(master, b"mp-receipt-key"))
    )
