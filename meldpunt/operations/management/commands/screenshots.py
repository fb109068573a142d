"""``meldpunt screenshots DIR``: pictures of the back office for a reviewer, desk and phone.

The pictures come from a throw-away demonstration: a fresh data directory with
SQLite, set up as ``meldpunt demo`` does, a few reports, and the server on a free
port of 127.0.0.1, all removed afterwards. So the command leaves the database of
the installation it is run from alone, and anyone can make the same pictures again.
Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens the
pages of meldpunt.operations.screens with JavaScript off, as the layout tests do.
"""

import io
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
# Set by the command for its second process only: the temporary data directory it made.
# Demo accounts and reports are created only where this names the data directory in use,
# so the command can never fill a real installation with them.
THROW_AWAY = "MELDPUNT_SCREENSHOTS_THROW_AWAY"
CREDENTIALS = re.compile(r"user=(\S+) password=(\S+) totp_secret=([A-Z2-7]+=*) role=\S+")
ANALYST, PARTNER = "analist", "politie"  # accounts of the demo (cases/demo, network/demo)


def screenshot_name(screen_name: str, size: str, width: int, height: int) -> str:
    """E.g. ``queue-phone-390x844.png``: page, size, and the viewport it was taken in."""
    return f"{screen_name}-{size}-{width}x{height}.png"


class Command(BaseCommand):
    help = "Save full-page screenshots of staff, partner and error pages (desk and phone) in DIR."
    # The checks would open the database of the installation the command is run in,
    # which it leaves alone; the throw-away one is made and migrated by ``demo``.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", type=Path)

    def handle(self, *args, directory: Path, **options) -> None:
        directory = directory.resolve()
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a directory.")
        if not CHROMIUM.exists():
            raise CommandError(f"{CHROMIUM} is missing: install Debian's chromium package.")
        try:
            import playwright  # noqa: F401 - only to give a clear message
        except ImportError as error:
            raise CommandError("Playwright is missing: pip install 'meldpunt[test]'.") from error
        if os.environ.get(THROW_AWAY) == str(settings.DATA_DIR):
            self._photograph(directory)
        else:
            self._in_throw_away(directory)

    def _in_throw_away(self, directory: Path) -> None:
        """Run this command again in a process whose data directory is a temporary one."""
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="meldpunt-screens-") as data_dir:
            env = {
                name: value
                for name, value in os.environ.items()
                if name not in {"DATABASE_URL", "MELDPUNT_DATA_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            }
            env["MELDPUNT_DATA_DIR"] = env[THROW_AWAY] = data_dir
            command = [sys.executable, "-m", "meldpunt.cli", "screenshots", str(directory)]
            finished = subprocess.run(command, env=env, check=False)  # noqa: S603 - our own
        if finished.returncode:
            raise CommandError(f"Making the screenshots failed (exit {finished.returncode}).")

    def _photograph(self, directory: Path) -> None:
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.wsgi import get_wsgi_application
        from waitress import create_server

        from meldpunt.network.models import Partner
        from meldpunt.operations.screens import screens_data_create
        from meldpunt.vault.models import StaffUser

        printed = io.StringIO()
        call_command("demo", no_serve=True, stdout=printed)
        accounts = {
            username: (password, secret)
            for username, password, secret in CREDENTIALS.findall(printed.getvalue())
        }
        screens = screens_data_create(
            analyst=StaffUser.objects.get(username=ANALYST),
            password=accounts[ANALYST][0],
            partner=Partner.objects.get(memberships__user__username=PARTNER),
        )
        server = create_server(
            StaticFilesHandler(get_wsgi_application()), host="127.0.0.1", port=0, threads=8
        )
        threading.Thread(target=server.run, daemon=True).start()
        try:
            written = self._capture(
                directory, f"http://127.0.0.1:{server.effective_port}", screens, accounts
            )
        finally:
            server.close()
        for path in written:
            self.stdout.write(str(path))

    def _capture(self, directory: Path, base_url: str, screens: list, accounts: dict) -> list[Path]:
        """One signed-in browser context per viewer, resized for each size."""
        import base64

        from django_otp.oath import TOTP
        from playwright.sync_api import sync_playwright

        from meldpunt.operations.screens import SIZES, screen_open, staff_sign_in

        written = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            for viewer, username in (("analyst", ANALYST), ("partner", PARTNER), ("nobody", "")):
                context = browser.new_context(java_script_enabled=False, locale="nl-NL")
                page = context.new_page()
                if username:
                    password, secret = accounts[username]
                    # Each account signs in once: a code is accepted only once.
                    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
                    staff_sign_in(page, base_url, username=username, password=password, code=code)
                for size, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for screen in screens:
                        if screen.viewer != viewer:
                            continue
                        status = screen_open(page, base_url, screen)
                        if status != screen.status:
                            # A picture of the wrong page would mislead the reviewer.
                            raise CommandError(
                                f"{screen.path} answered {status}, not {screen.status}."
                            )
                        path = directory / screenshot_name(screen.name, size, width, height)
                        page.screenshot(path=path, full_page=True)
                        written.append(path)
                context.close()
            browser.close()
        return written
