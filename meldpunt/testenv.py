"""A pytest plugin, loaded with ``-p`` before pytest-django reads the settings.

It gives the test run a fresh data directory, Argon2id at libsodium's minimum
cost (same code paths, cheaper parameters), the immediate task backend and
the worker key in the data directory, as in the demo.
Anything already set in the environment wins.
"""

import os
import tempfile

os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-test-"))
os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
os.environ.setdefault("MELDPUNT_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
# Tasks run inline, in the test process: it is the worker, with the demo's key.
os.environ.setdefault("MELDPUNT_WORKER_KEY_IN_DATA_DIR", "1")
