"""Retiring and restoring single known hashes, and switching whole lists, audited."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from meldpunt.hashes import matching
from meldpunt.hashes.checking import CheckItem, hashes_check
from meldpunt.hashes.models import Algorithm, HashList, KnownHash
from meldpunt.hashes.selectors import hash_revision_current
from meldpunt.hashes.services import (
    KnownHashRefused,
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    known_hash_restore,
    known_hash_retire,
    own_list_add,
)
from meldpunt.testing import make_staff
from meldpunt.vault.audit import audit_verify
from meldpunt.vault.models import AuditEvent

from . import pictures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (Dutch is the default)."""
    with translation.override("en"):
        yield


def _import(tmp_path, name: str, lines: list[str], algorithm: str | None = None) -> HashList:
    path = tmp_path / f"{name}-{len(lines)}.txt"
    path.write_text("\n".join(lines) + "\n")
    hash_list = HashList.objects.filter(name=name).first() or hash_list_create(
        name=name, public_label="CSAM (police)"
    )
    hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    return hash_list


@pytest.fixture
def police(tmp_path):
    """A list with the SHA-256 and MD5 of one picture and the PDQ hashes of two others."""
    data = pictures.jpeg(pictures.picture(1))
    pdq, _quality = pictures.pdq(pictures.picture(2))
    other_pdq, _quality = pictures.pdq(pictures.picture(3))
    _import(tmp_path, "police", [hashlib.sha256(data).hexdigest()], algorithm="sha256")
    hash_list = _import(tmp_path, "police", [pdq, other_pdq], algorithm="pdq")
    return {
        "list": hash_list,
        "sha256": hashlib.sha256(data).hexdigest(),
        "pdq": pdq,
        "other_pdq": other_pdq,
    }


def _matched(police) -> dict[str, bool]:
    """Whether the list's picture matches by every path: database, indexes, hash-check."""
    copy, quality = pictures.pdq(pictures.recompressed(pictures.picture(2)))
    labels = {police["list"].pk: "CSAM (police)"}
    [exact_api, pdq_api] = hashes_check(
        [CheckItem(Algorithm.SHA256, police["sha256"]), CheckItem(Algorithm.PDQ, copy)],
        labels=labels,
    )
    return {
        "exact": bool(matching.hashes_match_exact({"sha256": police["sha256"]})),
        "pdq": bool(matching.hashes_match_pdq(copy, quality=quality)),
        "exact_api": bool(exact_api),
        "pdq_api": bool(pdq_api),
    }


def test_a_retired_hash_stops_matching_at_once_and_a_restored_one_matches_again(police):
    supervisor = make_staff()
    everywhere, nowhere = dict.fromkeys(_matched(police), True), dict.fromkeys(_matched(police))
    assert _matched(police) == everywhere  # every index of this process is built now
    token = hash_revision_current()

    known_hash_retire(
        hash_list=police["list"],
        algorithm="sha256",
        value=police["sha256"].upper(),
        actor=supervisor,
        reason="supplier withdrew it",
    )
    known_hash_retire(
        hash_list=police["list"], algorithm="pdq", value=police["pdq"], actor=supervisor
    )
    # Other processes learn of it by the revision token, as this one did.
    assert hash_revision_current() != token
    assert _matched(police) == {key: False for key in nowhere}
    assert KnownHash.objects.filter(is_retired=True).count() == 2  # kept, not deleted
    # The other PDQ hash of the list still matches: only the one hash is retired.
    assert matching.hashes_match_pdq(police["other_pdq"], quality=100)

    known_hash_restore(
        hash_list=police["list"], algorithm="sha256", value=police["sha256"], actor=supervisor
    )
    assert _matched(police) == everywhere | {"pdq": False, "pdq_api": False}
    known_hash_restore(
        hash_list=police["list"], algorithm="pdq", value=police["pdq"], actor=supervisor
    )
    assert _matched(police) == everywhere

    events = list(AuditEvent.objects.filter(target_type="hashes.knownhash").order_by("sequence"))
    assert [event.action for event in events] == [
        "hashes.hash_retire",
        "hashes.hash_retire",
        "hashes.hash_restore",
        "hashes.hash_restore",
    ]
    assert {event.actor for event in events} == {supervisor}
    assert events[0].details == {
        "list": "police",
        "algorithm": "sha256",
        "value": police["sha256"],
        "reason": "supplier withdrew it",
    }
    assert audit_verify().is_intact


def test_retire_refuses_malformed_and_unknown_hashes_clearly_and_changes_nothing(police):
    actor = make_staff()
    token = hash_revision_current()
    for algorithm, value, code, words in (
        ("crc32", "deadbeef", "unknown_algorithm", "must be one of"),
        ("sha256", "xyz" + police["sha256"][3:], "not_hex", "hexadecimal"),
        ("sha256", police["sha256"][:-2], "wrong_length", "64"),
        ("md5", "", "value_missing", "missing"),
        ("sha256", hashlib.sha256(b"never listed").hexdigest(), "not_on_list", "police"),
    ):
        for service in (known_hash_retire, known_hash_restore):
            with pytest.raises(KnownHashRefused) as refused:
                service(hash_list=police["list"], algorithm=algorithm, value=value, actor=actor)
            assert refused.value.code == code, (algorithm, value)
            assert words in refused.value.message
    assert not KnownHash.objects.filter(is_retired=True).exists()
    assert hash_revision_current() == token
    assert not AuditEvent.objects.filter(target_type="hashes.knownhash").exists()


def test_retiring_twice_or_restoring_what_is_not_retired_is_refused(police):
    actor = make_staff()
    arguments = {"hash_list": police["list"], "algorithm": "pdq", "value": police["pdq"]}
    with pytest.raises(KnownHashRefused) as refused:
        known_hash_restore(**arguments, actor=actor)
    assert refused.value.code == "not_retired"
    known_hash_retire(**arguments, actor=actor)
    with pytest.raises(KnownHashRefused) as refused:
        known_hash_retire(**arguments, actor=actor)
    assert refused.value.code == "retired"
    assert AuditEvent.objects.filter(action="hashes.hash_retire").count() == 1
    assert not AuditEvent.objects.filter(action="hashes.hash_restore").exists()


def test_hashes_of_the_own_list_are_retired_with_their_entries_only():
    analyst = make_staff()
    sha256 = hashlib.sha256(b"confirmed item").hexdigest()
    entry = own_list_add(
        hashes=[("sha256", sha256)],
        pdq_quality=None,
        source="hotline",
        reference="x",
        actor=analyst,
    )
    with pytest.raises(KnownHashRefused) as refused:
        known_hash_retire(
            hash_list=entry.hash_list, algorithm="sha256", value=sha256, actor=analyst
        )
    assert refused.value.code == "own_list" and "entries" in refused.value.message
    assert matching.hashes_match_exact({"sha256": sha256})


def test_a_retired_hash_stays_retired_when_the_list_is_imported_again(tmp_path, police):
    known_hash_retire(
        hash_list=police["list"], algorithm="sha256", value=police["sha256"], actor=None
    )
    _import(tmp_path, "police", [police["sha256"]], algorithm="sha256")
    assert KnownHash.objects.get(algorithm="sha256").is_retired
    assert matching.hashes_match_exact({"sha256": police["sha256"]}) == []


def _run(*args) -> str:
    out = StringIO()
    call_command("hashes", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_retires_and_restores_one_hash_and_refuses_clearly(police):
    value = police["sha256"]
    output = _run("retire", "sha256", value.upper(), "--list", "police", "--reason", "withdrawn")
    assert f"police: sha256 {value} retired" in output
    assert matching.hashes_match_exact({"sha256": value}) == []
    event = AuditEvent.objects.get(action="hashes.hash_retire")
    assert event.actor is None and event.details["reason"] == "withdrawn"
    with pytest.raises(CommandError, match="already been retired"):
        _run("retire", "sha256", value, "--list", "police")
    assert "restored" in _run("restore", "sha256", value, "--list", "police")
    assert matching.hashes_match_exact({"sha256": value})
    with pytest.raises(CommandError, match="hexadecimal"):
        _run("retire", "sha256", "g" * 64, "--list", "police")
    with pytest.raises(CommandError, match="not on the list police"):
        _run("retire", "md5", "0" * 32, "--list", "police")
    with pytest.raises(CommandError, match="no hash list named 'nope'"):
        _run("retire", "md5", "0" * 32, "--list", "nope")
    assert AuditEvent.objects.filter(target_type="hashes.knownhash").count() == 2


def test_switching_a_whole_list_on_or_off_is_audited_once_per_change(police):
    actor = make_staff()
    assert hash_list_activate(hash_list=police["list"], is_active=False, actor=actor)
    assert _matched(police) == dict.fromkeys(_matched(police), False)
    token = hash_revision_current()
    assert not hash_list_activate(hash_list=police["list"], is_active=False, actor=actor)
    assert hash_revision_current() == token  # nothing changed, nothing to rebuild
    assert "already deactivated" in _run("deactivate", "police")
    assert "police: activated" in _run("activate", "police")
    assert _matched(police) == dict.fromkeys(_matched(police), True)
    switches = ["hashes.list_deactivate", "hashes.list_activate"]
    events = AuditEvent.objects.filter(action__in=switches).order_by("sequence")
    assert [(e.action, e.actor) for e in events] == [
        ("hashes.list_deactivate", actor),
        ("hashes.list_activate", None),
    ]
    assert events[0].target_id == str(police["list"].pk)
