"""Times of reporters' actions, kept no finer than the hour, in the database and on disk.

A time to the second can be matched against a network operator's or a Tor
relay's logs to find who reported; a time to the hour cannot. Everything a
reporter causes is therefore written with the hour only: rows (``hour_now`` in
the vault), task rows (``meldpunt.privacy.tasktimes``), sessions
(``meldpunt.privacy.sessionstore``) and the times of files in the data
directory (below). docs/security.md ("Times") lists each kept time.
"""

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

HOUR = timedelta(hours=1)


def hour_floor(moment: datetime) -> datetime:
    """The moment rounded down to the hour."""
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_ceil(moment: datetime) -> datetime:
    """The moment rounded up to the hour (unchanged when it is on the hour)."""
    floor = hour_floor(moment)
    return floor if floor == moment else floor + HOUR


def path_times_to_hour(*paths: Path | str) -> None:
    """Set the access and modification times of files or directories to this hour.

    Writing a file sets its own times and those of the directory it lands in,
    to the microsecond. The inode change time (ctime) cannot be set by anyone
    but the kernel; docs/security.md says what it still tells. Paths that
    vanished in the meantime (another process deleted them) are skipped.

    The access time is set to the end of the hour: with the usual ``relatime``
    mount option the kernel rewrites an access time that is not later than the
    modification time on the next read, which would stamp the worker's first
    read of a new upload to the microsecond.
    """
    # Plain seconds rather than timezone.now(): also used while settings load.
    hour_seconds = int(HOUR.total_seconds())
    modified = time.time() // hour_seconds * hour_seconds
    accessed = modified + hour_seconds
    for path in paths:
        try:
            os.utime(path, (accessed, modified))
        except FileNotFoundError:
            continue
