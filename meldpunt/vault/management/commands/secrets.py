"""``meldpunt secrets export DIR``: the files every machine of an installation must share."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.vault.installation import shared_files_export


class Command(BaseCommand):
    help = (
        "Write the installation's shared secrets (receipt salt and keys, Django's secret key, "
        "hotline keys, the worker's public key) to a new directory, to give every further "
        "web or worker machine as MELDPUNT_SECRETS_DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="Write the shared files to DIR (new or empty).")
        export.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args, verb: str, directory: Path, **options) -> None:
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise CommandError(f"{directory} exists and is not an empty directory.")
        try:
            names = shared_files_export(directory)
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote {', '.join(names)} to {directory.resolve()}.")
        self.stdout.write(
            "Copy it to every machine (owner-only, as it is) and set "
            "MELDPUNT_SECRETS_DIR to it there. Worker machines also need the worker key: "
            "`meldpunt worker_key move --out PATH` here, then MELDPUNT_WORKER_KEY_FILE=PATH "
            "on each worker (docs/operations.md, Several machines)."
        )
