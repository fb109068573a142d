"""What the installation knows about its running background workers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one ``meldpunt worker`` process.

    django_tasks_db records which worker took a task but not whether that worker
    still lives; a worker killed with SIGKILL (or by the OOM killer, or a power
    cut) leaves its task "running" for ever. Each worker therefore writes this
    row every few seconds, and recovery (recovery.py) treats a task whose
    worker has been silent for ``WORKER_DEAD_SECONDS`` as abandoned.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
