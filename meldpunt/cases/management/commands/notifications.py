"""``meldpunt notifications``: collect news into staff notifications and send those due.

Run it every minute (cron or a systemd timer); running it more often, or on
several machines at once, sends nothing twice.
"""

from django.core.management.base import BaseCommand

from meldpunt.cases.services import notifications_collect, notifications_deliver


class Command(BaseCommand):
    help = "Collect news for staff notifications and send the ones that are due."

    def handle(self, *args, **options) -> None:
        created = notifications_collect()
        sent, failed = notifications_deliver()
        self.stdout.write(f"{created} new, {sent} sent, {failed} failed (will be retried).")
