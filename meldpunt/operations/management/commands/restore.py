"""``meldpunt restore IN``: set an installation up again from a backup archive.

``--verify-only`` reads and checks the whole archive and writes nothing. See
docs/operations.md ("Backups").
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.operations.backups import (
    ArchiveError,
    TargetNotEmpty,
    archive_restore,
    archive_verify,
)
from meldpunt.operations.passphrases import passphrase_arguments, passphrase_read
from meldpunt.stats.tasks import months_keep_soon
from meldpunt.vault.blobs import BlobStoreUnavailable


class Command(BaseCommand):
    help = "Restore an archive made by `meldpunt backup` into an empty installation."
    # The target may not be migrated yet: the restore migrates it, after verifying.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", type=Path, help="the archive to read")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="check the archive (passphrase, every part against the manifest); write nothing",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the installation holds (its rows and data-directory files)",
        )
        passphrase_arguments(parser)

    def handle(self, *args, source: Path, verify_only: bool, force: bool, **options) -> None:
        if not source.is_file():
            raise CommandError(f"{source} is not a file.")
        passphrase = passphrase_read(options, is_new=False)
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity:
                print(message, file=sys.stderr, flush=True)

        try:
            if verify_only:
                manifest = archive_verify(path=source, passphrase=passphrase, progress=progress)
                parts = manifest["parts"]
                blobs = sum(1 for part in parts if part["kind"] == "blob")
                self.stdout.write(
                    f"{source} is intact: {len(parts)} parts checked against the manifest "
                    f"({sum(manifest['rows'].values())} rows, {blobs} blobs), "
                    f"made by meldpunt {manifest['meldpunt']} on {manifest['database_vendor']}."
                )
                return
            manifest = archive_restore(
                path=source, passphrase=passphrase, is_forced=force, progress=progress
            )
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        except BlobStoreUnavailable as error:
            raise CommandError(
                f"The blob store failed during the restore ({error}). The database rows were "
                "rolled back and the blobs this restore had added deleted: nothing was restored."
            ) from error
        except TargetNotEmpty as error:
            raise CommandError(
                f"This installation is not empty ({error}). Restore into an empty one, or give "
                "--force to replace its database rows and data-directory files. "
                "Nothing was restored."
            ) from error
        self.stdout.write(
            f"Restored {source}: {sum(manifest['rows'].values())} rows, "
            f"{sum(1 for part in manifest['parts'] if part['kind'] == 'blob')} blobs."
        )
        # The statistics' kept months came with the rows, but loading the rows went through
        # the triggers that forget them (stats.triggers): a worker counts them again.
        if months_keep_soon():
            self.stdout.write("Statistics: a count of the forgotten months is queued.")
