"""What a web process loads before its first request (issue 17, item 6)."""

import json
import os
import subprocess
import sys

# Heavy modules that only some requests or only workers need.
HEAVY = ("faiss", "numpy", "av", "pikepdf", "pdqhash", "vpdq", "boto3", "botocore")

_PROBE = """
import json, sys
import meldpunt.wsgi
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request would
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})))
"""


def test_a_web_process_starts_without_the_matching_and_media_libraries(tmp_path):
    environment = {
        **os.environ,
        "MELDPUNT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "meldpunt.settings",
    }
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=set(HEAVY))],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
