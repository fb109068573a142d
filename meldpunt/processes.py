"""What every serving or working process does before it takes work.

Run by the ``meldpunt`` verbs that serve or work (cli.py) and by loading
``meldpunt.wsgi``: remove what a crash left in the temporary directory, and
refuse to start on shared files that are not the installation's
(vault/installation.py), before any key is derived from them, and on hash-shard
settings that could not work (hashes/shards.py).
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from meldpunt.datadir import SharedFileMissing, temporary_files_sweep
from meldpunt.hashes.shards import shards_configuration_check
from meldpunt.vault.installation import SharedFilesDiffer, shared_files_verify_if_installed


def process_start() -> None:
    """Exits with the reason when this machine's shared files are wrong or missing."""
    temporary_files_sweep(Path(settings.FILE_UPLOAD_TEMP_DIR))
    try:
        shared_files_verify_if_installed()
        shards_configuration_check()
    except (SharedFilesDiffer, SharedFileMissing, ImproperlyConfigured) as error:
        raise SystemExit(f"meldpunt: {error}") from error
    finally:
        # The loading thread serves no request that would close its connection: kept,
        # it would sit idle for good, and with a pool (MELDPUNT_DB_POOL) take one of
        # the pool's connections from the requests. A caller's open transaction stays.
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
