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


S3_STORAGE = "storages.backends.s3.S3Storage"


@checks.register(checks.Tags.compatibility)
def blob_bucket_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """An object store without a bucket would refuse every file only once reporters send one."""
    blob_storage = settings.STORAGES["blobs"]
    if blob_storage["BACKEND"] == S3_STORAGE and not blob_storage["OPTIONS"].get("bucket_name"):
        return [
            checks.Error(
                "MELDPUNT_BLOB_STORAGE chooses an S3 store, but MELDPUNT_S3_BUCKET is empty.",
                hint="Name the bucket that holds the blobs (docs/operations.md, Object storage).",
                id="meldpunt_operations.E002",
            )
        ]
    return []
