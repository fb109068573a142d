"""``meldpunt backup OUT``: the whole installation in one encrypted archive.

See meldpunt/operations/backups.py for what goes in and how it is protected,
and docs/operations.md ("Backups") for how to use it.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.operations.backups import ArchiveError, backup_write
from meldpunt.operations.passphrases import passphrase_arguments, passphrase_read
from meldpunt.vault.blobs import BlobStoreUnavailable
from meldpunt.vault.crypto import DecryptionError


class Command(BaseCommand):
    help = "Write an encrypted archive of the database, the blob store and the data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", type=Path, help="the archive to write")
        parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
        passphrase_arguments(parser)

    def handle(self, *args, out: Path, force: bool, **options) -> None:
        if out.exists() and not force:
            raise CommandError(f"{out} exists; give --force to replace it.")
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a directory.")
        passphrase = passphrase_read(options, is_new=True)
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity:
                print(message, file=sys.stderr, flush=True)

        try:
            summary = backup_write(out=out, passphrase=passphrase, progress=progress)
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        except DecryptionError as error:
            raise CommandError(
                f"The blob store holds a damaged blob ({error}); no archive was written."
            ) from error
        except BlobStoreUnavailable as error:
            raise CommandError(
                f"The blob store did not answer ({error}); no archive was written."
            ) from error
        for name in summary.missing_blobs:
            self.stderr.write(f"blob {name} was deleted while the backup ran; left out")
        self.stdout.write(
            f"Wrote {out}: {summary.rows} rows in {summary.tables} tables, {summary.blobs} blobs "
            f"({summary.blob_bytes} bytes), data directory files: {', '.join(summary.files)}."
        )
