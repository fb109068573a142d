"""What every serving or working process does before it takes work.

Run by the ``meldpunt`` verbs that serve or work (cli.py) and by loading
``meldpunt.wsgi``: remove what a crash left in the temporary directory, and
refuse to start on shared files that are not the installation's
(vault/installation.py), before any key is derived from them.
"""

from pathlib import Path

from django.conf import settings

from meldpunt.datadir import SharedFileMissing, temporary_files_sweep
from meldpunt.vault.installation import SharedFilesDiffer, shared_files_verify_if_installed


def process_start() -> None:
    """Exits with the reason when this machine's shared files are wrong or missing."""
    temporary_files_sweep(Path(settings.FILE_UPLOAD_TEMP_DIR))
    try:
        shared_files_verify_if_installed()
    except (SharedFilesDiffer, SharedFileMissing) as error:
        raise SystemExit(f"meldpunt: {error}") from error
