"""`meldpunt demo` starts the worker's periodic jobs of every app, each chain once."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from meldpunt.cases.tasks import send_staff_notifications
from meldpunt.hotline.tasks import hotline_recheck
from meldpunt.intake.retention_tasks import purge_expired_reports
from meldpunt.network.tasks import forwards_deliver_due, purge_expired_forwards
from meldpunt.privacy.tasks import traces_clear_task
from meldpunt.stats.tasks import months_keep_task
from meldpunt.workers.tasks import workers_recover

pytestmark = pytest.mark.django_db

# Every app's chain: each task queues its own next run.
CHAINS = {
    task.module_path
    for task in (
        purge_expired_reports,
        send_staff_notifications,
        hotline_recheck,
        workers_recover,
        traces_clear_task,
        purge_expired_forwards,
        forwards_deliver_due,
        months_keep_task,
    )
}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_demo_set_up_queues_every_periodic_chain_once():
    call_command("demo", "--no-serve", verbosity=0)
    call_command("demo", "--no-serve", verbosity=0)  # a second start adds no second chain
    queued = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(queued) == sorted(CHAINS)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_schedule_command_starts_the_same_chains_for_an_installation():
    call_command("schedule", verbosity=0)
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == CHAINS
