"""``meldpunt demo``: a working reporting point on this machine in one command."""

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application

from meldpunt.cases.demo import demo_account_create, demo_steps
from meldpunt.lines.models import Line, LineMembership, PostcodeArea
from meldpunt.lines.regions import regions_import
from meldpunt.lines.transfer import lines_import
from meldpunt.periodic import periodic_schedule_all
from meldpunt.vault.models import Role, StaffUser

DEMO_CONFIG = Path(__file__).resolve().parents[3] / "lines" / "data" / "demo.yaml"
# Small files in the layout of CBS's (docs/operations.md): a few municipalities,
# two mergers and some postcodes, one four-digit area spanning two municipalities.
DEMO_REGIONS = DEMO_CONFIG.parent / "regions"
DEMO_STAFF = [
    ("beheerder", Role.ADMINISTRATOR, True),
    ("analist", Role.ANALYST, False),
]


class Command(BaseCommand):
    help = "Set up a demonstration (database, lines, staff) and serve it with a worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Only set up; do not start the server."
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="Serve with Uvicorn (ASGI, the 'live' extra) instead of waitress, so the "
            "chat is live for browsers with JavaScript.",
        )

    def handle(
        self, *args, host: str, port: int, no_serve: bool, live: bool = False, **options
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Line.objects.exists():
            lines_import(yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8")))
            self.stdout.write("Demo lines loaded.")
        if not PostcodeArea.objects.exists():
            regions_import(
                municipalities=DEMO_REGIONS / "gemeenten-alfabetisch-2025.csv",
                mergers=DEMO_REGIONS / "herindelingen.csv",
                postcodes=DEMO_REGIONS / "pc6hnr-sample.csv",
            )
            self.stdout.write("Demo municipalities and postcodes loaded.")
        self._staff()
        # The worker's periodic jobs: retention purge, notifications, URL re-checks.
        periodic_schedule_all()
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        if no_serve:
            return
        self._serve(host, port, live=live)

    def _staff(self) -> None:
        if StaffUser.objects.exists():
            self.stdout.write(
                "Staff accounts exist already; their credentials were shown on first run."
            )
            return
        self.stdout.write("Demo staff (shown once; sign in at /staff/sign-in/):")
        for username, role, is_admin in DEMO_STAFF:
            user = demo_account_create(
                username=username, role=role, is_admin=is_admin, stdout=self.stdout
            )
            for line in Line.objects.all():
                LineMembership.objects.create(line=line, user=user)
        for step in demo_steps():
            step(self.stdout)

    def _serve(self, host: str, port: int, *, live: bool = False) -> None:
        if live and importlib.util.find_spec("uvicorn") is None:
            raise CommandError(
                "--live needs Uvicorn: pip install 'meldpunt[live]' (docs/operations.md)."
            )
        # A demonstration keeps its worker key in the data directory, beside the
        # database (docs/security.md); an installation moves it out.
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "meldpunt.cli", "worker", "--interval", "1"],
            env={**os.environ, "MELDPUNT_WORKER_KEY_IN_DATA_DIR": "1"},
        )
        # A plain `kill` must stop the worker too, not only Ctrl+C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C stops)", ending="\n")
        self.stdout.flush()
        try:
            if live:
                self._serve_asgi(host, port)
                return
            from waitress import serve

            serve(
                StaticFilesHandler(get_wsgi_application()),
                host=host,
                port=port,
                # Enough threads that every waiting reporter reaches the derivation
                # queue, which answers "busy" in time (docs/operations.md, "Load").
                threads=64,
                ident="meldpunt",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _serve_asgi(self, host: str, port: int) -> None:
        """The same site over ASGI (meldpunt.asgi), so the chat pages load their live script.

        Not the default: Uvicorn is an optional extra, and the "busy in time"
        figures of docs/operations.md ("Load") were measured under waitress.
        """
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from meldpunt.asgi import application

        # No access log and no proxy headers: no client address is logged or believed.
        uvicorn.run(
            ASGIStaticFilesHandler(application),
            host=host,
            port=port,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
