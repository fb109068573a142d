"""ASGI entry point: the same site, plus the chat's live event streams (meldpunt.chat.live).

Loading it does what every serving process does first (processes.process_start),
as loading meldpunt.wsgi does.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
application = get_asgi_application()

from meldpunt.processes import process_start  # noqa: E402 - needs the apps loaded

process_start()
