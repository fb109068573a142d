"""A pytest plugin, loaded with ``-p`` before pytest-django reads the settings.

It gives the test run a fresh data directory, Argon2id at libsodium's minimum
cost (same code paths, cheaper parameters) and the immediate task backend.
Anything already set in the environment wins.
"""

import os
import tempfile

os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-test-"))
os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
os.environ.setdefault("MELDPUNT_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
