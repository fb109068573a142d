"""``meldpunt hashes``: import lists of known hashes, show the lists, remove one.

meldpunt hashes import FILE --list NAME [--algorithm ALG] [--create]
                            [--source TEXT] [--description TEXT]
meldpunt hashes lists
meldpunt hashes activate NAME | deactivate NAME
meldpunt hashes remove NAME --yes
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from meldpunt.hashes.hashfile import HashFileInvalid, algorithm_parse
from meldpunt.hashes.models import Algorithm, HashList
from meldpunt.hashes.selectors import hash_lists_with_counts
from meldpunt.hashes.services import (
    hash_file_check,
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    hash_list_remove,
)


class Command(BaseCommand):
    help = "Import, list, switch on or off and remove lists of known hashes (docs/hashes.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        importing = verbs.add_parser(
            "import", help="Add the hashes of a text or CSV file to a list, all or nothing."
        )
        importing.add_argument("path", type=Path)
        importing.add_argument("--list", required=True, dest="list_name")
        importing.add_argument("--algorithm", choices=[a.value for a in Algorithm])
        importing.add_argument("--create", action="store_true", help="Create the list if new.")
        importing.add_argument("--source", default="", help="Who supplied it (for --create).")
        importing.add_argument("--description", default="", help="For --create.")
        verbs.add_parser("lists", help="Show every list with its hash counts.")
        for verb, text in (("activate", "Match a list again."), ("deactivate", "Stop matching.")):
            verbs.add_parser(verb, help=text).add_argument("name")
        removing = verbs.add_parser("remove", help="Delete a list and all its hashes.")
        removing.add_argument("name")
        removing.add_argument("--yes", action="store_true", help="Confirm the removal.")

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "import":
            self._import(options)
        elif verb == "lists":
            self._lists()
        elif verb in ("activate", "deactivate"):
            hash_list_activate(hash_list=self._list(options["name"]), is_active=verb == "activate")
            self.stdout.write(f"{options['name']}: {verb}d")
        else:
            self._remove(options["name"], options["yes"])

    def _list(self, name: str) -> HashList:
        try:
            return HashList.objects.get(name=name)
        except HashList.DoesNotExist:
            raise CommandError(f"no hash list named {name!r} (see 'hashes lists')") from None

    def _import(self, options: dict) -> None:
        path, name = options["path"], options["list_name"]
        algorithm = algorithm_parse(options["algorithm"]) if options["algorithm"] else None
        if not path.is_file():
            raise CommandError(f"cannot read {path}: no such file")
        try:
            total = hash_file_check(path, algorithm=algorithm)
        except HashFileInvalid as invalid:
            raise CommandError(f"{path}: nothing imported: {invalid}") from invalid
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        hash_list = HashList.objects.filter(name=name).first()
        if hash_list is None:
            if not options["create"]:
                raise CommandError(f"no hash list named {name!r}: add --create to make it")
            try:
                hash_list = hash_list_create(
                    name=name, source=options["source"], description=options["description"]
                )
            except ValidationError as error:
                raise CommandError(f"cannot create list {name!r}: {error}") from error
        with tqdm(total=total, unit="hash", disable=total == 0, file=self.stderr) as bar:
            try:
                result = hash_list_import(
                    hash_list=hash_list, path=path, algorithm=algorithm, progress=bar.update
                )
            except HashFileInvalid as invalid:
                raise CommandError(f"{path}: nothing imported: {invalid}") from invalid
        self.stdout.write(
            f"{name}: {result.read} read, {result.added} added, "
            f"{result.already_present} already on the list"
        )

    def _lists(self) -> None:
        rows = hash_lists_with_counts()
        if not rows:
            self.stdout.write("no hash lists")
            return
        self.stdout.write(
            f"{'name':<30} {'active':<6} {'total':>10} {'sha256':>10} {'sha1':>10} "
            f"{'md5':>10} {'pdq':>10}  source"
        )
        for row in rows:
            self.stdout.write(
                f"{row.name:<30} {'yes' if row.is_active else 'no':<6} {row.total:>10} "
                f"{row.count_sha256:>10} {row.count_sha1:>10} {row.count_md5:>10} "
                f"{row.count_pdq:>10}  {row.source}"
            )

    def _remove(self, name: str, confirmed: bool) -> None:
        hash_list = self._list(name)
        if not confirmed:
            raise CommandError(f"this deletes {name!r} and all its hashes: add --yes to confirm")
        count = hash_list_remove(hash_list=hash_list)
        self.stdout.write(f"{name}: removed with {count} hashes")
