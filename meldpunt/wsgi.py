"""The WSGI application, for waitress-serve or another WSGI server.

Loading it sweeps the temporary directory of what a crash left there, as the
``meldpunt`` verbs that serve do (datadir.temporary_files_sweep).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from meldpunt.datadir import temporary_files_sweep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
application = get_wsgi_application()
temporary_files_sweep(Path(settings.FILE_UPLOAD_TEMP_DIR))
