"""``meldpunt demo``: a working reporting point on this machine in one command."""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.lines.models import Line, LineMembership
from meldpunt.lines.transfer import lines_import
from meldpunt.periodic import periodic_schedule_all
from meldpunt.vault.keys import staff_key_create
from meldpunt.vault.models import Role, StaffUser

DEMO_CONFIG = Path(__file__).resolve().parents[3] / "lines" / "data" / "demo.yaml"
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

    def handle(self, *args, host: str, port: int, no_serve: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Line.objects.exists():
            lines_import(yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8")))
            self.stdout.write("Demo lines loaded.")
        self._staff()
        # The worker's periodic jobs: retention purge, notifications, URL re-checks.
        periodic_schedule_all()
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        if no_serve:
            return
        self._serve(host, port)

    def _staff(self) -> None:
        if StaffUser.objects.exists():
            self.stdout.write(
                "Staff accounts exist already; their credentials were shown on first run."
            )
            return
        self.stdout.write("Demo staff (shown once; sign in at /staff/sign-in/):")
        for username, role, is_admin in DEMO_STAFF:
            password = "-".join(secrets.token_hex(3) for _ in range(4))
            user = StaffUser.objects.create_user(
                username=username,
                password=password,
                role=role,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            staff_key_create(user=user, password=password)
            for line in Line.objects.all():
                LineMembership.objects.create(line=line, user=user)
            device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            secret = device.config_url.split("secret=")[1].split("&")[0]
            self.stdout.write(
                f"  user={username} password={password} totp_secret={secret} role={role}"
            )

    def _serve(self, host: str, port: int) -> None:
        from waitress import serve

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
