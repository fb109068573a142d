"""``meldpunt worker_key move --out PATH``: keep the worker key out of the data directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.evidence.derivatives import worker_key_move


class Command(BaseCommand):
    help = (
        "Move the worker key (which opens files waiting for previews) out of the data "
        "directory, or make a new one there, and publish its public key in the data directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        move = verbs.add_parser("move", help="Write the worker key to PATH, outside the data dir.")
        move.add_argument("--out", required=True, type=Path, help="a new file, e.g. on tmpfs")
        move.add_argument(
            "--new",
            action="store_true",
            help="Make a new key instead of moving the old one (old backups then open nothing "
            "sealed from now on; files waiting for the old key fail and can be requested again).",
        )

    def handle(self, *args, verb: str, out: Path, new: bool, **options) -> None:
        try:
            worker_key_move(destination=out, is_new=new)
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Worker key written to {out.resolve()}; set MELDPUNT_WORKER_KEY_FILE to it "
            "for every worker. The data directory now holds only its public key."
        )
