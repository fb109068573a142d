"""The ``meldpunt`` console command: Django's management verbs under one name.

``meldpunt demo`` sets up and serves a demonstration; every other verb is a
management command (``meldpunt migrate``, ``meldpunt lines export``, ...).
Verbs that start a long-running server or worker first do what every such
process does (processes.process_start).
"""

import os
import sys

# Verbs that run until stopped: serving (the demo) and working on the task queue.
LONG_RUNNING_VERBS = {"demo", "db_worker", "worker", "runserver"}
# Django's own verbs that would break a promise of docs/security.md, with what to use instead.
REFUSED_VERBS = {
    "changepassword": (
        "meldpunt changepassword would set a password that does not unwrap the account's key, "
        "so every report sealed to it would be lost. The owner changes it at "
        "/staff/account/password/; an administrator resets it with `meldpunt staff reset USERNAME`."
    ),
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    from django.core.management import execute_from_command_line

    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in REFUSED_VERBS:
        sys.exit(REFUSED_VERBS[arguments[0]])
    if arguments and arguments[0] in LONG_RUNNING_VERBS:
        import django

        django.setup()
        from meldpunt.processes import process_start

        process_start()
    execute_from_command_line(["meldpunt", *arguments])


if __name__ == "__main__":
    main()
