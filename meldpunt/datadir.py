"""Where an installation keeps its state.

Everything an operator must back up (database, encrypted blobs, installation
secrets) lives under one directory so that backing up or moving an installation
is a single copy.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import platformdirs

from meldpunt.privacy.hours import path_times_to_hour


def data_dir() -> Path:
    """Return the data directory, creating it with owner-only permissions."""
    configured = os.environ.get("MELDPUNT_DATA_DIR")
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("meldpunt"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# Every file the machines of an installation must share, with how to read it (making it
# where allowed): apps register theirs in AppConfig.ready().
_shared_files: dict[str, Callable[[], str]] = {}


class SharedFileMissing(Exception):
    """A shared file is not in MELDPUNT_SECRETS_DIR, where this machine may not make it."""


def shared_dir() -> Path:
    """Where the files every machine of an installation must share live.

    One machine keeps them in its data directory, made on first use. Several
    machines on one database get the same copy from the operator in
    ``MELDPUNT_SECRETS_DIR`` (``meldpunt secrets export``); there none is ever made,
    so a machine cannot silently derive keys of its own.
    """
    configured = os.environ.get("MELDPUNT_SECRETS_DIR")
    return Path(configured) if configured else data_dir()


def shared_file(name: str, make: Callable[[], str]) -> str:
    """The content of a shared file, made with ``make()`` on first use on a single machine.

    Raises SharedFileMissing when it is absent from MELDPUNT_SECRETS_DIR.
    """
    path = shared_dir() / name
    if not path.exists():
        if "MELDPUNT_SECRETS_DIR" in os.environ:
            raise SharedFileMissing(
                f"{name} is not in MELDPUNT_SECRETS_DIR ({path.parent}). Every machine needs "
                "the same copy: run `meldpunt secrets export DIR` on the first machine and "
                "copy DIR to this one (docs/operations.md, Several machines)."
            )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
            # Often made by the installation's first report: keep only the hour.
            path_times_to_hour(path, path.parent)
    return data_file_read(path)


def shared_file_register(name: str, read: Callable[[], str]) -> None:
    """Have the start-up check and ``meldpunt secrets export`` cover this shared file.

    ``read`` returns what the file holds (making it where this machine may).
    """
    _shared_files[name] = read


def installation_secret_register(name: str, nbytes: int = 32) -> None:
    """shared_file_register for a secret of installation_secret."""
    shared_file_register(f"{name}.secret", lambda: installation_secret(name, nbytes))


def shared_files() -> dict[str, Callable[[], str]]:
    """The registered shared files by name (see shared_file_register)."""
    return dict(_shared_files)


def installation_secret(name: str, nbytes: int = 32) -> str:
    """Return a random secret of the installation (a shared file), made on first use.

    Secrets live in files rather than in the database so that a copy of the
    database alone is worth less to an attacker.
    """
    return shared_file(f"{name}.secret", lambda: secrets.token_hex(nbytes)).strip()


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


def _files_open_in_running_processes() -> set[tuple[int, int]]:
    """(device, inode) of every file some process we can see holds open."""
    held = set()
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            descriptors = list((process / "fd").iterdir())
        except OSError:  # ended meanwhile, or another user's (it cannot open our 0700 tmp/)
            continue
        for descriptor in descriptors:
            try:
                status = descriptor.stat()
            except OSError:
                continue
            held.add((status.st_dev, status.st_ino))
    return held


def temporary_files_sweep(directory: Path) -> int:
    """Remove what a crash left in the temporary directory; returns how many files went.

    Run at the start of every server and worker. A process killed with
    SIGKILL (or a power loss) cannot clean up after itself, and what it left
    may be a plaintext download of the hotline or a half-written blob. Files
    that a running process still holds open (another worker, the web server)
    are theirs, and stay.
    """
    if not directory.is_dir():
        return 0
    held = _files_open_in_running_processes()
    removed = 0
    for path in sorted(directory.rglob("*"), reverse=True):  # contents before their folders
        try:
            status = path.lstat()
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            elif (status.st_dev, status.st_ino) not in held:
                path.unlink()
                removed += 1
        except OSError:  # taken by its owner or another sweeper meanwhile
            continue
    return removed
