"""The hash-check index split over two shard processes, and a front that fans batches out.

Two shard processes (waitress, as in production, each with MELDPUNT_HASH_SHARD
"0/2" or "1/2") share the test's database with this process, which is the
front: Django's test client with MELDPUNT_HASH_SHARD_SERVERS (the setting)
pointing at the two shards. The same batches are answered by the front and
by this process alone (no shards), and must be the same answers, item by
item. Every response of the front is validated against the OpenAPI document.
Runs on SQLite (a shared database file) and on PostgreSQL (the test database).
"""

import bisect
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from meldpunt.hashes.clients import check_client_create, check_usage_today
from meldpunt.hashes.matching import hashes_match_pdq
from meldpunt.hashes.models import HashCheckUsage
from meldpunt.hashes.services import hash_list_activate, known_hash_retire
from meldpunt.hashes.shards import PREFIXES, SEARCH_PATH, Shard, shard_of, this_shard
from meldpunt.processes import process_start
from meldpunt.workers.testing import wait_until
from tests.conftest import free_port

from .test_check_api import ApiClient, _import

START_SECONDS = 90
SHARD_TOKEN = "shard-test-" + os.urandom(8).hex()


# Ranges and routing (no database) ------------------------------------------------------


def test_shard_ranges_cover_every_prefix_once_and_agree_with_the_routing():
    """The database ranges a shard loads and the front's routing put each prefix in one shard."""
    for count in (1, 2, 3, 7):
        shards = [Shard(number, count) for number in range(count)]
        lows = [shard.value_range[0] for shard in shards]
        assert lows[0] == "0000" and shards[-1].value_range[1] is None
        for number in range(count - 1):  # each range ends where the next begins
            assert shards[number].value_range[1] == lows[number + 1]
        for prefix in range(PREFIXES):
            value = f"{prefix:04x}" + "f" * 60
            holder = bisect.bisect_right(lows, value) - 1
            assert shard_of(value, count) == holder == shard_of(value.upper(), count)
            assert shards[holder].holds(value)


def test_a_shard_is_written_i_slash_n():
    assert Shard.parse(" 1/2 ") == Shard(1, 2) and str(Shard(1, 2)) == "1/2"
    for wrong in ("2/2", "1", "a/2", "-1/2", "0/0", "0/65537", "1/2/3"):
        with pytest.raises(ValueError, match="i/n"):
            Shard.parse(wrong)


@pytest.mark.django_db
def test_a_front_without_its_token_refuses_to_start_naming_the_setting(settings):
    settings.HASHES_SHARD_SERVERS = ["http://127.0.0.1:9/"]
    settings.HASHES_SHARD_TOKEN = ""
    with pytest.raises(
        SystemExit, match="MELDPUNT_HASH_SHARD_SERVERS needs MELDPUNT_HASH_SHARD_TOKEN"
    ):
        process_start()
    settings.HASHES_SHARD_TOKEN = "t" * 40
    process_start()


def test_a_shard_process_refuses_to_match_files():
    """A file matched against a part of the lists would miss the rest: a shard refuses."""
    with override_settings(HASHES_SHARD="0/2"), pytest.raises(ImproperlyConfigured, match="shard"):
        hashes_match_pdq("ab" * 32, quality=90)
    with override_settings(HASHES_SHARD="2/2"), pytest.raises(ImproperlyConfigured, match="i < n"):
        this_shard()


# Two shard processes -------------------------------------------------------------------


def _shard_env(database_url: str, shard: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url,
        MELDPUNT_DATA_DIR=str(settings.DATA_DIR),
        MELDPUNT_HASH_SHARD=shard,
        MELDPUNT_HASH_SHARD_TOKEN=SHARD_TOKEN,
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def _shard_processes(database_url: str, folder: Path, count: int = 2):
    """``count`` waitress processes, shard i/count each; yields (addresses, processes)."""
    started = []
    for number in range(count):
        port = free_port()
        log = folder / f"shard{number}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - waitress from our own environment
                [
                    str(Path(sys.executable).parent / "waitress-serve"),
                    f"--listen=127.0.0.1:{port}",
                    "meldpunt.wsgi:application",
                ],
                env=_shard_env(database_url, f"{number}/{count}"),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append((port, process, log))
    try:
        yield (
            [f"http://127.0.0.1:{port}" for port, _process, _log in started],
            [process for _port, process, _log in started],
        )
    finally:
        for _port, process, _log in started:
            process.kill()
            process.wait(timeout=30)


def _wait_serving(addresses: list[str], processes, folder: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    for number, (address, process) in enumerate(zip(addresses, processes, strict=True)):
        port = int(address.rsplit(":", 1)[1])
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            log = (folder / f"shard{number}.log").read_text(errors="replace")
            assert process.poll() is None, log
            assert time.monotonic() < deadline, f"shard {number} not serving:\n{log}"
            time.sleep(0.1)


def _post(url: str, body: dict, token: str = SHARD_TOKEN) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own server
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _random_hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _near(rng: random.Random, pdq: str, bits: int) -> str:
    """``pdq`` with ``bits`` distinct bits flipped."""
    value = int(pdq, 16)
    for bit in rng.sample(range(256), bits):
        value ^= 1 << bit
    return f"{value:064x}"


def _lists(tmp_path, rng: random.Random) -> dict:
    """Four lists: two of the client's, one not given to it, one switched off."""
    stored = {
        algorithm: [_random_hex(rng, digits) for _ in range(count)]
        for algorithm, digits, count in (("sha256", 64, 120), ("sha1", 40, 60), ("md5", 32, 60))
    }
    pdqs = [_random_hex(rng, 64) for _ in range(150)]
    police = _import(
        tmp_path, "police", stored["sha256"], algorithm="sha256", label="CSAM (police)"
    )
    _import(tmp_path, "police", stored["sha1"], algorithm="sha1")
    _import(tmp_path, "police", stored["md5"], algorithm="md5")
    _import(tmp_path, "police", pdqs, algorithm="pdq")
    # The second list shares some hashes (an item on two lists gets both labels) and
    # holds near-copies of some police pictures, at other distances.
    shared = stored["sha256"][:30]
    near_copies = [_near(rng, pdq, 6) for pdq in pdqs[:40]]
    inhope = _import(tmp_path, "inhope", shared, algorithm="sha256", label="CSAM (INHOPE)")
    _import(tmp_path, "inhope", near_copies, algorithm="pdq")
    # Not the client's list, and a list switched off: neither may show.
    other = [_random_hex(rng, 64) for _ in range(30)]
    _import(tmp_path, "other", other, algorithm="sha256", label="Other")
    _import(tmp_path, "other", pdqs[100:110], algorithm="pdq")
    off = _import(tmp_path, "off", stored["sha256"][60:70], algorithm="sha256", label="Off")
    hash_list_activate(hash_list=off, is_active=False, actor=None)
    known_hash_retire(hash_list=police, algorithm="sha256", value=stored["sha256"][5], actor=None)
    return {"stored": stored, "pdqs": pdqs, "other": other, "police": police, "inhope": inhope}


def _batch(rng: random.Random, known: dict) -> list[dict]:
    """Hits and misses of every algorithm, PDQ near-copies at 0..40 bits, and bad items."""
    stored, pdqs = known["stored"], known["pdqs"]
    items: list[dict] = []
    for algorithm, values in stored.items():
        for value in values[:45]:
            items.append({"algorithm": algorithm, "value": value})
        digits = len(values[0])
        items += [{"algorithm": algorithm, "value": _random_hex(rng, digits)} for _ in range(15)]
    items += [{"algorithm": "sha256", "value": value.upper()} for value in stored["sha256"][50:75]]
    items += [{"algorithm": "sha256", "value": value} for value in known["other"][:10]]
    for number, pdq in enumerate(pdqs[:120]):
        item = {"algorithm": "pdq", "value": _near(rng, pdq, number % 41), "id": f"p{number}"}
        if number % 3 == 0:
            item["quality"] = 90
        items.append(item)
    items += [{"algorithm": "pdq", "value": _random_hex(rng, 64)} for _ in range(20)]
    items += [
        {"algorithm": "pdq", "value": pdqs[0], "quality": 10},
        {"algorithm": "crc32", "value": "deadbeef"},
        {"algorithm": "sha256", "value": "xyz"},
        "not an object",
    ]
    rng.shuffle(items)
    return items


def _front(addresses: list[str]):
    return override_settings(HASHES_SHARD_SERVERS=addresses, HASHES_SHARD_TOKEN=SHARD_TOKEN)


def _usage(client) -> tuple[int, int]:
    usage = HashCheckUsage.objects.filter(client=client).first()
    return (usage.items, usage.requests) if usage else (0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_shards_answer_a_batch_exactly_as_one_process_and_a_shard_down_is_a_503(
    database_url, tmp_path
):
    with _shard_processes(database_url, tmp_path) as (addresses, processes):
        rng = random.Random(14)  # noqa: S311 - test data
        known = _lists(tmp_path, rng)
        issued = check_client_create(
            name="Hoster BV", hash_lists=[known["police"], known["inhope"]], daily_quota=100_000
        )
        api = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")
        items = _batch(rng, known)
        _wait_serving(addresses, processes, tmp_path)
        with _front(addresses):
            # As docs/operations.md asks of operators: one search warms each new shard
            # (its first PDQ search compiles the search loop), then the traffic.
            wait_until(
                lambda: api.check(items).status_code == 200, seconds=120, what="shards warmed up"
            )

        alone = api.check(items)
        with _front(addresses):
            sharded = api.check(items)
        assert alone.status_code == sharded.status_code == 200
        alone, sharded = alone.json(), sharded.json()
        assert sharded["results"] == alone["results"]
        assert sharded["summary"] == alone["summary"]
        checked = alone["summary"]["checked"]
        assert sharded["quota"]["used"] == alone["quota"]["used"] + checked  # counted once
        # Not a trivial agreement: exact and PDQ hits, both labels, and no other list.
        matched = [result for result in alone["results"] if result.get("matched")]
        labels = {match["label"] for result in matched for match in result["matches"]}
        assert labels == {"CSAM (police)", "CSAM (INHOPE)"}
        distances = {m["distance"] for result in matched for m in result["matches"]}
        assert 0 in distances and max(distances) > 20
        assert any(len(result["matches"]) == 2 for result in matched)
        assert alone["summary"]["invalid"] == 4

        # The single-hash endpoint fans out too, to the one shard of an exact hash.
        for algorithm, value in (
            ("sha256", known["stored"]["sha256"][40]),
            ("pdq", known["pdqs"][3]),
            ("md5", _random_hex(rng, 32)),
        ):
            one = api.request("get", f"/check/{algorithm}/{value}").json()
            with _front(addresses):
                assert api.request("get", f"/check/{algorithm}/{value}").json() == {
                    **one,
                    "quota": {
                        **one["quota"],
                        "used": one["quota"]["used"] + 1,
                        "remaining": one["quota"]["remaining"] - 1,
                    },
                }

        # Each shard holds only the rows of its prefixes.
        values = known["stored"]["sha256"][30:60]
        for number, address in enumerate(addresses):
            status, answer = _post(
                address + SEARCH_PATH,
                {
                    "shard": f"{number}/2",
                    "lists": [known["police"].pk],
                    "max_distance": 31,
                    "queries": {"sha256": values},
                },
            )
            assert status == 200 and answer["shard"] == f"{number}/2"
            found = sorted(answer["found"]["sha256"][0])
            assert found == [n for n, value in enumerate(values) if shard_of(value, 2) == number]
        # A shard refuses another shard's batch, a wrong token, and public checks.
        status, answer = _post(
            addresses[0] + SEARCH_PATH,
            {"shard": "1/2", "lists": [], "max_distance": 31, "queries": {}},
        )
        assert status == 409 and answer["error"]["code"] == "shard_mismatch"
        status, _answer = _post(
            addresses[0] + SEARCH_PATH,
            {"shard": "0/2", "lists": [], "max_distance": 31, "queries": {}},
            token="wrong",
        )
        assert status == 401
        request = urllib.request.Request(  # noqa: S310 - our own server
            f"{addresses[0]}/api/v1/hashes/check/sha256/{values[0]}",
            headers={"Authorization": f"Bearer {issued.token}"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)  # noqa: S310
        assert refused.value.code == 503
        assert json.loads(refused.value.read())["error"]["code"] == "shards_unavailable"

        # A new import is seen by the shards at their next query (the revision token).
        fresh_sha, fresh_pdq = _random_hex(rng, 64), _random_hex(rng, 64)
        _import(tmp_path, "police", [fresh_sha], algorithm="sha256")
        _import(tmp_path, "police", [fresh_pdq], algorithm="pdq")
        fresh = [
            {"algorithm": "sha256", "value": fresh_sha},
            {"algorithm": "pdq", "value": _near(rng, fresh_pdq, 9)},
        ]
        with _front(addresses):
            answer = api.check(fresh).json()
        assert [r["matches"] for r in answer["results"]] == [
            [{"label": "CSAM (police)", "distance": 0}],
            [{"label": "CSAM (police)", "distance": 9}],
        ]

        # Shard 1 stops: a batch that needs it is a 503, and nothing is counted.
        processes[1].kill()
        processes[1].wait(timeout=30)
        before = _usage(issued.client)
        with _front(addresses):
            down = api.check(items)
            one_down = api.request("get", f"/check/pdq/{known['pdqs'][3]}")
        for response in (down, one_down):
            assert response.status_code == 503
            assert response["Retry-After"] == "30"
            assert response.json()["error"]["code"] == "shards_unavailable"
            assert "nothing was checked or counted" in response.json()["error"]["message"]
        assert _usage(issued.client) == before
        assert check_usage_today(issued.client).used == before[0]
        # Exact hashes that all live on shard 0 need no other shard: still answered.
        only_zero = [
            {"algorithm": "sha256", "value": value}
            for value in known["stored"]["sha256"]
            if shard_of(value, 2) == 0
        ]
        with _front(addresses):
            partial_store = api.check(only_zero).json()
        assert partial_store["results"] == api.check(only_zero).json()["results"]
        assert _usage(issued.client)[0] == before[0] + 2 * len(only_zero)
