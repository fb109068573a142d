"""``meldpunt audit verify``: check the hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.vault.audit import audit_verify


class Command(BaseCommand):
    help = "Check the tamper-evident audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verify = verbs.add_parser("verify", help="Walk the hash chain and name every broken event.")
        verify.add_argument(
            "--head",
            default="",
            help="A head hash printed by an earlier run; detects events removed from the end.",
        )

    def handle(self, *args, verb: str, head: str, **options) -> None:
        report = audit_verify(expected_head=head.strip().lower())
        if not report.is_intact:
            for chain_break in report.breaks:
                self.stderr.write(f"broken at {chain_break}")
            raise CommandError(
                f"audit chain broken in {len(report.breaks)} places "
                f"({report.checked} events checked)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events, head {report.head_hash}")
