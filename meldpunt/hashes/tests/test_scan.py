"""``meldpunt hashes scan``: a directory hashed locally and checked with a live server."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from meldpunt.hashes.clients import check_client_create
from meldpunt.hashes.models import Algorithm
from meldpunt.hashes.services import hash_list_create, hash_list_import


@pytest.fixture
def known_tree(tmp_path, transactional_db):
    """A tree of three files, one of them (in a subfolder) on a labelled list; a client's token."""
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"harmless")
    (tree / "sub" / "known.jpg").write_bytes(b"known picture bytes")
    (tree / "sub" / "other.jpg").write_bytes(b"another picture")
    listed = tmp_path / "list.txt"
    listed.write_text(hashlib.sha256(b"known picture bytes").hexdigest() + "\n")
    hash_list = hash_list_create(name="known", public_label="csam-known")
    hash_list_import(hash_list=hash_list, path=listed, algorithm=Algorithm.SHA256)
    issued = check_client_create(name="host", hash_lists=[hash_list])
    return tree, issued


def test_scan_prints_the_matching_files_and_sends_no_file_names(known_tree, live_server):
    tree, issued = known_tree
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "hashes", "scan", str(tree), "--server", live_server.url, "--token", issued.token,
        stdout=out, stderr=err,
    )  # fmt: skip
    assert out.getvalue().splitlines() == [f"{tree / 'sub' / 'known.jpg'}\tsha256\tcsam-known"]
    assert "3 files checked, 1 matched" in err.getvalue()
    usage = issued.client.usage.get()  # charged: three hashes, in one request
    assert (usage.items, usage.requests) == (3, 1)


def test_scan_with_a_wrong_token_stops_with_the_servers_reason(known_tree, live_server):
    tree, _issued = known_tree
    with pytest.raises(CommandError, match=r"refused the batch \(401\): \w"):
        call_command(
            "hashes", "scan", str(tree), "--server", live_server.url, "--token", "mphc_wrong",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
