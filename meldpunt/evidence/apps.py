from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "meldpunt.evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        # The worker checks our key at start, hands us jobs of dead workers and
        # expires old jobs and queues any job left without a task every minute
        # (meldpunt/workers/recovery.py).
        from meldpunt.datadir import shared_file_register
        from meldpunt.evidence.derivatives import (
            WORKER_PUBLIC_KEY_FILE,
            derivative_job_recover,
            derivative_jobs_expire,
            worker_key_check,
            worker_public_key,
        )
        from meldpunt.evidence.tasks import derivative_jobs_requeue, evidence_derivatives_make
        from meldpunt.workers.recovery import (
            task_recovery_register,
            worker_startup_register,
            worker_sweep_register,
        )

        worker_startup_register(worker_key_check)
        # Every machine seals job keys for the same worker key.
        shared_file_register(WORKER_PUBLIC_KEY_FILE, lambda: worker_public_key().hex())
        worker_sweep_register(derivative_jobs_expire)
        # After expiry: a job without a task gets one (tasks.derivative_jobs_requeue).
        worker_sweep_register(derivative_jobs_requeue)
        task_recovery_register(evidence_derivatives_make, derivative_job_recover)
        from meldpunt.evidence.tasks import evidence_derivatives_make
        from meldpunt.privacy.tasktimes import reporter_task_register

        # Runs seconds after an upload: nothing about it may be logged.
        reporter_task_register(evidence_derivatives_make)
