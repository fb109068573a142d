"""Finding the pictures and videos of a reported page: seconds per page, by page size.

    .venv/bin/python benchmarks/hotline_pages.py [--budget 50] [--repeat 3]

Measures ``hotline.htmlmedia.page_media_extract`` (parsing, resolving,
de-duplicating) on generated pages up to the default search limit
(HOTLINE_PAGE_PARSE_MAX_BYTES, 5 MiB): a gallery of N distinct pictures with
``srcset``, the same with every picture named twice, and noise the server
calls HTML. No network and no database: the crawler's fetching is limited by
its time budget, this is the part that runs before any fetch. Prints the best
of ``--repeat`` runs.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path


def _configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def _gallery(pictures: int, *, repeat: int = 1) -> bytes:
    rows = [
        b'<figure><img src="/p/%d.jpg" srcset="/p/%d-2x.jpg 2x" alt="x"></figure>\n' % (n, n)
        for n in range(pictures)
    ]
    return b"<!DOCTYPE html><html><body>" + b"".join(rows * repeat) + b"</body></html>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _configure()
    from meldpunt.hotline.conf import hotline_setting
    from meldpunt.hotline.htmlmedia import page_media_extract

    limit = hotline_setting("HOTLINE_PAGE_PARSE_MAX_BYTES")
    noise = random.Random(1).randbytes(limit)  # noqa: S311 - test data, not secrets
    pages = [
        ("gallery, 1,000 pictures", _gallery(1_000)),
        ("gallery, 10,000 pictures", _gallery(10_000)),
        ("gallery, 5,000 pictures named twice", _gallery(5_000, repeat=2)),
        ("gallery cut at the search limit", _gallery(200_000)[:limit]),
        ("noise called HTML, search limit", noise),
    ]
    print(f"page_media_extract, budget {args.budget} items, best of {args.repeat}")
    print(f"{'page':40} {'bytes':>10} {'found':>6} {'more':>7} {'seconds':>8}")
    for name, body in pages:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            media = page_media_extract(
                body=body, page_url="https://pics.example.test/gallery/", limit=args.budget
            )
            best = min(best, time.perf_counter() - started)
        print(f"{name:40} {len(body):>10,} {len(media.addresses):>6} {media.more:>7,} {best:>8.3f}")


if __name__ == "__main__":
    main()
