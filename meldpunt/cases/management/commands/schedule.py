"""``meldpunt schedule``: start every periodic background job once (see meldpunt/periodic.py)."""

from django.core.management.base import BaseCommand

from meldpunt.periodic import periodic_schedule_all


class Command(BaseCommand):
    help = (
        "Queue the first run of every periodic job (retention purge, staff notifications, "
        "hotline re-checks); each then queues its own next run. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        periodic_schedule_all()
        self.stdout.write("Periodic jobs are queued; a worker (meldpunt db_worker) runs them.")
