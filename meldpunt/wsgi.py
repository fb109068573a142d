"""The WSGI application, for waitress-serve or another WSGI server.

Loading it does what every serving process does first (processes.process_start):
sweep the temporary directory, check the installation's shared files.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
application = get_wsgi_application()

from meldpunt.processes import process_start  # noqa: E402 - needs the apps loaded

process_start()
