"""``meldpunt staff grant|revoke|reset``: line access and account resets from the console."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldpunt.lines.models import Line
from meldpunt.vault import crypto
from meldpunt.vault.access import AccessError, line_access_grant, line_access_revoke
from meldpunt.vault.accounts import staff_reset
from meldpunt.vault.keys import NoKeyError, staff_key_unlock
from meldpunt.vault.models import StaffUser


def _user(username: str) -> StaffUser:
    user = StaffUser.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no staff member named {username!r}")
    return user


def _line(slug: str) -> Line:
    line = Line.objects.filter(slug=slug).first()
    if line is None:
        raise CommandError(f"no line with slug {slug!r}")
    return line


def _read_password(username: str) -> str:
    """Ask on the terminal; from a pipe, read one line (never from the command line)."""
    if sys.stdin.isatty():
        return getpass.getpass(f"Password of {username}: ")
    return sys.stdin.readline().rstrip("\n")


class Command(BaseCommand):
    help = "Grant or revoke a staff member's access to a line's reports; reset an account."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        grant = verbs.add_parser(
            "grant",
            help="Make USER a member of LINE and share its existing reports with them. "
            "Needs the password of a member who can read them (asked, or one line on stdin).",
        )
        grant.add_argument("--line", required=True, help="slug of the line")
        grant.add_argument("--user", required=True, help="the new member")
        grant.add_argument("--by", required=True, help="an existing member who shares the keys")
        revoke = verbs.add_parser(
            "revoke", help="End USER's membership of LINE and delete their sealed keys of it."
        )
        revoke.add_argument("--line", required=True, help="slug of the line")
        revoke.add_argument("--user", required=True)
        reset = verbs.add_parser(
            "reset",
            help="Temporary password and a NEW key pair: reports shared before the reset "
            "become unreadable for this account.",
        )
        reset.add_argument("username")
        reset.add_argument(
            "--reset-2fa", action="store_true", help="also remove authenticator and recovery codes"
        )

    def handle(self, *args, verb: str, **options) -> None:
        try:
            getattr(self, f"_{verb}")(**options)
        except AccessError as error:
            raise CommandError(str(error)) from error

    def _grant(self, *, line: str, user: str, by: str, **_options) -> None:
        target_line, member, granter = _line(line), _user(user), _user(by)
        try:
            granter_key = staff_key_unlock(user=granter, password=_read_password(by))
        except NoKeyError as error:
            raise CommandError(f"{by} has no key pair") from error
        except crypto.DecryptionError as error:
            raise CommandError(f"wrong password for {by}") from error
        result = line_access_grant(
            line=target_line, user=member, granter=granter, granter_key=granter_key
        )
        self.stdout.write(
            f"{user} is a member of {line}: {result.granted} reports shared, "
            f"{result.already_held} already readable, "
            f"{result.not_shareable} not readable by {by} either"
        )

    def _revoke(self, *, line: str, user: str, **_options) -> None:
        removed = line_access_revoke(line=_line(line), user=_user(user), actor=None)
        self.stdout.write(f"{user} is no longer a member of {line}; {removed} sealed keys deleted")

    def _reset(self, *, username: str, reset_2fa: bool, **_options) -> None:
        password = staff_reset(user=_user(username), actor=None, reset_two_factor=reset_2fa)
        self.stdout.write(
            f"{username}: temporary password {password}\n"
            "Hand it over by a separate channel; it must be changed at the next sign-in.\n"
            "The account has a new key: reports shared before now are not readable for it "
            "until a colleague shares them again (meldpunt staff grant)."
        )
