"""A task that holds its worker until the test lets go: to kill a worker mid-task."""

import os
import time
from pathlib import Path

from django.tasks import task


@task()
def wait_for_release(folder: str) -> int:
    """Leave a "started-PID" marker, wait for a "release" file, return the worker's PID."""
    path = Path(folder)
    (path / f"started-{os.getpid()}").touch()
    while not (path / "release").exists():
        time.sleep(0.05)
    return os.getpid()
