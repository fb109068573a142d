import json
import sys
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.lines.transfer import lines_export, lines_import


class Command(BaseCommand):
    help = "Import or export lines, categories, questionnaires and municipalities (YAML or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        importing = verbs.add_parser("import", help="Create or update from a YAML or JSON file.")
        importing.add_argument("path", type=Path)
        exporting = verbs.add_parser("export", help="Write the configuration to stdout or a file.")
        exporting.add_argument("--format", choices=["yaml", "json"], default="yaml")
        exporting.add_argument("--output", type=Path)

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "import":
            self._import(options["path"])
        else:
            self._export(options["format"], options.get("output"))

    def _import(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        if not isinstance(data, dict):
            raise CommandError(f"{path}: expected a mapping with 'lines' and/or 'municipalities'")
        try:
            counts = lines_import(data)
        except (ValidationError, KeyError, TypeError) as error:
            raise CommandError(f"{path}: nothing imported: {error}") from error
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()) + " imported")

    def _export(self, fmt: str, output: Path | None) -> None:
        data = lines_export()
        text = (
            json.dumps(data, indent=2, ensure_ascii=False)
            if fmt == "json"
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
