"""Back-office pages with 100,000 cases: p95 time of the queue, filtered queue and case page.

    .venv/bin/python benchmarks/backoffice.py [--cases 100000] [--samples 200] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meldpunt_bench .venv/bin/python \\
        benchmarks/backoffice.py

Without DATABASE_URL it uses SQLite in a data directory kept under /var/tmp (so a
second run reuses the data); with it, the named PostgreSQL database (created if
missing). The benchmark's rows live in their own line ("bench-backoffice"); other
benchmarks' rows in the same database are left alone, ``--fresh`` rebuilds only ours.

Rows are real: every report has its own data key sealed for the analyst, sealed
content and a case row (a third held by someone, some linked, 5 % with news).
The text search decrypts the 500 most recent reports per request (20 requests).
Pages are requested through Django's test client as a signed-in analyst (two
factors, unlocked key), so middleware, sessions, queries and templates all count;
network and the WSGI server do not. Issue target: list pages < 300 ms.
"""

import argparse
import json
import os
import random
import statistics
import time
from datetime import timedelta

from _setup import django_setup

LINE_SLUG = "bench-backoffice"
MUNICIPALITIES = [f"GM{code:04d}" for code in range(1, 400, 7)]


def _populate(count: int, fresh: bool):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from meldpunt.cases.models import Case, LinkKind
    from meldpunt.intake.models import Report, ReportStatus
    from meldpunt.lines.models import Category, Line
    from meldpunt.testing import make_staff
    from meldpunt.vault import crypto
    from meldpunt.vault.models import DataKey, KeyGrant, Role, StaffUser

    call_command("migrate", verbosity=0)
    line = Line.objects.filter(slug=LINE_SLUG).first()
    if line and not fresh and line.reports.count() >= count:
        print(f"Reusing {line.reports.count()} cases of line {LINE_SLUG}.")
        return line, StaffUser.objects.get(username=f"{LINE_SLUG}-analyst")
    if line:
        print("Removing the previous benchmark rows ...")
        with transaction.atomic():
            reports = Report.objects.filter(line=line)
            keys = list(reports.values_list("data_key_id", flat=True))
            Report.objects.filter(line=line).update(follows=None)
            reports.delete()
            DataKey.objects.filter(pk__in=keys).delete()
            StaffUser.objects.filter(username__startswith=f"{LINE_SLUG}-").delete()
            line.delete()
    line = Line.objects.create(slug=LINE_SLUG, name="Benchmark back office", is_active=True)
    categories = [
        Category.objects.create(line=line, slug=f"c{n}", name=f"Category {n}", is_public=True)
        for n in range(5)
    ]
    staff = [
        make_staff(lines=[line], username=f"{LINE_SLUG}-analyst"),
        make_staff(lines=[line], username=f"{LINE_SLUG}-colleague"),
        make_staff(lines=[line], role=Role.SUPERVISOR, username=f"{LINE_SLUG}-supervisor"),
    ]
    analyst = staff[0]
    public_key = bytes(analyst.key.public_key)
    rng = random.Random(42)  # noqa: S311 - test data, not secrets
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    statuses = [s for s, _label in ReportStatus.choices]
    weights = [10, 15, 10, 5, 25, 35]
    batch = 5000
    started = time.perf_counter()
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        with transaction.atomic():
            keys = DataKey.objects.bulk_create(DataKey(line=line) for _ in range(size))
            key_bytes = [crypto.new_data_key() for _ in range(size)]
            KeyGrant.objects.bulk_create(
                KeyGrant(data_key=key, user=analyst, sealed_key=crypto.seal(public_key, raw))
                for key, raw in zip(keys, key_bytes, strict=True)
            )
            reports = []
            for key, raw in zip(keys, key_bytes, strict=True):
                category = rng.choice(categories)
                status = rng.choices(statuses, weights)[0]
                received = now - timedelta(hours=rng.randrange(0, 2 * 365 * 24))
                content = {
                    "category": category.slug,
                    "questions": {"what": "What do you know?"},
                    "answers": {"what": f"Benchmark report {offset + len(reports)}"},
                }
                reports.append(
                    Report(
                        line=line,
                        category=category,
                        status=status,
                        municipality_code=rng.choice(MUNICIPALITIES),
                        received_at=received,
                        last_activity_at=received,
                        closed_at=received + timedelta(days=3) if status == "closed" else None,
                        needs_attention=rng.random() < 0.05,
                        receipt_lookup=os.urandom(32),
                        data_key=key,
                        sealed_content=crypto.encrypt(
                            raw, json.dumps(content).encode(), context=b"report-content"
                        ),
                    )
                )
            reports = Report.objects.bulk_create(reports)
            Case.objects.bulk_create(
                Case(
                    report=report,
                    version=1,
                    assignee=rng.choice(staff) if rng.random() < 0.33 else None,
                    link_kind=LinkKind.FOLLOW_UP if index % 50 == 1 else "",
                )
                for index, report in enumerate(reports)
            )
            # Every 50th report follows the one before it.
            for index in range(1, len(reports), 50):
                reports[index].follows = reports[index - 1]
            Report.objects.bulk_update(reports[1::50], ["follows"])
        done = offset + size
        print(f"  {done:>7} cases ({done / (time.perf_counter() - started):.0f}/s)", end="\r")
    print(f"Created {count} cases in {time.perf_counter() - started:.0f} s." + " " * 20)
    return line, analyst


def _measure(label: str, client, urls: list[str], data: dict | None = None) -> dict:
    """GET each URL, or POST ``data`` to it when given."""
    timings = []
    for url in urls:
        start = time.perf_counter()
        response = client.post(url, data) if data else client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    timings.sort()
    return {
        "page": label,
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark rows")
    args = parser.parse_args()
    django_setup("bench-backoffice")

    from django.db import connection

    line, analyst = _populate(args.cases, args.fresh)
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load; without it the planner
        # still believes the tables are empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE intake_report, cases_case")
    _run(line, analyst, args.cases, args.samples)


def _run(line, analyst, count: int, samples: int) -> None:
    from django.db import connection
    from django.test import Client

    from meldpunt.cases.selectors import AGES, SORTS
    from meldpunt.intake.models import ReportStatus
    from meldpunt.testing import sign_in

    client = Client()
    sign_in(client, analyst)
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    statuses = ["", *(s for s, _label in ReportStatus.choices)]  # "" is the "All" tab
    pages = max(1, count // 6 // 50)
    queue = [
        f"/staff/cases/?status={rng.choice(statuses)}&page={rng.randint(1, min(pages, 20))}"
        f"&sort={rng.choice(list(SORTS))}"
        for _ in range(samples)
    ]
    categories = list(line.categories.values_list("pk", flat=True))
    filters = [
        rng.choice(
            [
                f"/staff/cases/?assignee=me&status={rng.choice(statuses)}",
                f"/staff/cases/?category={rng.choice(categories)}&age={rng.choice(list(AGES))}",
                f"/staff/cases/?municipality={rng.choice(MUNICIPALITIES)}",
                "/staff/cases/?overdue=on",
                "/staff/cases/?attention=on&assignee=nobody",
                f"/staff/cases/?q={rng.choice('23456789ABCDEFGH')}{rng.choice('23456789ABCD')}",
            ]
        )
        for _ in range(samples)
    ]
    report_ids = list(line.reports.values_list("pk", flat=True))
    cases = [f"/staff/cases/reports/{rng.choice(report_ids)}/" for _ in range(samples)]
    for url in queue[:5] + cases[:5]:  # warm caches and connections
        client.get(url)
    results = [
        _measure("queue (status tab, page, sort)", client, queue),
        _measure("queue with filters / search", client, filters),
        _measure("case page", client, cases),
        _measure(
            "search in text (500 decrypted)",
            client,
            ["/staff/cases/search/"] * 20,
            {"text": f"report {rng.randint(0, count)}"},
        ),
    ]
    load = os.getloadavg()[0]
    print(f"Database: {connection.vendor}, cases in line: {len(report_ids)}")
    print(f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':34} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row in results:
        print(
            f"{row['page']:34} {row['requests']:>8} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['max_ms']:>8}"
        )


if __name__ == "__main__":
    main()
