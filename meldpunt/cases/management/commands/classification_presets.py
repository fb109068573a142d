"""``meldpunt classification_presets <line> [--preset …]``: ready-made classification schemes."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.cases.presets import PRESETS
from meldpunt.cases.services import CaseError, classification_preset_install
from meldpunt.lines.models import Line


class Command(BaseCommand):
    help = "Add a ready-made set of classification schemes to a line (safe to repeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("line", help="slug of the line")
        parser.add_argument(
            "--preset",
            help="preset name; default: the one for the line's kind",
            choices=sorted(PRESETS),
        )

    def handle(self, *args, line: str, preset: str | None, **options) -> None:
        target = Line.objects.filter(slug=line).first()
        if target is None:
            raise CommandError(f"No line with slug {line!r}.")
        try:
            added = classification_preset_install(
                line=target, preset=preset or target.kind, actor=None
            )
        except CaseError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{added} classification options added to {target.slug}.")
