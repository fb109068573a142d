"""Repeat every attack of issue 10 (and the reporter lock-out of issue 11) and print what held.

    .venv/bin/python benchmarks/attacks.py

Runs each attack script of this directory in its own process, in turn, and
prints its lines followed by one summary: how many points held and which broke.
Each script can also be run alone, with options of its own (see its docstring).
The demo's worker key beside the database is reported BROKEN by attack_jobs.py
on purpose: it is the demo's documented trade-off (docs/security.md).
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ATTACKS = [
    ("admin and audit log", ["attack_admin.py"]),
    ("background jobs and the worker key", ["attack_jobs.py"]),
    ("plaintext spool and parser bombs", ["attack_parsing.py"]),
    ("submissions under load", ["attack_intake.py", "submissions"]),
    ("mailbox flood", ["attack_intake.py", "flood"]),
]


def main() -> int:
    summary = []
    for title, command in ATTACKS:
        print(f"== {title}: {' '.join(command)}", flush=True)
        run = subprocess.run(  # noqa: S603 - our own scripts with our own interpreter
            [sys.executable, *command], cwd=HERE, capture_output=True, text=True
        )
        print(run.stdout, end="")
        lines = run.stdout.splitlines()
        held = sum("held" in line for line in lines)
        broken = [line.strip() for line in lines if "BROKEN" in line]
        summary.append((title, held, broken, run.returncode))
    print("\n== summary")
    for title, held, broken, code in summary:
        print(f"{title}: {held} held, {len(broken)} broken (exit {code})")
        for line in broken:
            print(f"    {line}")
    return sum(len(broken) for _, _, broken, _ in summary)


if __name__ == "__main__":
    sys.exit(main())
