"""Test set-up shared by every app: a private data directory and cheap key derivation."""

import os
import tempfile

# Before Django settings are imported: all state of the test run in a fresh
# directory, and Argon2id at libsodium's minimum cost so the suite stays fast.
# The code paths are the same as in production; only the cost parameters differ.
os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-test-"))
os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
os.environ.setdefault("MELDPUNT_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
