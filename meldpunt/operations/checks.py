"""System checks of the operator's settings for health and metrics."""

from typing import Any

from django.conf import settings
from django.core import checks

# Task rows keep their enqueuing time to the hour, so every waiting task of an
# earlier hour seems at least this old (docs/operations.md, "Health checks").
HEALTH_QUEUE_MIN_MINUTES = 60


@checks.register(checks.Tags.compatibility)
def health_queue_limit_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A queue limit under an hour would fail /health/ready for tasks that are on time."""
    if settings.HEALTH_QUEUE_MAX_AGE_MINUTES < HEALTH_QUEUE_MIN_MINUTES:
        return [
            checks.Error(
                f"MELDPUNT_HEALTH_QUEUE_MAX_AGE_MINUTES is "
                f"{settings.HEALTH_QUEUE_MAX_AGE_MINUTES:g}; it must be at least "
                f"{HEALTH_QUEUE_MIN_MINUTES}.",
                hint="Task times are kept to the hour, so any waiting task of an earlier "
                "hour seems at least an hour old.",
                id="meldpunt_operations.E001",
            )
        ]
    return []
