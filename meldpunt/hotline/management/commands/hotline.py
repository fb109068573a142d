"""``meldpunt hotline``: operator commands of the content hotline.

meldpunt hotline import-ip-table FILE   replace the IP-to-network table (ip2asn TSV)
meldpunt hotline recheck                 check every address that is due now
meldpunt hotline schedule                start the hourly re-check chain on the worker
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from meldpunt.hotline.iptable import IpTableInvalid, ip_table_import


class Command(BaseCommand):
    help = "Operator commands of the content hotline (docs/hotline.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        importing = verbs.add_parser(
            "import-ip-table",
            help="Replace the IP-to-network table with an ip2asn TSV file (.tsv or .tsv.gz).",
        )
        importing.add_argument("path", type=Path)
        verbs.add_parser("recheck", help="Check every reported address that is due now.")
        verbs.add_parser("schedule", help="Queue the periodic re-check on the worker.")

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "import-ip-table":
            self._import(options["path"])
        elif verb == "recheck":
            from meldpunt.hotline.checking import reported_urls_recheck_due

            self.stdout.write(f"checked: {reported_urls_recheck_due()}")
        else:
            from meldpunt.hotline.tasks import hotline_recheck_schedule

            when = hotline_recheck_schedule()
            self.stdout.write(f"next re-check: {when.isoformat() if when else 'already queued'}")

    def _import(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with tqdm(unit=" ranges", disable=not self.stdout.isatty()) as bar:

            def progress(count: int) -> None:
                bar.update(count - bar.n)

            try:
                count = ip_table_import(path=path, progress=progress)
            except IpTableInvalid as error:
                raise CommandError(f"{path}: {error}; nothing was imported") from None
        self.stdout.write(f"{count} ranges imported from {path.name}")
