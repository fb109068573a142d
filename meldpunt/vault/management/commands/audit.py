"""``meldpunt audit verify``: check the hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.vault.audit import audit_verify


class Command(BaseCommand):
    help = "Check the tamper-evident audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verify = verbs.add_parser(
            "verify", help="Walk the hash chain and name the first broken event."
        )
        verify.add_argument(
            "--head",
            default="",
            help="A head hash printed by an earlier run; detects events removed from the end.",
        )

    def handle(self, *args, verb: str, head: str, **options) -> None:
        report = audit_verify(expected_head=head.strip().lower())
        if not report.is_intact:
            event = report.first_broken
            where = f"event {event.sequence} ({event.action})" if event else "the end of the chain"
            raise CommandError(
                f"audit chain broken at {where}: {report.problem}; "
                f"{report.checked} events before it are intact"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events, head {report.head_hash}")
