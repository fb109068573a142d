"""``meldpunt demo --live``: the demo served over ASGI, so the chat is live with JavaScript.

The demo's lines have no chat of their own (the admin adds one); here a chat is
added to a demo line between setting up (``--no-serve``) and serving, as an
administrator would, and the served pages are checked for the live path.
"""

import os
import re
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from tests.conftest import _stop_process_group, _wait_for_demo, free_port

MELDPUNT = str(Path(sys.executable).parent / "meldpunt")
CHAT_SETUP = """
from datetime import time
from meldpunt.chat.models import ChatSettings, OpeningHours
from meldpunt.lines.models import Line
line = Line.objects.get(slug="misdaad")
ChatSettings.objects.create(line=line, receipt_category=line.categories.first())
for weekday in range(7):
    OpeningHours.objects.create(line=line, weekday=weekday, opens=time(0), closes=time(23, 59, 59))
"""


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MELDPUNT_")
        and name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return environment | {"MELDPUNT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def test_demo_live_serves_the_chat_with_its_live_script_and_event_stream(tmp_path):
    environment = _environment(tmp_path / "data")
    for command in (["demo", "--no-serve"], ["shell", "-c", CHAT_SETUP]):
        done = subprocess.run(  # noqa: S603 - our own console script
            [MELDPUNT, *command], env=environment, cwd=tmp_path, capture_output=True, timeout=600
        )
        assert done.returncode == 0, done.stderr.decode()
    port = free_port()
    output_path = tmp_path / "output.log"
    with output_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [MELDPUNT, "demo", "--live", "--port", str(port)],
            env=environment,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_demo(process, output_path, port)
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        start_page = browser.open(f"{base}/chat/misdaad/", timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start_page)[1]
        conversation = browser.open(
            f"{base}/chat/misdaad/start/",
            data=urlencode({"csrfmiddlewaretoken": token}).encode(),
            timeout=60,
        )
        assert conversation.url == f"{base}/chat/now/"
        page = conversation.read().decode()
        assert 'src="/static/chat/live.js"' in page
        assert "connect-src 'self'" in conversation.headers["Content-Security-Policy"]
        assert browser.open(f"{base}/static/chat/live.js", timeout=60).status == 200
        events = browser.open(f"{base}/chat/now/events/", timeout=60)
        assert events.headers["Content-Type"] == "text/event-stream"
        assert events.readline().startswith(b"retry: ")
        events.close()
        # The report form links to the open chat (intake's hook).
        assert 'href="/chat/misdaad/"' in browser.open(f"{base}/report/misdaad/").read().decode()
    finally:
        _stop_process_group(process)
    assert "Serving on" in output_path.read_text(encoding="utf-8")
