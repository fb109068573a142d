"""ASGI entry point: the same site, plus the chat's live event streams (meldpunt.chat.live).

Loading it does what every serving process does first (processes.process_start),
as loading meldpunt.wsgi does: in a thread of its own, because Uvicorn's worker
processes (``--workers`` above 1) import the application inside their running
event loop, where Django refuses database work.
"""

import os
from concurrent.futures import ThreadPoolExecutor

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
application = get_asgi_application()

from meldpunt.processes import process_start  # noqa: E402 - needs the apps loaded

with ThreadPoolExecutor(max_workers=1) as _starting:
    _starting.submit(process_start).result()  # its SystemExit is raised here
