"""Importing hash files: validation with line numbers, all or nothing, idempotent."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meldpunt.hashes.hashfile import HashFileInvalid
from meldpunt.hashes.models import Algorithm, HashList, KnownHash
from meldpunt.hashes.selectors import hash_revision_current
from meldpunt.hashes.services import hash_list_create, hash_list_import, hash_list_remove

pytestmark = pytest.mark.django_db

MD5 = hashlib.md5(b"a", usedforsecurity=False).hexdigest()
SHA1 = hashlib.sha1(b"a", usedforsecurity=False).hexdigest()
SHA256 = hashlib.sha256(b"a").hexdigest()
PDQ = "f" * 32 + "0" * 32


def _file(tmp_path, text: str, name: str = "list.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("hashes", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_plain_text_with_comments_blank_lines_and_mixed_case_is_imported(tmp_path):
    path = _file(tmp_path, f"# police list 2026-11\n\n{MD5.upper()}\n  {SHA1}  \n# end\n")
    output = _run("import", str(path), "--list", "police", "--create", "--source", "Politie")
    assert "2 read, 2 added" in output
    stored = set(KnownHash.objects.values_list("algorithm", "value"))
    assert stored == {(Algorithm.MD5, MD5), (Algorithm.SHA1, SHA1)}
    assert HashList.objects.get().source == "Politie"


def test_64_digit_hashes_need_the_algorithm(tmp_path):
    path = _file(tmp_path, f"{SHA256}\n")
    with pytest.raises(CommandError, match="line 1: 64 hex digits could be SHA-256 or PDQ"):
        _run("import", str(path), "--list", "l", "--create")
    _run("import", str(path), "--list", "l", "--create", "--algorithm", "sha256")
    assert KnownHash.objects.get().algorithm == Algorithm.SHA256


def test_every_bad_line_is_named_and_nothing_is_imported(tmp_path):
    lines = [MD5, "xyz" + MD5[3:], MD5[:-1], "", "# ok", SHA1 + "0"]
    path = _file(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(CommandError) as refused:
        _run("import", str(path), "--list", "l", "--create", "--algorithm", "md5")
    message = str(refused.value)
    assert "nothing imported" in message
    assert "line 2: 'xyz" in message and "not hexadecimal" in message
    assert "line 3: MD5 needs 32 hex digits, this value has 31" in message
    assert "line 6:" in message and "line 1:" not in message
    assert not KnownHash.objects.exists()


def test_not_utf8_is_a_line_error(tmp_path):
    path = tmp_path / "l.txt"
    path.write_bytes(MD5.encode() + b"\n\xff\xfe\n")
    with pytest.raises(HashFileInvalid, match="line 2: not UTF-8 text"):
        hash_list_import(hash_list=hash_list_create(name="l"), path=path)


def test_csv_with_algorithm_and_hash_columns(tmp_path):
    text = f"file,algorithm,hash\na.jpg,MD5,{MD5}\nb.jpg,pdq,{PDQ}\nc.jpg,sha-256,{SHA256}\n"
    path = _file(tmp_path, text, "list.csv")
    assert "3 added" in _run("import", str(path), "--list", "inhope", "--create")
    assert KnownHash.objects.filter(algorithm=Algorithm.PDQ, value=PDQ).exists()


def test_csv_with_columns_named_after_algorithms(tmp_path):
    path = _file(tmp_path, f"Name,MD5,SHA1\na.jpg,{MD5},{SHA1}\nb.jpg,{MD5},\n", "n.csv")
    assert "3 read, 2 added" in _run("import", str(path), "--list", "ncmec", "--create")


def test_csv_errors_name_the_line(tmp_path):
    path = _file(tmp_path, f"algorithm,hash\nmd5,{MD5}\nphotodna,{MD5}\nmd5\n", "x.csv")
    with pytest.raises(CommandError) as refused:
        _run("import", str(path), "--list", "x", "--create")
    assert "line 3: unknown algorithm 'photodna'" in str(refused.value)
    assert "line 4: fewer columns than the header" in str(refused.value)
    assert not KnownHash.objects.exists()


def test_a_csv_header_without_hash_columns_is_refused(tmp_path):
    path = _file(tmp_path, "name,sha1sum\na,b\n", "y.csv")
    with pytest.raises(CommandError, match="cannot tell the algorithm"):
        _run("import", str(path), "--list", "y", "--create")


def test_importing_again_adds_nothing_and_leaves_the_revision(tmp_path):
    path = _file(tmp_path, f"{MD5}\n{SHA1}\n{MD5}\n")
    assert "3 read, 2 added, 1 already" in _run("import", str(path), "--list", "l", "--create")
    revision = hash_revision_current()
    assert revision
    assert "3 read, 0 added, 3 already" in _run("import", str(path), "--list", "l")
    assert KnownHash.objects.count() == 2
    assert hash_revision_current() == revision


def test_the_same_hash_may_be_on_two_lists(tmp_path):
    path = _file(tmp_path, f"{MD5}\n")
    _run("import", str(path), "--list", "a", "--create")
    _run("import", str(path), "--list", "b", "--create")
    assert KnownHash.objects.count() == 2


def test_a_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    """A batch failing halfway (here: the second of two) rolls back the first batch too."""
    from meldpunt.hashes import services

    monkeypatch.setattr(services, "IMPORT_BATCH", 2)
    calls = []

    def failing_progress(count: int) -> None:
        calls.append(count)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    path = _file(tmp_path, "".join(f"{hashlib.md5(bytes([i])).hexdigest()}\n" for i in range(5)))
    hash_list = hash_list_create(name="l")
    with pytest.raises(RuntimeError):
        hash_list_import(hash_list=hash_list, path=path, progress=failing_progress)
    assert not KnownHash.objects.exists()
    assert hash_revision_current() == ""


def test_unknown_list_without_create_and_missing_file_are_clear_errors(tmp_path):
    path = _file(tmp_path, f"{MD5}\n")
    with pytest.raises(CommandError, match="add --create"):
        _run("import", str(path), "--list", "nope")
    with pytest.raises(CommandError, match="no such file"):
        _run("import", str(tmp_path / "missing.txt"), "--list", "nope")
    with pytest.raises(CommandError, match="cannot create list"):
        _run("import", str(path), "--list", "not a slug!", "--create")
    assert not HashList.objects.exists()


def test_lists_shows_counts_and_remove_needs_confirmation(tmp_path):
    _run("import", str(_file(tmp_path, f"{MD5}\n{SHA1}\n")), "--list", "police", "--create")
    listing = _run("lists")
    assert "police" in listing and " 2 " in listing
    with pytest.raises(CommandError, match="--yes"):
        _run("remove", "police")
    assert KnownHash.objects.count() == 2
    assert "removed with 2 hashes" in _run("remove", "police", "--yes")
    assert not HashList.objects.exists() and not KnownHash.objects.exists()
    assert _run("lists").strip() == "no hash lists"


def test_removal_changes_the_revision(tmp_path):
    hash_list = hash_list_create(name="l")
    before = hash_revision_current()
    hash_list_remove(hash_list=hash_list)
    assert hash_revision_current() != before


def test_creating_importing_labelling_and_removing_a_list_are_audited_and_a_refused_file_is_not(
    tmp_path,
):
    """What matches decides what a hotline acts on: every change to it leaves a trace."""
    from meldpunt.vault.models import AuditEvent

    good = _file(tmp_path, f"{MD5}\n{SHA1}\n")
    bad = _file(tmp_path, f"{MD5}\nnot a hash\n", name="bad.txt")
    _run("import", str(good), "--list", "police", "--create")
    _run("import", str(good), "--list", "police")  # again: nothing new, still recorded
    with pytest.raises(CommandError):
        _run("import", str(bad), "--list", "police")
    _run("label", "police", "Politie")
    hash_list = HashList.objects.get()
    _run("remove", "police", "--yes")

    events = [
        (event.action, event.actor_id, event.target_id, event.details)
        for event in AuditEvent.objects.filter(action__startswith="hashes.").order_by("sequence")
    ]
    target = str(hash_list.pk)
    assert events == [
        ("hashes.list_create", None, target, {"list": "police"}),
        ("hashes.list_import", None, target, {"list": "police", "read": 2, "added": 2}),
        ("hashes.list_import", None, target, {"list": "police", "read": 2, "added": 0}),
        ("hashes.list_label", None, target, {"list": "police", "label": "Politie"}),
        ("hashes.list_remove", None, target, {"list": "police", "hashes": 2}),
    ]
