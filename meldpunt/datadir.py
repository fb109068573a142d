"""Where an installation keeps its state.

Everything an operator must back up (database, encrypted blobs, installation
secrets) lives under one directory so that backing up or moving an installation
is a single copy.
"""

import os
import secrets
from pathlib import Path

import platformdirs

from meldpunt.privacy.hours import path_times_to_hour


def data_dir() -> Path:
    """Return the data directory, creating it with owner-only permissions."""
    configured = os.environ.get("MELDPUNT_DATA_DIR")
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("meldpunt"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def installation_secret(name: str, nbytes: int = 32) -> str:
    """Return a random secret kept in the data directory, made on first use.

    Secrets live in files rather than in the database so that a copy of the
    database alone is worth less to an attacker.
    """
    path = data_dir() / f"{name}.secret"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(nbytes))
            # Often made by the installation's first report: keep only the hour.
            path_times_to_hour(path, path.parent)
    return data_file_read(path).strip()


def data_file_read(path: Path) -> str:
    """Read a small file of the data directory without changing its access time.

    Secrets are read on every receipt derivation; with the usual ``relatime``
    mount option the first read of a day would stamp the file's access time with
    the moment of that day's first report or mailbox visit, to the microsecond.
    ``O_NOATIME`` (Linux, for files the process owns) leaves it alone; where the
    flag does not exist the read is an ordinary one.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
    with os.fdopen(descriptor, encoding="utf-8") as handle:
        return handle.read()
