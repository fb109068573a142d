"""One installation on several machines: the shared files every machine must hold the same.

The secrets that derive receipt keys, sign exchange documents or seal hotline
addresses (datadir.shared_file) are made on first use by a single machine. A
second machine with its own copy (or none, so that it would make new ones)
would silently derive other keys: reporters' receipts would open nothing there.
The first start records a fingerprint of each file in the database; every later
start of any machine compares and refuses to run on a difference.
"""

import hashlib
import os
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction

from meldpunt.datadir import shared_files
from meldpunt.vault.models import SharedFileFingerprint


class SharedFilesDiffer(Exception):
    """This machine's shared files are not the installation's; the message says which."""


def _fingerprint(name: str, content: str) -> str:
    return hashlib.blake2b(
        content.strip().encode(), key=name.encode(), person=b"mp-shared-file", digest_size=32
    ).hexdigest()


def shared_files_verify() -> list[str]:
    """Record or compare every shared file's fingerprint; the names recorded now.

    Reading a file makes it where this machine may (one machine, no
    MELDPUNT_SECRETS_DIR), so that no key is made later by a machine that
    started before it existed. Raises SharedFilesDiffer, or datadir.SharedFileMissing
    when MELDPUNT_SECRETS_DIR lacks a file.
    """
    recorded = dict(SharedFileFingerprint.objects.values_list("name", "fingerprint"))
    differ, new = [], []
    for name, read in sorted(shared_files().items()):
        fingerprint = _fingerprint(name, read())
        if name not in recorded:
            new.append(name)
            try:
                with transaction.atomic():
                    SharedFileFingerprint.objects.create(name=name, fingerprint=fingerprint)
            except IntegrityError:  # another machine recorded it at the same moment
                recorded[name] = SharedFileFingerprint.objects.get(name=name).fingerprint
                new.remove(name)
        if name in recorded and recorded[name] != fingerprint:
            differ.append(name)
    if differ:
        raise SharedFilesDiffer(
            f"This machine's {', '.join(differ)} differ from the installation's: starting "
            "would derive other keys (receipts would open nothing here). Give every machine "
            "the same copy (`meldpunt secrets export DIR` on the first machine, "
            "MELDPUNT_SECRETS_DIR=DIR on each; docs/operations.md, Several machines)."
        )
    return new


def shared_files_verify_if_installed() -> list[str]:
    """shared_files_verify, or nothing on a database not migrated yet (a first start)."""
    try:
        SharedFileFingerprint.objects.exists()
    except DatabaseError:
        return []
    return shared_files_verify()


def shared_files_export(directory: Path) -> list[str]:
    """Write every shared file (made first where missing) to a new owner-only directory.

    The worker's private key is not among them: only worker machines hold it, in
    MELDPUNT_WORKER_KEY_FILE (evidence/derivatives.py).
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    names = sorted(shared_files())
    for name in names:
        content = shared_files()[name]()
        descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content)
    return names
