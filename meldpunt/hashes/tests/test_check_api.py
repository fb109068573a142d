"""The hash-check API end to end through Django's test client, with lists imported for real.

Every response is validated against the API's OpenAPI document and checked for
cookies, as the reporter API's tests do.
"""

import gc
import hashlib
import io
import json
import logging
import random
import re

import numpy
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import translation
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from meldpunt.hashes import api_urls
from meldpunt.hashes.api import views
from meldpunt.hashes.api.openapi import openapi_document
from meldpunt.hashes.checking import (
    Batch,
    DigestsRefused,
    ItemCode,
    ItemProblem,
    batch_decode,
    check_item_parse,
    check_items_parse,
    digests_parse,
)
from meldpunt.hashes.clients import (
    check_client_create,
    check_client_revoke,
    check_client_rotate,
    check_client_set_lists,
)
from meldpunt.hashes.models import Algorithm, HashCheckClient, HashCheckUsage, HashList
from meldpunt.hashes.services import (
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    known_hash_restore,
    known_hash_retire,
)
from meldpunt.testing import url_routes

from . import pictures

pytestmark = pytest.mark.django_db
API = "/api/v1/hashes"


def _as_openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def assert_documented(method: str, path: str, response) -> None:
    """The status is documented for this operation and the body matches its schema."""
    match = resolve(API + path)
    if match.func is views.no_such_endpoint:
        return
    document = openapi_document()
    operations = document["paths"][_as_openapi_path(match.route.removeprefix("api/v1/hashes/"))]
    status = str(response.status_code)
    if method not in operations:
        assert status == "405"
        method = next(iter(operations))
    documented = operations[method]["responses"]
    assert status in documented, f"{method.upper()} {path} answered {status}"
    schema = documented[status]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": document["components"]}).validate(response.json())


class ApiClient:
    """Django's test client; every response must set no cookie and match the document."""

    def __init__(self, token: str | None = None, **defaults: str) -> None:
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        self.client = Client(**defaults)

    def request(self, method: str, path: str, **kwargs):
        response = getattr(self.client, method)(API + path, **kwargs)
        assert not response.cookies, response.cookies
        assert response["Content-Type"] == "application/json", response.content[:300]
        assert_documented(method, path, response)
        return response

    def check(self, items, **kwargs):
        return self.request(
            "post",
            "/check",
            data=json.dumps({"items": items}),
            content_type="application/json",
            **kwargs,
        )

    def post_raw(self, body, content_type: str = "application/json", **kwargs):
        return self.request("post", "/check", data=body, content_type=content_type, **kwargs)


def _import(tmp_path, name: str, lines: list[str], *, algorithm=None, label="") -> HashList:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    hash_list = HashList.objects.filter(name=name).first() or hash_list_create(name=name)
    if label:
        HashList.objects.filter(pk=hash_list.pk).update(public_label=label)
        hash_list.refresh_from_db()
    hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    return hash_list


def _digests(data: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, data).hexdigest() for name in ("sha256", "sha1", "md5")}


@pytest.fixture
def known(tmp_path):
    """A police list with the exact hashes of one picture and the PDQ of another."""
    data = pictures.jpeg(pictures.picture(1))
    pdq, _quality = pictures.pdq(pictures.picture(3))
    exact = _digests(data)
    police = _import(
        tmp_path, "police-internal-2026", [exact["md5"], exact["sha1"]], label="CSAM (police)"
    )
    _import(tmp_path, "police-internal-2026", [exact["sha256"]], algorithm="sha256")
    _import(tmp_path, "police-internal-2026", [pdq], algorithm="pdq")
    return {"list": police, "exact": exact, "pdq": pdq}


@pytest.fixture
def issued(known):
    return check_client_create(name="Hoster BV", hash_lists=[known["list"]], daily_quota=1000)


@pytest.fixture
def api(issued) -> ApiClient:
    return ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")


def _error(response) -> dict:
    return response.json()["error"]


# Tokens -------------------------------------------------------------------------------


def test_a_token_is_256_random_bits_and_only_its_digest_is_stored(issued):
    assert issued.token.startswith("mphc_") and len(issued.token) == 5 + 43
    client = HashCheckClient.objects.get()
    assert client.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in _every_row()


def test_missing_malformed_and_wrong_tokens_are_refused_with_401(issued):
    for headers, code in (
        ({}, "token_missing"),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, "token_missing"),
        ({"HTTP_AUTHORIZATION": "Bearer "}, "token_missing"),
        ({"HTTP_AUTHORIZATION": "Bearer mphc_wrong"}, "token_invalid"),
        ({"HTTP_AUTHORIZATION": f"Bearer {issued.token}x"}, "token_invalid"),
        ({"HTTP_AUTHORIZATION": "Bearer \udcff"}, "token_invalid"),
    ):
        response = ApiClient(**headers).check([])
        assert response.status_code == 401, headers
        assert _error(response)["code"] == code
        assert response["WWW-Authenticate"] == 'Bearer realm="hash-check"'
    assert not HashCheckUsage.objects.exists()


def test_a_revoked_client_is_told_so_and_a_rotated_token_replaces_the_old(issued):
    assert ApiClient(issued.token).check([]).status_code == 200
    rotated = check_client_rotate(client=issued.client)
    old = ApiClient(issued.token).check([])
    assert old.status_code == 401 and _error(old)["code"] == "token_invalid"
    assert ApiClient(rotated.token).check([]).status_code == 200
    check_client_revoke(client=issued.client)
    revoked = ApiClient(rotated.token, HTTP_ACCEPT_LANGUAGE="en").check([])
    assert revoked.status_code == 401 and _error(revoked)["code"] == "token_revoked"
    assert "switched off" in _error(revoked)["message"]


# Matching --------------------------------------------------------------------------------


def test_exact_hashes_match_with_the_public_label_only(api, known):
    items = [
        {"algorithm": name, "value": value, "id": name} for name, value in known["exact"].items()
    ]
    other = _digests(pictures.jpeg(pictures.picture(2)))
    items += [{"algorithm": "sha256", "value": other["sha256"], "id": "other"}]
    items += [{"algorithm": "md5", "value": known["exact"]["md5"].upper()}]
    response = api.check(items)
    assert response.status_code == 200
    body = response.json()
    assert [r["matched"] for r in body["results"]] == [True, True, True, False, True]
    assert body["results"][0] == {
        "index": 0,
        "id": "sha256",
        "matched": True,
        "matches": [{"label": "CSAM (police)", "distance": 0}],
    }
    assert body["results"][3]["matches"] == [] and body["results"][4]["id"] is None
    assert body["summary"] == {"checked": 5, "matched": 4, "invalid": 0}
    assert body["quota"] == {"limit": 1000, "used": 5, "remaining": 995}
    assert b"police-internal-2026" not in response.content


def test_a_recompressed_copy_matches_by_pdq_with_its_distance(api, known):
    copy, quality = pictures.pdq(pictures.recompressed(pictures.picture(3)))
    unrelated, unrelated_quality = pictures.pdq(pictures.picture(4))
    response = api.check(
        [
            {"algorithm": "pdq", "value": copy, "quality": quality, "id": "copy"},
            {"algorithm": "pdq", "value": known["pdq"]},
            {"algorithm": "pdq", "value": unrelated, "quality": unrelated_quality},
        ]
    )
    results = response.json()["results"]
    [match] = results[0]["matches"]
    assert match["label"] == "CSAM (police)" and 0 < match["distance"] <= 31
    assert results[1]["matches"] == [{"label": "CSAM (police)", "distance": 0}]
    assert results[2] == {"index": 2, "id": None, "matched": False, "matches": []}


def test_only_the_clients_own_labelled_active_lists_match(tmp_path, api, issued, known):
    value = known["exact"]["sha256"]
    # The same hash on a list the client may not use, and on an unlabelled one.
    _import(tmp_path, "ncmec-secret", [value], label="NCMEC", algorithm="sha256")
    _import(tmp_path, "internal-unlabelled", [value], algorithm="sha256")
    # A second list of the client with the same label counts once; a third label is listed.
    same = _import(tmp_path, "police-2", [value], label="CSAM (police)", algorithm="sha256")
    third = _import(tmp_path, "inhope-b", [value], label="INHOPE baseline", algorithm="sha256")
    issued.client.hash_lists.add(same, third)
    other = check_client_create(name="Other platform", hash_lists=[])
    response = api.check([{"algorithm": "sha256", "value": value}])
    assert response.json()["results"][0]["matches"] == [
        {"label": "CSAM (police)", "distance": 0},
        {"label": "INHOPE baseline", "distance": 0},
    ]
    for secret in (b"ncmec", b"NCMEC", b"internal", b"police-2", b"inhope-b", b"Other platform"):
        assert secret not in response.content
    nothing = ApiClient(other.token).check([{"algorithm": "sha256", "value": value}])
    assert nothing.json()["results"][0]["matched"] is False


def test_deactivating_a_list_stops_matches_at_once(api, known):
    item = {"algorithm": "sha256", "value": known["exact"]["sha256"]}
    assert api.check([item]).json()["results"][0]["matched"]
    hash_list_activate(hash_list=known["list"], is_active=False, actor=None)
    assert not api.check([item]).json()["results"][0]["matched"]
    hash_list_activate(hash_list=known["list"], is_active=True, actor=None)
    assert api.check([item]).json()["results"][0]["matched"]


def test_changes_written_by_another_process_are_seen_through_the_revision_token(api, known):
    """Rows and a token written by plain SQL, as another process would: no in-process hooks."""
    copy, quality = pictures.pdq(pictures.picture(5))
    exact_new = hashlib.sha256(b"added elsewhere").hexdigest()
    items = [
        {"algorithm": "sha256", "value": exact_new},
        {"algorithm": "pdq", "value": copy, "quality": quality},
    ]
    assert [r["matched"] for r in api.check(items).json()["results"]] == [False, False]
    with connection.cursor() as cursor:
        for algorithm, value in (("sha256", exact_new), ("pdq", copy)):
            cursor.execute(
                "INSERT INTO hashes_knownhash (hash_list_id, algorithm, value, added_at) "
                "VALUES (%s, %s, %s, CURRENT_TIMESTAMP)",
                [known["list"].pk, algorithm, value],
            )
    # Without a new token the indexes of this process are not rebuilt.
    assert [r["matched"] for r in api.check(items).json()["results"]] == [False, False]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE hashes_hashstorerevision SET token = %s", ["other-process-1"])
    assert [r["matched"] for r in api.check(items).json()["results"]] == [True, True]
    # Switched off elsewhere: the client's lists are read on every request.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE hashes_hashlist SET is_active = %s", [False])
    assert [r["matched"] for r in api.check(items).json()["results"]] == [False, False]


# Validation ----------------------------------------------------------------------------


def test_bad_items_are_answered_one_by_one_and_the_rest_is_checked(api, known, settings):
    md5 = known["exact"]["md5"]
    cases = [
        ({"algorithm": "md5", "value": "xyz" + md5[3:]}, ItemCode.NOT_HEX),
        ({"algorithm": "md5", "value": md5 + "00"}, ItemCode.WRONG_LENGTH),
        ({"algorithm": "sha256", "value": md5}, ItemCode.WRONG_LENGTH),
        ({"algorithm": "crc32", "value": "deadbeef"}, ItemCode.UNKNOWN_ALGORITHM),
        ({"value": md5}, ItemCode.UNKNOWN_ALGORITHM),
        ({"algorithm": ["md5"], "value": md5}, ItemCode.UNKNOWN_ALGORITHM),
        ({"algorithm": {"md5": 1}, "value": md5}, ItemCode.UNKNOWN_ALGORITHM),
        ({"algorithm": "md5"}, ItemCode.VALUE_MISSING),
        ({"algorithm": "md5", "value": 12}, ItemCode.VALUE_MISSING),
        ("just a string", ItemCode.NOT_AN_OBJECT),
        (None, ItemCode.NOT_AN_OBJECT),
        ({"algorithm": "md5", "value": md5, "url": "https://x"}, ItemCode.UNKNOWN_FIELD),
        ({"algorithm": "md5", "value": md5, "id": 7}, ItemCode.BAD_ID),
        ({"algorithm": "md5", "value": md5, "id": "x" * 201}, ItemCode.BAD_ID),
        ({"algorithm": "md5", "value": md5, "quality": 80}, ItemCode.BAD_QUALITY),
        ({"algorithm": "pdq", "value": known["pdq"], "quality": "high"}, ItemCode.BAD_QUALITY),
        ({"algorithm": "pdq", "value": known["pdq"], "quality": True}, ItemCode.BAD_QUALITY),
        ({"algorithm": "pdq", "value": known["pdq"], "quality": 101}, ItemCode.BAD_QUALITY),
        ({"algorithm": "pdq", "value": known["pdq"], "quality": 49}, ItemCode.LOW_QUALITY),
    ]
    good = {"algorithm": "md5", "value": md5, "id": "good"}
    response = api.check([good, *(item for item, _code in cases)])
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["matched"] is True
    for result, (item, code) in zip(body["results"][1:], cases, strict=True):
        assert result["error"]["code"] == code, item
        assert result["error"]["message"]
        assert "matched" not in result
    assert body["summary"] == {"checked": 1, "matched": 1, "invalid": len(cases)}
    assert body["quota"]["used"] == 1  # refused items are not counted


def test_malformed_bodies_get_clear_errors_never_a_500(api, settings):
    settings.HASHES_CHECK_MAX_ITEMS = 3
    item = {"algorithm": "md5", "value": "0" * 32}
    for body, content_type, status, code in (
        ("not json", "application/json", 400, "malformed_json"),
        (b"\xff\xfe{}", "application/json", 400, "malformed_json"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "malformed_json"),
        ("[]", "application/json", 400, "malformed_json"),
        ('{"items": "all"}', "application/json", 400, "malformed_json"),
        ('{"items": [], "extra": 1}', "application/json", 400, "malformed_json"),
        ("{}", "application/json", 400, "malformed_json"),
        # Not JSON by the standard, or numbers no item can hold (msgspec refuses them).
        ('{"items": [{"quality": NaN}]}', "application/json", 400, "malformed_json"),
        ('{"items": [{"quality": 1e400}]}', "application/json", 400, "malformed_json"),
        ('{"items": [{"quality": ' + "9" * 5000 + "}]}", "application/json", 400, "malformed_json"),
        (json.dumps({"items": [item] * 4}), "application/json", 400, "too_many_items"),
        ("items=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("{}", "text/plain", 415, "unsupported_media_type"),
    ):
        response = api.post_raw(body, content_type)
        assert response.status_code == status, (body[:20], response.content[:200])
        assert _error(response)["code"] == code
    assert json.loads(api.post_raw(json.dumps({"items": [item] * 3})).content)["summary"] == {
        "checked": 3,
        "matched": 0,
        "invalid": 0,
    }
    settings.HASHES_CHECK_MAX_BODY_BYTES = 100
    large = api.post_raw(json.dumps({"items": [item] * 3}))
    assert large.status_code == 413 and _error(large)["code"] == "request_too_large"


def test_other_methods_and_paths_answer_json(api):
    response = api.request("get", "/check")
    assert response.status_code == 405 and response["Allow"] == "POST"
    missing = api.request("get", "/nothing/here")
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"


def test_messages_follow_accept_language(issued):
    for language in ("nl", "en"):
        response = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE=language).post_raw("nope")
        assert response["Content-Language"] == language
    # A language cookie does not override Accept-Language, and no cookie comes back.
    client = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")
    client.client.cookies["django_language"] = "nl"
    client.client.cookies["sessionid"] = "stale"
    response = client.post_raw("nope")
    assert response["Content-Language"] == "en"
    assert _error(response)["message"] == "The body is not valid JSON."


# Quota ---------------------------------------------------------------------------------


def test_the_daily_quota_is_all_or_nothing_per_batch(issued, known):
    HashCheckClient.objects.filter(pk=issued.client.pk).update(daily_quota=5)
    api = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")
    item = {"algorithm": "md5", "value": known["exact"]["md5"]}
    bad = {"algorithm": "md5", "value": "zz"}
    first = api.check([item, item, item, bad])
    assert first.json()["quota"] == {"limit": 5, "used": 3, "remaining": 2}
    refused = api.check([item] * 3)
    assert refused.status_code == 429 and _error(refused)["code"] == "quota_exceeded"
    assert "2 of 5" in _error(refused)["message"]
    assert 0 < int(refused["Retry-After"]) <= 25 * 3600
    assert api.check([item, item]).json()["quota"]["remaining"] == 0
    assert api.check([item]).status_code == 429
    assert api.check([bad]).status_code == 200  # nothing to count
    usage = HashCheckUsage.objects.get()
    assert (usage.items, usage.requests) == (5, 2)
    account = api.request("get", "/account").json()
    assert account["quota"] == {"limit": 5, "used": 5, "remaining": 0}
    # Tomorrow the quota is fresh.
    HashCheckUsage.objects.update(day=usage.day.replace(year=usage.day.year - 1))
    assert api.check([item]).json()["quota"]["used"] == 1


def test_the_account_names_labels_and_costs_nothing(api, issued):
    body = api.request("get", "/account").json()
    assert body == {
        "client": "Hoster BV",
        "labels": ["CSAM (police)"],
        "max_items": 1000,
        "max_bulk_items": 100_000,
        "quota": {"limit": 1000, "used": 0, "remaining": 1000},
    }
    assert not HashCheckUsage.objects.exists()


# One hash per request -------------------------------------------------------------------


def _one(api: ApiClient, algorithm: str, value: str, query: str = ""):
    return api.request("get", f"/check/{algorithm}/{value}{query}")


def test_a_single_hash_is_checked_like_a_batch_item_and_costs_one(api, known):
    response = _one(api, "sha256", known["exact"]["sha256"].upper())
    assert response.status_code == 200
    assert response.json() == {
        "match": True,
        "matches": [{"label": "CSAM (police)", "distance": 0}],
        "quota": {"limit": 1000, "used": 1, "remaining": 999},
    }
    assert b"police-internal-2026" not in response.content
    copy, quality = pictures.pdq(pictures.recompressed(pictures.picture(3)))
    [match] = _one(api, "pdq", copy, f"?quality={quality}").json()["matches"]
    assert match["label"] == "CSAM (police)" and 0 < match["distance"] <= 31
    other = _digests(pictures.jpeg(pictures.picture(2)))["md5"]
    assert _one(api, "md5", other).json() == {
        "match": False,
        "matches": [],
        "quota": {"limit": 1000, "used": 3, "remaining": 997},
    }
    usage = HashCheckUsage.objects.get()
    assert (usage.items, usage.requests) == (3, 3)


def test_a_malformed_single_hash_gets_the_batch_message_as_a_400(api, known):
    md5, pdq = known["exact"]["md5"], known["pdq"]
    # (path, the same hash as a batch item, the code both answer with)
    cases = [
        (f"md5/xyz{md5[3:]}", {"algorithm": "md5", "value": "xyz" + md5[3:]}, ItemCode.NOT_HEX),
        (f"md5/{md5}00", {"algorithm": "md5", "value": md5 + "00"}, ItemCode.WRONG_LENGTH),
        (f"sha256/{md5}", {"algorithm": "sha256", "value": md5}, ItemCode.WRONG_LENGTH),
        ("crc32/deadbeef", {"algorithm": "crc32", "value": "deadbeef"}, ItemCode.UNKNOWN_ALGORITHM),
        ("md5/%20", {"algorithm": "md5", "value": " "}, ItemCode.VALUE_MISSING),
        (f"md5/{md5}?quality=80", {"algorithm": "md5", "value": md5, "quality": 80}, "bad_quality"),
        (
            f"pdq/{pdq}?quality=high",
            {"algorithm": "pdq", "value": pdq, "quality": "high"},
            "bad_quality",
        ),
        (f"pdq/{pdq}?quality=-1", {"algorithm": "pdq", "value": pdq, "quality": -1}, "bad_quality"),
        (
            f"pdq/{pdq}?quality=101",
            {"algorithm": "pdq", "value": pdq, "quality": 101},
            "bad_quality",
        ),
        (f"pdq/{pdq}?quality=49", {"algorithm": "pdq", "value": pdq, "quality": 49}, "low_quality"),
        (
            f"pdq/{pdq}?quality={'9' * 5000}",
            {"algorithm": "pdq", "value": pdq, "quality": 10**20},
            "bad_quality",
        ),
    ]
    batch = api.check([item for _path, item, _code in cases]).json()["results"]
    for (path, _item, code), batch_result in zip(cases, batch, strict=True):
        response = api.request("get", f"/check/{path}")
        assert response.status_code == 400, path
        assert _error(response) == batch_result["error"]
        assert _error(response)["code"] == code
    assert "hexadecimal" in _error(_one(api, "md5", "g" * 32))["message"]
    assert not HashCheckUsage.objects.exists()  # nothing checked, nothing counted


def test_a_single_check_needs_a_valid_token(issued, known):
    path = f"/check/sha256/{known['exact']['sha256']}"
    for client, code in (
        (ApiClient(), "token_missing"),
        (ApiClient("mphc_wrong"), "token_invalid"),
    ):
        response = client.request("get", path)
        assert response.status_code == 401 and _error(response)["code"] == code
        assert response["WWW-Authenticate"] == 'Bearer realm="hash-check"'
    assert ApiClient(issued.token).request("post", path).status_code == 405
    assert not HashCheckUsage.objects.exists()


def test_a_single_check_past_the_quota_is_refused(issued, known):
    HashCheckClient.objects.filter(pk=issued.client.pk).update(daily_quota=1)
    api = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")
    assert _one(api, "md5", known["exact"]["md5"]).json()["quota"]["remaining"] == 0
    refused = _one(api, "md5", known["exact"]["md5"])
    assert refused.status_code == 429 and _error(refused)["code"] == "quota_exceeded"
    assert "0 of 1 hashes left, 1 asked" in _error(refused)["message"]
    assert int(refused["Retry-After"]) > 0
    assert HashCheckUsage.objects.get().items == 1


def test_a_retired_hash_stops_matching_for_single_and_batch_checks(api, known):
    value = known["exact"]["sha256"]
    assert _one(api, "sha256", value).json()["match"] is True
    known_hash_retire(hash_list=known["list"], algorithm="sha256", value=value, actor=None)
    assert _one(api, "sha256", value).json()["match"] is False
    assert api.check([{"algorithm": "sha256", "value": value}]).json()["summary"]["matched"] == 0
    known_hash_restore(hash_list=known["list"], algorithm="sha256", value=value, actor=None)
    assert _one(api, "sha256", value).json()["match"] is True


def test_a_single_hash_in_the_path_reaches_no_log(issued, known):
    """The hash is in the URL: Django logs the path of every 4xx answer ("Bad Request: /…").

    The project's own log handlers drop every line of a request that is not a
    signed-in staff member's, so the path never gets written.
    """
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        unknown = hashlib.sha256(b"a customer's file").hexdigest()
        client = ApiClient(issued.token)
        assert client.request("get", f"/check/sha256/{unknown}").status_code == 200
        assert client.request("get", f"/check/sha256/{unknown[:-1]}").status_code == 400
        assert ApiClient().request("get", f"/check/sha256/{unknown}").status_code == 401
        logging.getLogger("django.request").warning("control line, not in a request")
    finally:
        handler.setStream(previous)
    assert "control line" in written.getvalue()  # the handler does write
    assert unknown[:-1] not in written.getvalue()


# Nothing kept ------------------------------------------------------------------------------


def _every_row() -> str:
    """Every row of every table of the database, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += [f"{table}: {row!r}" for row in cursor.fetchall()]
    return "\n".join(rows)


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


CLIENT_TRACES = ("HostCheck-UA/7.3 zx81", "203.0.113.77", "198.51.100.23")


def test_nothing_of_a_query_is_stored_or_logged(issued, known, caplog):
    client_traces = CLIENT_TRACES
    caplog.set_level("DEBUG")
    before = _row_counts()
    unknown = [hashlib.sha256(f"user file {i}".encode()).hexdigest() for i in range(3)]
    pdq, quality = pictures.pdq(pictures.picture(9))
    references = ["customer-4711/holiday.jpg", "bucket-zx81/upload-1", "ref-qq-3"]
    items = [
        {"algorithm": "sha256", "value": value, "id": ref}
        for value, ref in zip(unknown, references, strict=True)
    ]
    items += [
        {"algorithm": "pdq", "value": pdq, "quality": quality, "id": "pdq-ref-77"},
        {"algorithm": "md5", "value": known["exact"]["md5"], "id": "matched-ref-55"},
        {"algorithm": "md5", "value": "not-hex-zz", "id": "bad-ref-66"},
    ]
    client = ApiClient(
        issued.token,
        HTTP_USER_AGENT=client_traces[0],
        HTTP_X_FORWARDED_FOR=f"{client_traces[1]}, 10.0.0.1",
        HTTP_X_REAL_IP=client_traces[2],
        REMOTE_ADDR="192.0.2.99",
    )
    assert client.check(items).status_code == 200
    assert client.post_raw("not json").status_code == 400
    client.check([{"algorithm": "sha256", "value": unknown[0]}] * 1001)  # too many
    after = _row_counts()
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {HashCheckUsage._meta.db_table}
    stored = _every_row()
    logged = caplog.text
    secrets_sent = [
        *unknown,
        pdq,
        *references,
        "pdq-ref-77",
        "matched-ref-55",
        "bad-ref-66",
        "not-hex-zz",
        *client_traces,
        "192.0.2.99",
        issued.token,
    ]
    for secret in secrets_sent:
        assert secret not in stored, secret
        assert secret not in logged, secret
    # The matched hash is on the list, and nowhere else.
    assert stored.count(known["exact"]["md5"]) == 1


# The document ------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_served():
    response = ApiClient().request("get", "/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document == json.loads(json.dumps(openapi_document()))


def test_every_route_is_documented_with_the_methods_it_allows(api):
    documented = openapi_document()["paths"]
    routes = [
        route
        for route, view in url_routes(api_urls.urlpatterns)
        if view is not views.no_such_endpoint
    ]
    assert len(routes) == len(documented)
    for route in routes:
        path = _as_openapi_path(route)
        assert path in documented, path
        response = api.request("delete", path)
        assert response.status_code == 405, path
        assert set(response["Allow"].split(", ")) == {m.upper() for m in documented[path]}


def test_every_error_and_item_code_is_documented():
    document = openapi_document()
    described = json.dumps(document["paths"]) + document["info"]["description"]
    schemas = document["components"]["schemas"]
    for code in schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"]:
        assert f"`{code}`" in described, code
    assert set(schemas["ItemError"]["properties"]["code"]["enum"]) == set(ItemCode.ALL)


def test_a_batch_is_parsed_exactly_as_item_by_item():
    """The column-wise parse and the item-by-item check agree on every kind of item.

    Each batch is parsed as plain JSON values and, where the body has the
    common shape, as the typed structs the view decodes it into.
    """
    sha = "ab" * 32
    good = [
        {"algorithm": "sha256", "value": sha},
        {"algorithm": "sha256", "value": sha.upper(), "id": "x"},
        {"algorithm": "md5", "value": "0" * 32, "id": ""},
        {"algorithm": "pdq", "value": "f" * 64, "quality": 90},
        {"algorithm": "pdq", "value": "E" * 64, "quality": 50, "id": None},
        {"algorithm": "sha1", "value": f"  {'1' * 40} "},
        {"algorithm": "md5", "value": "0" * 32, "id": "y" * 200},
    ]
    bad = [
        "not an object",
        None,
        {"algorithm": ["sha256"], "value": sha},
        {"algorithm": "sha256", "value": sha[:-1]},
        {"algorithm": "sha256", "value": sha[:-1] + "g"},
        {"algorithm": "sha256", "value": sha[:-1] + "é"},
        {"algorithm": "sha256", "value": sha[:30] + "  " + sha[32:]},  # fromhex skips blanks
        {"algorithm": "sha256", "value": sha[:31] + " " + sha[32:]},
        {"algorithm": "sha256", "value": ""},
        {"algorithm": "SHA256", "value": sha},
        {"algorithm": "md5", "value": "0" * 32, "id": "y" * 201},
        {"algorithm": "md5", "value": "0" * 32, "id": 7},
        {"algorithm": "md5", "value": "0" * 32, "colour": "red"},
        {"algorithm": "sha1", "value": 12},
        {"algorithm": "pdq", "value": "f" * 64, "quality": 10},
        {"algorithm": "pdq", "value": "f" * 64, "quality": 101},
        {"algorithm": "pdq", "value": "f" * 64, "quality": -1},
        {"algorithm": "pdq", "value": "f" * 64, "quality": 10**30},
        {"algorithm": "pdq", "value": "f" * 64, "quality": True},
        {"algorithm": "pdq", "value": "f" * 64, "quality": 90.0},
        {"algorithm": "pdq", "value": "f" * 64, "quality": None},
        {"algorithm": "md5", "value": "0" * 32, "quality": 90},
        {"value": sha, "id": "z"},
    ]
    batches = (good + bad, bad + good, good, bad, [good[0]] * 3 + [bad[3]], [])
    for raw_items in batches:
        decoded = batch_decode(json.dumps({"items": raw_items}).encode())
        parses = [check_items_parse(raw_items)]
        if isinstance(decoded, Batch):
            parses.append(check_items_parse(decoded.items))
        assert isinstance(decoded, Batch) or raw_items is not good
        for batch in parses:
            assert batch.count == len(raw_items)
            for position, raw in enumerate(raw_items):
                expected = check_item_parse(raw)
                if isinstance(expected, ItemProblem):
                    assert batch.problems[position] == expected
                else:
                    positions, vectors = batch.hashes[expected.algorithm]
                    [[row]] = numpy.nonzero(positions == position)
                    assert vectors[row].tobytes() == bytes.fromhex(expected.value)
                reference = raw.get("id") if isinstance(raw, dict) else None
                usable = isinstance(reference, str) and len(reference) <= 200
                assert batch.references[position] == (reference if usable else None)
            assert batch.valid == sum(
                not isinstance(check_item_parse(r), ItemProblem) for r in raw_items
            )
            assert sum(len(positions) for positions, _ in batch.hashes.values()) == batch.valid


def test_a_batch_costs_two_statements_and_sees_every_change_to_its_client_at_once(
    api, issued, known
):
    """The client, its labels and the revision in one read, the quota in one write; no cache.

    A list taken from the client, a token revoked and one rotated are all
    seen by the very next request.
    """
    item = {"algorithm": "sha256", "value": known["exact"]["sha256"], "id": "a"}
    batch = [item, {"algorithm": "md5", "value": "0" * 32}]
    api.check(batch)  # the indexes are built at the first check
    with CaptureQueriesContext(connection) as statements:
        answer = api.check(batch).json()
    assert len(statements) == 2, [query["sql"] for query in statements]
    assert answer["results"][0]["matches"] == [{"label": "CSAM (police)", "distance": 0}]
    check_client_set_lists(client=issued.client, hash_lists=[])
    assert api.check([item]).json()["results"][0]["matched"] is False
    assert api.request("get", "/account").json()["labels"] == []
    check_client_set_lists(client=issued.client, hash_lists=[known["list"]])
    assert api.check([item]).json()["results"][0]["matched"] is True
    rotated = check_client_rotate(client=issued.client)
    assert _error(api.check([item]))["code"] == "token_invalid"
    renewed = ApiClient(rotated.token, HTTP_ACCEPT_LANGUAGE="en")
    assert renewed.check([item]).json()["results"][0]["matched"] is True
    check_client_revoke(client=issued.client)
    assert _error(renewed.check([item]))["code"] == "token_revoked"


def test_the_garbage_collector_is_on_again_after_every_batch(api):
    """The check view pauses the collector for a batch; answered or refused, it comes back."""
    assert gc.isenabled()
    item = {"algorithm": "md5", "value": "0" * 32}
    assert api.post_raw(json.dumps({"items": [item]})).status_code == 200
    assert gc.isenabled()
    assert api.post_raw("not json").status_code == 400
    assert gc.isenabled()
    assert ApiClient("mphc_wrong").post_raw(json.dumps({"items": [item]})).status_code == 401
    assert gc.isenabled()


# Bulk check (bare digests) ------------------------------------------------------------


def _bulk(api: ApiClient, body: bytes, algorithm: str = "sha256", content_type: str = ""):
    content_type = content_type or "application/octet-stream"
    return api.request(
        "post", f"/check/bulk?algorithm={algorithm}", data=body, content_type=content_type
    )


def _hex_lines(values: list[str]) -> bytes:
    return "".join(f"{value}\n" for value in values).encode()


def test_bulk_answers_exactly_the_matches_of_the_json_check(tmp_path, api, issued, known):
    """Raw and hex bodies of each algorithm, against the JSON batch of the same hashes.

    Two labels (a hash on both gets both), hashes on neither, and a body of
    the full default size (3.2 MB of SHA-256 digests, over Django's upload
    memory limit) with the hits at known places.
    """
    HashCheckClient.objects.filter(pk=issued.client.pk).update(daily_quota=10**6)
    rng = random.Random(14)
    lists = {"a": [], "b": []}
    for name in ("md5", "sha1", "sha256"):
        size = hashlib.new(name).digest_size
        values = [rng.randbytes(size).hex() for _ in range(60)]
        lists["a"] += [(name, value) for value in values[:40]]
        lists["b"] += [(name, value) for value in values[20:50]]
    for label, entries in lists.items():
        for name in ("md5", "sha1", "sha256"):
            hashes = [value for algorithm, value in entries if algorithm == name]
            hash_list = _import(tmp_path, f"list-{label}", hashes, algorithm=name, label=label)
        issued.client.hash_lists.add(hash_list)
    for name in ("md5", "sha1", "sha256"):
        size = hashlib.new(name).digest_size
        known_values = sorted({v for entries in lists.values() for a, v in entries if a == name})
        queries = [rng.randbytes(size).hex() for _ in range(300)] + known_values
        queries.append(known["exact"][name])
        rng.shuffle(queries)
        results = api.check([{"algorithm": name, "value": value} for value in queries]).json()
        expected = [
            {"index": result["index"], "matches": result["matches"]}
            for result in results["results"]
            if result["matched"]
        ]
        assert len(expected) == 51  # 50 on "a" or "b" (20 on both) and the police hash
        assert sum(len(found["matches"]) == 2 for found in expected) == 20
        for body, content_type in (
            (b"".join(bytes.fromhex(value) for value in queries), "application/octet-stream"),
            (_hex_lines(queries), "text/plain"),
            (_hex_lines([value.upper() for value in queries]).rstrip(b"\n"), "text/plain"),
        ):
            answer = _bulk(api, body, name, content_type).json()
            assert answer.get("matched") == expected, (name, content_type, answer.get("error"))
            assert answer["summary"] == {"checked": len(queries), "matched": 51}
    digest = bytes.fromhex(known["exact"]["sha256"])
    body = bytearray(rng.randbytes(32 * 100_000))
    for position in (0, 4_321, 99_999):
        body[32 * position : 32 * (position + 1)] = digest
    answer = _bulk(api, bytes(body)).json()
    assert [found["index"] for found in answer["matched"]] == [0, 4_321, 99_999]
    assert answer["matched"][0]["matches"] == [{"label": "CSAM (police)", "distance": 0}]


def test_every_hash_of_a_bulk_body_counts_and_a_body_past_the_quota_counts_nothing(issued, known):
    issued.client.daily_quota = 10
    issued.client.save()
    api = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="en")
    digest = bytes.fromhex(known["exact"]["md5"])
    first = _bulk(api, digest * 4, "md5").json()
    assert first["summary"] == {"checked": 4, "matched": 4}
    assert first["quota"] == {"limit": 10, "used": 4, "remaining": 6}
    refused = _bulk(api, digest * 7, "md5")
    assert refused.status_code == 429 and _error(refused)["code"] == "quota_exceeded"
    assert "6 of 10" in _error(refused)["message"] and int(refused["Retry-After"]) > 0
    mixed = api.check([{"algorithm": "md5", "value": known["exact"]["md5"]}] * 2)
    assert mixed.json()["quota"]["used"] == 6
    assert _bulk(api, digest * 4, "md5").json()["quota"] == {
        "limit": 10,
        "used": 10,
        "remaining": 0,
    }
    usage = HashCheckUsage.objects.get()
    assert (usage.items, usage.requests) == (10, 3)
    assert api.request("get", "/account").json()["max_bulk_items"] == 100_000


def test_malformed_bulk_bodies_get_clear_errors_and_count_nothing(api, issued, known, settings):
    settings.HASHES_CHECK_BULK_MAX_ITEMS = 3
    sha = known["exact"]["sha256"]
    for body, algorithm, content_type, status, code, message in (
        (b"\0" * 33, "sha256", "", 400, "wrong_length", "33 bytes is not a multiple of 32"),
        (b"\0" * 32, "sha1", "", 400, "wrong_length", "not a multiple of 20"),
        (
            _hex_lines([sha, sha[:-1]]),
            "sha256",
            "text/plain",
            400,
            "wrong_length",
            "Line 2 holds 63",
        ),
        (f"{sha}\n\n".encode(), "sha256", "text/plain", 400, "wrong_length", "Line 2 holds 0"),
        (f"{sha}\r\n".encode(), "sha256", "text/plain", 400, "wrong_length", "Line 1 holds 65"),
        (f" {sha[1:]}".encode(), "sha256", "text/plain", 400, "not_hex", "Line 1 is not"),
        (_hex_lines(["g" * 32]), "md5", "text/plain", 400, "not_hex", "Line 1 is not"),
        (_hex_lines([sha]), "sha256", "text/plain; charset=utf-8", 200, None, None),
        (b"\0" * 32, "pdq", "", 400, "unknown_algorithm", "POST /api/v1/hashes/check"),
        (b"\0" * 32, "SHA256", "", 400, "unknown_algorithm", "sha256, sha1, md5"),
        (b"\0" * 32, "", "", 400, "unknown_algorithm", "?algorithm="),
        (b"\0" * 32, "sha256", "application/json", 415, "unsupported_media_type", "text/plain"),
        (b"\0" * 32 * 4, "sha256", "", 413, "request_too_large", "At most 3 hashes"),
        (_hex_lines([sha] * 4), "sha256", "text/plain", 413, "request_too_large", "At most 3"),
        (b"\0" * 32 * 3, "sha256", "", 200, None, None),
    ):
        response = _bulk(api, body, algorithm, content_type)
        assert response.status_code == status, (body[:40], response.content[:200])
        if code:
            assert _error(response)["code"] == code
            assert message in _error(response)["message"], _error(response)["message"]
    assert HashCheckUsage.objects.get().items == 4  # the two bodies answered 200
    missing = api.request("post", "/check/bulk", data=b"", content_type="application/octet-stream")
    assert _error(missing)["code"] == "unknown_algorithm"
    assert api.request("get", "/check/bulk?algorithm=md5").status_code == 405
    dutch = ApiClient(issued.token, HTTP_ACCEPT_LANGUAGE="nl")
    refused = _bulk(dutch, _hex_lines([sha, sha[:-1]]), "sha256", "text/plain")
    assert "Regel 2 bevat 63 tekens" in _error(refused)["message"]


def test_digests_are_parsed_in_both_formats_and_refused_at_the_first_bad_line():
    digests = [bytes(range(n, n + 16)) for n in range(5)]
    raw = digests_parse(b"".join(digests), Algorithm.MD5, hex_lines=False)
    lines = digests_parse(
        _hex_lines([d.hex().upper() for d in digests]), Algorithm.MD5, hex_lines=True
    )
    assert raw.shape == lines.shape == (5, 16)
    assert [row.tobytes() for row in raw] == [row.tobytes() for row in lines] == digests
    assert digests_parse(b"", Algorithm.SHA1, hex_lines=True).shape == (0, 20)
    with translation.override("en"), pytest.raises(DigestsRefused) as refused:
        digests_parse(
            _hex_lines(["0" * 32, "0" * 32, "0" * 31 + "x"]), Algorithm.MD5, hex_lines=True
        )
    assert (refused.value.code, "Line 3" in refused.value.message) == ("not_hex", True)
