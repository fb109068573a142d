"""Where the passphrase of a backup comes from: a file, the environment or the terminal.

Never from the command line, where every user of the machine could read it
in the process list, and never stored anywhere by meldpunt.
"""

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError, CommandParser

PASSPHRASE_VARIABLE = "MELDPUNT_BACKUP_PASSPHRASE"  # noqa: S105 - a variable's name


def passphrase_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"Read the passphrase from this file (its first line); else ${PASSPHRASE_VARIABLE}, "
        "else it is asked for on the terminal.",
    )


def passphrase_read(options: dict, *, is_new: bool) -> str:
    """The passphrase the operator gave; asked twice on a terminal for a new archive."""
    path: Path | None = options.get("passphrase_file")
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise CommandError(f"Cannot read the passphrase file: {error}") from error
        return lines[0] if lines else ""
    if os.environ.get(PASSPHRASE_VARIABLE):
        return os.environ[PASSPHRASE_VARIABLE]
    if not sys.stdin.isatty():
        raise CommandError(f"No passphrase: give --passphrase-file or set {PASSPHRASE_VARIABLE}.")
    passphrase = getpass.getpass("Passphrase of the backup: ")
    if is_new and getpass.getpass("The same passphrase again: ") != passphrase:
        raise CommandError("The passphrases differ.")
    return passphrase
