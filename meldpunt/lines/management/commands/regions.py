from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from meldpunt.lines.regions import RegionFileError, postcode_resolve, regions_import


class Command(BaseCommand):
    help = "Import municipalities, mergers and postcodes from CBS files, or look up a postcode."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        importing = verbs.add_parser(
            "import",
            help="Read the given CBS files completely, then write them in one transaction.",
        )
        importing.add_argument(
            "--municipalities", type=Path, help="Gemeenten alfabetisch JJJJ (CSV)."
        )
        importing.add_argument("--mergers", type=Path, help="Municipal reorganisations (CSV).")
        importing.add_argument(
            "--postcodes", type=Path, help="pc6hnrJJJJMMDD_gwb.csv (replaces the postcode table)."
        )
        importing.add_argument("--no-progress", action="store_true", help="No progress bar.")
        resolving = verbs.add_parser("resolve", help="Which municipality a postcode lies in.")
        resolving.add_argument("postcode")
        resolving.add_argument(
            "--on", type=date.fromisoformat, help="As of this date (default: today)."
        )

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "import":
            self._import(**options)
        else:
            self._resolve(options["postcode"], options["on"] or timezone.localdate())

    def _import(self, *, municipalities, mergers, postcodes, no_progress, **_options) -> None:
        if not (municipalities or mergers or postcodes):
            raise CommandError("give at least one of --municipalities, --mergers, --postcodes")
        size = postcodes.stat().st_size if postcodes and postcodes.exists() else 0
        with tqdm(
            total=size, unit="B", unit_scale=True, disable=no_progress or not size, file=self.stderr
        ) as bar:
            try:
                summary = regions_import(
                    municipalities=municipalities,
                    mergers=mergers,
                    postcodes=postcodes,
                    progress=bar.update,
                )
            except RegionFileError as error:
                raise CommandError(f"nothing imported: {error}") from error
        self.stdout.write(
            f"{summary.municipalities} municipalities, {summary.mergers} mergers, "
            f"{summary.postcodes} postcodes ({summary.addresses} addresses) imported"
        )

    def _resolve(self, text: str, on: date) -> None:
        location = postcode_resolve(text=text, on=on)
        self.stdout.write(f"{location.postcode or text}: {location.status}")
        for candidate in location.candidates:
            self.stdout.write(
                f"  {candidate.municipality.code} {candidate.municipality.name} "
                f"({candidate.addresses} addresses)"
            )
