"""``meldpunt notifications``: collect news into staff notifications and send those due.

The worker does this every minute once the chain is started with
``meldpunt notifications --schedule``; without a task backend that can defer,
run the command every minute from cron. Running it more often, or on several
machines at once, sends nothing twice.
"""

from django.core.management.base import BaseCommand, CommandParser

from meldpunt.cases.services import notifications_collect, notifications_deliver
from meldpunt.cases.tasks import notifications_schedule


class Command(BaseCommand):
    help = "Collect news for staff notifications and send the ones that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="Start the every-minute task chain instead."
        )

    def handle(self, *args, schedule: bool = False, **options) -> None:
        if schedule:
            run_after = notifications_schedule()
            self.stdout.write(f"First run at {run_after}." if run_after else "Already queued.")
            return
        created = notifications_collect()
        sent, failed = notifications_deliver()
        self.stdout.write(f"{created} new, {sent} sent, {failed} failed (will be retried).")
