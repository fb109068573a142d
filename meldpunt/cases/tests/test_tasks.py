from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.cases.tasks import send_staff_notifications

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued():
    return DBTaskResult.objects.filter(
        task_path=send_staff_notifications.module_path, status=TaskResultStatus.READY
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_schedule_queues_one_run_a_minute_ahead_and_never_two(capsys):
    call_command("notifications", "--schedule")
    call_command("notifications", "--schedule")
    assert "Already queued." in capsys.readouterr().out
    [queued] = _queued()
    assert timezone.now() < queued.run_after <= timezone.now() + timedelta(minutes=1)


@override_settings(TASKS=DATABASE_TASKS)
def test_a_run_queues_the_next_one():
    send_staff_notifications.call()
    assert _queued().count() == 1
