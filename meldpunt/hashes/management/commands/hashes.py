"""``meldpunt hashes``: import lists of known hashes, show the lists, remove one.

meldpunt hashes import FILE --list NAME [--algorithm ALG] [--create]
                            [--source TEXT] [--description TEXT] [--label TEXT]
meldpunt hashes label NAME TEXT
meldpunt hashes lists
meldpunt hashes activate NAME | deactivate NAME
meldpunt hashes remove NAME --yes
meldpunt hashes retire ALGORITHM HEX --list NAME [--reason TEXT] | restore ALGORITHM HEX --list NAME
meldpunt hashes client create NAME [--contact TEXT] [--list LIST ...] [--quota N]
meldpunt hashes client list | revoke NAME | rotate NAME
meldpunt hashes scan DIR --server URL --token T [--algorithm ALG ...]  (any machine)
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from meldpunt.hashes.clients import (
    IssuedToken,
    check_client_create,
    check_client_revoke,
    check_client_rotate,
    check_usage_today,
)
from meldpunt.hashes.hashfile import HashFileInvalid, algorithm_parse
from meldpunt.hashes.models import Algorithm, HashCheckClient, HashList
from meldpunt.hashes.scanning import EXACT, ScanError, hashes_scan, scan_files
from meldpunt.hashes.selectors import hash_lists_with_counts
from meldpunt.hashes.services import (
    KnownHashRefused,
    hash_file_check,
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    hash_list_label,
    hash_list_remove,
    known_hash_restore,
    known_hash_retire,
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
        importing.add_argument(
            "--label", default="", help="Public label for hash-check clients (for --create)."
        )
        labelling = verbs.add_parser(
            "label", help="Set the label hash-check clients see for a list ('' removes it)."
        )
        labelling.add_argument("name")
        labelling.add_argument("label")
        verbs.add_parser("lists", help="Show every list with its hash counts.")
        for verb, text in (("activate", "Match a list again."), ("deactivate", "Stop matching.")):
            verbs.add_parser(verb, help=text).add_argument("name")
        retiring = verbs.add_parser(
            "retire", help="Stop matching one hash of a list, keeping it (undo with 'restore')."
        )
        restoring = verbs.add_parser("restore", help="Match a retired hash again.")
        for parser_ in (retiring, restoring):
            parser_.add_argument("algorithm", help="sha256, sha1, md5 or pdq")
            parser_.add_argument("value", metavar="HEX")
            parser_.add_argument("--list", required=True, dest="list_name")
        retiring.add_argument("--reason", default="", help="Why, for the audit log.")
        removing = verbs.add_parser("remove", help="Delete a list and all its hashes.")
        removing.add_argument("name")
        removing.add_argument("--yes", action="store_true", help="Confirm the removal.")
        scanning = verbs.add_parser(
            "scan", help="Hash a directory tree here and check the hashes with a server."
        )
        scanning.add_argument("path", type=Path)
        scanning.add_argument("--server", required=True, help="e.g. https://meldpunt.example")
        scanning.add_argument("--token", required=True, help="The hash-check token.")
        scanning.add_argument(
            "--algorithm",
            action="append",
            choices=EXACT,
            dest="algorithms",
            help="Hash to send per file (repeat for several; default sha256).",
        )
        clients = verbs.add_parser("client", help="Clients of the hash-check API.")
        client_verbs = clients.add_subparsers(dest="client_verb", required=True)
        creating = client_verbs.add_parser("create", help="A new client; prints its token once.")
        creating.add_argument("name")
        creating.add_argument("--contact", default="", help="Who to call about this client.")
        creating.add_argument(
            "--list",
            action="append",
            default=[],
            dest="lists",
            metavar="LIST",
            help="A hash list it may match against (repeat for several; each needs a label).",
        )
        creating.add_argument("--quota", type=int, default=100_000, help="Hashes per day.")
        client_verbs.add_parser("list", help="Show every client and today's use.")
        for verb, text in (
            ("revoke", "Switch the client off: its token is refused."),
            ("rotate", "Replace the client's token; prints the new one once."),
        ):
            client_verbs.add_parser(verb, help=text).add_argument("name")

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "import":
            self._import(options)
        elif verb == "lists":
            self._lists()
        elif verb == "label":
            self._label(options["name"], options["label"])
        elif verb == "client":
            self._client(options)
        elif verb == "scan":
            self._scan(options)
        elif verb in ("activate", "deactivate"):
            changed = hash_list_activate(
                hash_list=self._list(options["name"]), is_active=verb == "activate", actor=None
            )
            state = f"{verb}d" if changed else f"already {verb}d, nothing changed"
            self.stdout.write(f"{options['name']}: {state}")
        elif verb in ("retire", "restore"):
            self._retire(verb, options)
        else:
            self._remove(options["name"], options["yes"])

    def _scan(self, options: dict) -> None:
        root = options["path"]
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        total = sum(1 for _path in scan_files(root))
        with tqdm(total=total, unit="file", file=self.stderr) as bar:
            try:
                matches = hashes_scan(
                    root,
                    server=options["server"],
                    token=options["token"],
                    algorithms=options["algorithms"] or ["sha256"],
                    progress=bar.update,
                )
            except ScanError as error:
                raise CommandError(str(error)) from error
        for match in matches:
            self.stdout.write(f"{match.path}\t{match.algorithm}\t{', '.join(match.labels)}")
        self.stderr.write(f"{total} files checked, {len(matches)} matched")

    def _list(self, name: str) -> HashList:
        try:
            return HashList.objects.get(name=name)
        except HashList.DoesNotExist:
            raise CommandError(f"no hash list named {name!r} (see 'hashes lists')") from None

    def _retire(self, verb: str, options: dict) -> None:
        hash_list = self._list(options["list_name"])
        arguments = {
            "hash_list": hash_list,
            "algorithm": options["algorithm"],
            "value": options["value"],
            "actor": None,
        }
        try:
            if verb == "retire":
                known = known_hash_retire(**arguments, reason=options["reason"])
            else:
                known = known_hash_restore(**arguments)
        except KnownHashRefused as refused:
            raise CommandError(f"{hash_list.name}: nothing changed: {refused.message}") from None
        done = "retired (no longer matched)" if verb == "retire" else "restored (matched again)"
        self.stdout.write(f"{hash_list.name}: {known.algorithm} {known.value} {done}")

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
                    name=name,
                    source=options["source"],
                    description=options["description"],
                    public_label=options["label"],
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

    def _label(self, name: str, label: str) -> None:
        hash_list = self._list(name)
        if not label.strip() and hash_list.check_clients.exists():
            raise CommandError(
                f"{name!r} is offered to hash-check clients: take it from them first"
            )
        try:
            hash_list_label(hash_list=hash_list, public_label=label)
        except ValidationError as error:
            raise CommandError(f"cannot label {name!r}: {error}") from error
        self.stdout.write(f"{name}: public label {hash_list.public_label!r}")

    def _client(self, options: dict) -> None:
        verb = options["client_verb"]
        if verb == "list":
            self._client_list()
            return
        if verb == "create":
            lists = [self._list(name) for name in options["lists"]]
            try:
                issued = check_client_create(
                    name=options["name"],
                    contact=options["contact"],
                    hash_lists=lists,
                    daily_quota=options["quota"],
                )
            except ValidationError as error:
                raise CommandError(f"cannot create client {options['name']!r}: {error}") from error
            self._print_token(issued, "created")
            return
        client = HashCheckClient.objects.filter(name=options["name"]).first()
        if client is None:
            raise CommandError(f"no hash-check client named {options['name']!r}")
        if verb == "revoke":
            check_client_revoke(client=client)
            self.stdout.write(f"{client.name}: revoked (its token is refused from now on)")
        else:
            self._print_token(check_client_rotate(client=client), "new token; the old one is void")

    def _print_token(self, issued: IssuedToken, what: str) -> None:
        self.stdout.write(f"{issued.client.name}: {what}")
        self.stdout.write(f"token: {issued.token}")
        self.stdout.write("This token is shown once and not stored; hand it over securely.")

    def _client_list(self) -> None:
        clients = HashCheckClient.objects.prefetch_related("hash_lists")
        if not clients:
            self.stdout.write("no hash-check clients")
            return
        self.stdout.write(f"{'name':<30} {'active':<6} {'quota/day':>10} {'used today':>10}  lists")
        for client in clients:
            lists = ", ".join(h.name for h in client.hash_lists.all()) or "-"
            self.stdout.write(
                f"{client.name:<30} {'yes' if client.is_active else 'no':<6} "
                f"{client.daily_quota:>10} {check_usage_today(client).used:>10}  {lists}"
            )
