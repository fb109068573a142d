"""``meldpunt purge``: destroy report content whose retention period has passed."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from meldpunt.intake.retention import (
    PurgeCandidate,
    purge_candidates,
    reports_due_for_purge,
    reports_purge,
)
from meldpunt.intake.retention_tasks import purge_schedule


class Command(BaseCommand):
    help = (
        "Crypto-shred the content (data key, files, messages) of reports past their line's "
        "retention period. Anonymous statistics are kept. Safe to run on many machines at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run", action="store_true", help="Only list what would be destroyed."
        )
        mode.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily purge task in the task queue instead of purging now.",
        )

    def handle(self, *args, dry_run: bool, schedule: bool, **options) -> None:
        if schedule:
            run_after = purge_schedule()
            if run_after is None:
                self.stdout.write(
                    "Not queued: a run is already waiting, or the backend cannot defer."
                )
            else:
                self.stdout.write(
                    f"Next purge queued for {timezone.localtime(run_after):%Y-%m-%d %H:%M}."
                )
            return
        now = timezone.now()
        if dry_run:
            self._dry_run(now)
            return
        total = reports_due_for_purge(now=now).count()
        with tqdm(total=total, unit="report", disable=total == 0, file=self.stderr) as bar:
            result = reports_purge(now=now, on_progress=lambda _candidate, _done: bar.update())
        self.stdout.write(
            self.style.SUCCESS(f"Destroyed the content of {len(result.destroyed)} report(s).")
        )
        if result.skipped:
            self.stdout.write(
                f"Skipped {len(result.skipped)} report(s) that became active or were "
                "taken by another worker during the run."
            )

    def _dry_run(self, now: datetime) -> None:
        count = 0
        for candidate in purge_candidates(now=now):
            self.stdout.write(self._describe(candidate))
            count += 1
        self.stdout.write(f"Dry run: {count} report(s) would be destroyed; nothing was changed.")

    @staticmethod
    def _describe(candidate: PurgeCandidate) -> str:
        state = "closed" if candidate.is_closed else "open"
        expired = timezone.localtime(candidate.expired_at)
        return (
            f"{candidate.reference}  line={candidate.line}  status={candidate.status} ({state})  "
            f"retention ended {expired:%Y-%m-%d}"
        )
