"""The CBS postcode import at national scale: time, memory, and postcode look-ups.

    .venv/bin/python benchmarks/regions_import.py [--addresses 9500000] [--lookups 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meldpunt_bench_regions \\
        .venv/bin/python benchmarks/regions_import.py

Writes a synthetic file in the layout of CBS's "Buurt, wijk en gemeente voor
postcode huisnummer" (``PC6;Huisnummer;BuurtJJJJ;WijkJJJJ;GemeenteJJJJ``, one
line per address) to /var/tmp, with the real file's proportions: about 20
addresses per six-position postcode, 342 municipalities, and every fifth
four-digit area shared by two municipalities. Then it runs ``regions_import``
(read, aggregate, replace the table in one transaction) as ``meldpunt regions
import`` does, and prints the time, the rate, the peak memory of the process
and the table's size; finally ``postcode_resolve`` for random six-position,
four-digit and unknown postcodes.
"""

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from _setup import django_setup

MUNICIPALITIES = 342
ADDRESSES_PER_POSTCODE = 20
POSTCODES_PER_AREA = 120  # about 470,000 postcodes in about 4,000 areas, as in the real file


def _write_files(directory: Path, addresses: int) -> tuple[Path, Path]:
    municipalities = directory / "bench-gemeenten.csv"
    with municipalities.open("w", encoding="utf-8") as out:
        out.write("Gemeentecode;GemeentecodeGM;Gemeentenaam;Provincienaam\n")
        for number in range(1, MUNICIPALITIES + 1):
            out.write(f"{number:04d};GM{number:04d};Gemeente {number};Provincie\n")
    postcodes = directory / f"bench-pc6hnr-{addresses}.csv"
    if postcodes.exists():
        return municipalities, postcodes
    letters = [a + b for a in "ABCDEFGHJKLMNPRSTVWXZ" for b in "ABCDEFGHJKLMNPRSTVWXZ"]
    written = 0
    with postcodes.open("w", encoding="utf-8") as out:
        out.write("PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025\n")
        area = 1000
        while written < addresses:
            first = area % MUNICIPALITIES + 1
            second = (area + 1) % MUNICIPALITIES + 1
            for index, suffix in enumerate(letters[:POSTCODES_PER_AREA]):
                code = second if area % 5 == 0 and index >= POSTCODES_PER_AREA - 20 else first
                for house in range(1, ADDRESSES_PER_POSTCODE + 1):
                    out.write(f"{area}{suffix};{house};{code:04d}0000;{code:04d}00;{code:04d}\n")
                    written += 1
            area += 1
    return municipalities, postcodes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", type=int, default=9_500_000)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    django_setup("regions")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.utils import timezone

    from meldpunt.lines.models import PostcodeArea
    from meldpunt.lines.regions import postcode_resolve, regions_import

    municipalities, postcodes = _write_files(Path("/var/tmp"), args.addresses)
    size_mb = postcodes.stat().st_size / 1e6
    started = time.perf_counter()
    summary = regions_import(municipalities=municipalities, postcodes=postcodes)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {connection.vendor}")
    print(f"file: {summary.addresses:,} addresses, {size_mb:,.0f} MB")
    print(f"import: {elapsed:.1f} s ({summary.addresses / elapsed:,.0f} addresses/s)")
    print(f"postcodes: {summary.postcodes:,}; table rows: {PostcodeArea.objects.count():,}")
    print(f"peak memory of the process: {peak_mb:,.0f} MB")

    pc6 = list(PostcodeArea.objects.filter(postcode__regex=r"^[0-9]{4}[A-Z]{2}$")
               .values_list("postcode", flat=True)[: args.lookups])  # fmt: skip
    random.seed(13)
    today = timezone.localdate()
    for label, texts in (
        ("six-position", [f"{p[:4]} {p[4:]}" for p in random.sample(pc6, len(pc6))]),
        ("four-digit", [p[:4] for p in random.sample(pc6, len(pc6))]),
        ("unknown", [f"9{n % 1000:03d} ZZ" for n in range(len(pc6))]),
    ):
        timings = []
        for text in texts:
            begun = time.perf_counter()
            postcode_resolve(text=text, on=today)
            timings.append(time.perf_counter() - begun)
        print(
            f"resolve {label}: median {statistics.median(timings) * 1000:.2f} ms, "
            f"max {max(timings) * 1000:.2f} ms over {len(timings)}"
        )


if __name__ == "__main__":
    main()
