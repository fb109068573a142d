"""ASGI entry point: the same site, plus the chat's live event streams (meldpunt.chat.live)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

application = get_asgi_application()
