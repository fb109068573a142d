"""The ``meldpunt`` console command: Django's management verbs under one name.

``meldpunt demo`` sets up and serves a demonstration; every other verb is a
management command (``meldpunt migrate``, ``meldpunt lines export``, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["meldpunt", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
