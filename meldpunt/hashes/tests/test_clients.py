"""Hash-check clients on the command line and in the admin; the in-memory exact index;
a change made by another process (the real command line) seen by the API."""

import hashlib
import json
import os
import re
import subprocess
import sys
from io import StringIO

import numpy
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from meldpunt.hashes.clients import check_client_create, check_usage_charge
from meldpunt.hashes.indexes import ExactIndex, hex_to_array
from meldpunt.hashes.matching import exact_index
from meldpunt.hashes.models import Algorithm, HashCheckClient, HashCheckUsage, HashList
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.testing import make_staff, sign_in
from meldpunt.vault.models import Role, StaffUser

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"^token: (mphc_[A-Za-z0-9_-]{43})$", re.MULTILINE)


def _run(*args) -> str:
    out = StringIO()
    call_command("hashes", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _check(token: str, items: list[dict]):
    return Client().post(
        "/api/v1/hashes/check",
        json.dumps({"items": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def police(tmp_path):
    path = tmp_path / "police.txt"
    path.write_text(hashlib.md5(b"known").hexdigest() + "\n")
    hash_list = hash_list_create(name="police", public_label="CSAM")
    hash_list_import(hash_list=hash_list, path=path)
    return hash_list


def test_client_create_list_rotate_revoke_on_the_command_line(police):
    created = _run("client", "create", "Hoster BV", "--contact", "abuse@hoster.example",
                   "--list", "police", "--quota", "500")  # fmt: skip
    token = TOKEN.search(created)[1]
    client = HashCheckClient.objects.get()
    assert (client.name, client.daily_quota, client.contact) == (
        "Hoster BV",
        500,
        "abuse@hoster.example",
    )
    assert list(client.hash_lists.all()) == [police]
    item = {"algorithm": "md5", "value": hashlib.md5(b"known").hexdigest()}
    assert _check(token, [item]).json()["results"][0]["matched"] is True
    listing = _run("client", "list")
    assert "Hoster BV" in listing and "police" in listing and token not in listing
    assert re.search(r"Hoster BV\s+yes\s+500\s+1\s+police", listing)

    rotated = TOKEN.search(_run("client", "rotate", "Hoster BV"))[1]
    assert rotated != token
    assert _check(token, [item]).status_code == 401
    assert _check(rotated, [item]).status_code == 200
    _run("client", "revoke", "Hoster BV")
    assert _check(rotated, [item]).json()["error"]["code"] == "token_revoked"
    assert "no" in _run("client", "list").split("\n")[1]


def test_the_command_line_refuses_bad_clients(police):
    hash_list_create(name="unlabelled")
    with pytest.raises(CommandError, match=r"cannot create client .X.: .*: unlabelled\."):
        _run("client", "create", "X", "--list", "unlabelled")
    with pytest.raises(CommandError, match="no hash list named 'missing'"):
        _run("client", "create", "X", "--list", "missing")
    with pytest.raises(CommandError, match="no hash-check client named 'Y'"):
        _run("client", "rotate", "Y")
    _run("client", "create", "X", "--list", "police")
    with pytest.raises(CommandError, match="cannot create client 'X'"):
        _run("client", "create", "X")
    assert HashCheckClient.objects.count() == 1
    # A list offered to clients keeps its label.
    with pytest.raises(CommandError, match="take it from them first"):
        _run("label", "police", "")
    assert "'Baseline'" in _run("label", "police", "Baseline")
    assert HashList.objects.get(name="police").public_label == "Baseline"
    assert "no hash-check clients" not in _run("client", "list")


def test_import_with_create_sets_the_label(tmp_path):
    path = tmp_path / "l.txt"
    path.write_text(hashlib.md5(b"x").hexdigest() + "\n")
    _run("import", str(path), "--list", "inhope", "--create", "--label", "INHOPE baseline")
    assert HashList.objects.get(name="inhope").public_label == "INHOPE baseline"


def test_concurrent_charges_cannot_pass_the_quota(police):
    """The conditional UPDATE: the second charge sees the first one's count, not a stale read."""
    client = check_client_create(name="C", hash_lists=[police], daily_quota=10).client
    check_usage_charge(client=client, items=6)
    stale = HashCheckClient.objects.get(pk=client.pk)
    from meldpunt.hashes.clients import QuotaExceeded

    with pytest.raises(QuotaExceeded):
        check_usage_charge(client=stale, items=5)
    check_usage_charge(client=stale, items=4)
    assert HashCheckUsage.objects.get().items == 10


def test_usage_per_client_over_a_period_for_billing(police):
    import datetime

    from meldpunt.hashes.selectors import hash_check_usage

    first = check_client_create(name="A", hash_lists=[police]).client
    check_client_create(name="B", hash_lists=[police])
    check_usage_charge(client=first, items=7)
    check_usage_charge(client=first, items=3)
    today = HashCheckUsage.objects.get().day
    HashCheckUsage.objects.create(
        client=first, day=today - datetime.timedelta(days=40), items=100, requests=1
    )
    rows = hash_check_usage(today - datetime.timedelta(days=30), today)
    assert [(c.name, c.checked, c.request_count) for c in rows] == [("A", 10, 2), ("B", 0, 0)]


# The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client():
    admin = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, admin)
    return client


def test_the_admin_shows_clients_without_any_token(admin_client, police):
    issued = check_client_create(name="Hoster BV", hash_lists=[police])
    check_usage_charge(client=issued.client, items=3)
    listing = admin_client.get("/staff/admin/hashes/hashcheckclient/")
    assert listing.status_code == 200 and b"Hoster BV" in listing.content
    page = admin_client.get(f"/staff/admin/hashes/hashcheckclient/{issued.client.pk}/change/")
    assert page.status_code == 200
    for secret in (issued.token, issued.client.token_hash):
        assert secret.encode() not in listing.content + page.content
    assert b"token_hash" not in page.content
    assert re.search(rb'<td class="field-items">\s*<p>3</p>', page.content)  # today's usage
    assert admin_client.get("/staff/admin/hashes/hashcheckclient/add/").status_code == 403


def test_the_admin_refuses_unlabelled_lists_for_a_client(admin_client, police):
    issued = check_client_create(name="Hoster BV", hash_lists=[police])
    unlabelled = hash_list_create(name="internal")
    form = {
        "name": "Hoster BV",
        "contact": "",
        "is_active": "on",
        "hash_lists": [police.pk, unlabelled.pk],
        "daily_quota": "100",
        "usage-TOTAL_FORMS": "0",
        "usage-INITIAL_FORMS": "0",
        "usage-MIN_NUM_FORMS": "0",
        "usage-MAX_NUM_FORMS": "0",
    }
    url = f"/staff/admin/hashes/hashcheckclient/{issued.client.pk}/change/"
    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert b"These lists have no public label yet: internal." in refused.content
    form["hash_lists"] = [police.pk]
    assert admin_client.post(url, form).status_code == 302
    client = HashCheckClient.objects.get()
    assert client.daily_quota == 100 and client.token_hash == issued.client.token_hash


# The exact index ---------------------------------------------------------------------------


def test_the_exact_index_finds_values_on_several_lists_and_tells_shared_prefixes_apart():
    prefix = "ab" * 8
    values = [prefix + "00" * 24, prefix + "11" * 24, "cd" * 32, "ab" * 32]
    vectors = hex_to_array([*values, values[0]], 32)
    index = ExactIndex.from_arrays(
        vectors, numpy.array([1, 1, 1, 1, 2], dtype=numpy.int64), algorithm=Algorithm.SHA256
    )
    assert index._values.longest_bucket == 4  # three values and a duplicate share a prefix
    queries = [values[0], prefix + "22" * 24, values[1], "ee" * 32, values[3]]
    positions, list_ids = index.lookup(hex_to_array(queries, 32))
    assert sorted(zip(positions.tolist(), list_ids.tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
        (2, 1),
        (4, 1),
    ]
    empty = ExactIndex.from_arrays(
        hex_to_array([], 32), numpy.zeros(0, dtype=numpy.int64), algorithm=Algorithm.SHA256
    )
    assert [len(a) for a in empty.lookup(hex_to_array(queries, 32))] == [0, 0]


def test_the_exact_index_agrees_with_a_python_set_on_random_hashes(tmp_path):
    rng = numpy.random.default_rng(3)
    stored = [rng.bytes(20).hex() for _ in range(5000)]
    path = tmp_path / "sha1.txt"
    path.write_text("\n".join(stored) + "\n")
    hash_list = hash_list_create(name="many")
    hash_list_import(hash_list=hash_list, path=path)
    queries = stored[::7] + [rng.bytes(20).hex() for _ in range(2000)]
    positions, list_ids = exact_index(Algorithm.SHA1).lookup(hex_to_array(queries, 20))
    known = set(stored)
    assert sorted(positions.tolist()) == [i for i, q in enumerate(queries) if q in known]
    assert set(list_ids.tolist()) == {hash_list.pk}


# Another process ---------------------------------------------------------------------------


def _database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_the_command_line_in_another_process_changes_what_the_api_matches(tmp_path):
    """The real thing: ``meldpunt hashes`` run as its own process against the same database."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory only")
    value = hashlib.sha256(b"file").hexdigest()
    path = tmp_path / "l.txt"
    path.write_text(value + "\n")
    hash_list = hash_list_create(name="police", public_label="CSAM")
    token = check_client_create(name="C", hash_lists=[hash_list]).token
    item = {"algorithm": "sha256", "value": value}
    assert _check(token, [item]).json()["results"][0]["matched"] is False  # index built, empty
    env = {**os.environ, "DATABASE_URL": _database_url()}

    def meldpunt(*args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-m", "meldpunt.cli", "hashes", *args],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    meldpunt("import", str(path), "--list", "police", "--algorithm", "sha256")
    assert _check(token, [item]).json()["results"][0]["matched"] is True
    meldpunt("deactivate", "police")
    assert _check(token, [item]).json()["results"][0]["matched"] is False
    meldpunt("activate", "police")
    assert _check(token, [item]).json()["results"][0]["matched"] is True
