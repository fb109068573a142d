"""Plaintext of uploads lives in memory files only, and a crash leaves nothing on disk."""

import io
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadhandler import load_handler
from django.test import RequestFactory

from meldpunt.datadir import temporary_files_sweep
from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.spool import MemoryFileUploadHandler


def _files_under(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def test_uploads_are_spooled_into_memory_not_into_the_temporary_directory(settings):
    marker = secrets.token_hex(16).encode()
    body = b"line one\n" + marker * 1000
    request = RequestFactory().post(
        "/", {"file": _named(io.BytesIO(body), "notes.txt"), "x": "1"}, format="multipart"
    )
    before = _files_under(Path(settings.FILE_UPLOAD_TEMP_DIR))
    upload = request.FILES["file"]
    assert type(request.upload_handlers[0]) is MemoryFileUploadHandler
    assert _files_under(Path(settings.FILE_UPLOAD_TEMP_DIR)) == before
    assert upload.read() == body and upload.size == len(body)
    upload.seek(0)
    assert os.readlink(f"/proc/self/fd/{upload.file.fileno()}").startswith("/memfd:")
    prepared = evidence_prepare(source=upload, name=upload.name, max_bytes=10**6)
    try:
        assert prepared.path.read_bytes() == body
        assert os.readlink(prepared.path).startswith("/memfd:")
    finally:
        prepared.discard()


def _named(handle: io.BytesIO, name: str) -> io.BytesIO:
    handle.name = name
    return handle


def test_upload_over_the_spool_limit_is_refused_as_too_large_whatever_the_line_allows(settings):
    settings.EVIDENCE_UPLOAD_MAX_FILE_BYTES = 1000
    request = RequestFactory().post(
        "/", {"file": _named(io.BytesIO(b"a" * 5000), "long.txt")}, format="multipart"
    )
    upload = request.FILES["file"]
    assert upload.size == 5000  # what was sent, so forms can say how large
    assert len(upload.read()) == 1001  # what was kept
    upload.seek(0)
    with pytest.raises(EvidenceRejected) as refused:
        evidence_prepare(source=upload, name=upload.name, max_bytes=10**6)
    assert refused.value.code == "too_large"


def test_request_limit_covers_all_files_together(settings):
    settings.EVIDENCE_UPLOAD_MAX_REQUEST_BYTES = 3000
    handler = load_handler("meldpunt.evidence.spool.MemoryFileUploadHandler")
    kept = []
    for index in range(3):
        handler.new_file("file", f"{index}.txt", "text/plain", 2000)
        handler.receive_data_chunk(b"b" * 2000, 0)
        kept.append(handler.file_complete(2000))
    assert [upload.is_complete for upload in kept] == [True, False, False]


def test_damaged_file_named_as_an_accepted_type_is_called_damaged():
    """Issue 11: a photo whose first bytes broke is damaged, not an unaccepted kind of file."""
    with pytest.raises(EvidenceRejected) as refused:
        evidence_prepare(source=io.BytesIO(b"\0" * 200), name="holiday.JPG", max_bytes=10**6)
    assert refused.value.code == "corrupt"
    assert "damaged" in refused.value.message or "beschadigd" in refused.value.message
    with pytest.raises(EvidenceRejected) as refused:
        evidence_prepare(source=io.BytesIO(b"\0" * 200), name="archive.zip", max_bytes=10**6)
    assert refused.value.code == "type_not_allowed"


def test_sweep_removes_crash_leftovers_but_not_files_a_running_process_holds(tmp_path):
    leftover = tmp_path / "hotline-fetch-abc"
    leftover.write_bytes(b"plaintext")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "blob-x").write_bytes(b"x")
    in_use = tmp_path / "blob-in-use"
    in_use.write_bytes(b"y")
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", f"f = open({str(in_use)!r}); import time; time.sleep(60)"]
    )
    try:
        deadline = time.monotonic() + 10
        while not any(
            os.path.realpath(f"/proc/{holder.pid}/fd/{fd}") == str(in_use)
            for fd in os.listdir(f"/proc/{holder.pid}/fd")
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert temporary_files_sweep(tmp_path) == 2
        assert sorted(path.name for path in tmp_path.iterdir()) == ["blob-in-use"]
    finally:
        holder.kill()
        holder.wait()


_CRASHING_SERVER = """
import io, os, sys, threading, django
django.setup()
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.tests import bombs
marker = bytes.fromhex(sys.argv[1])
files = [marker * 20000, bombs.png_49_megapixels() + marker]
def clean(data):
    while True:
        try:
            evidence_prepare(source=io.BytesIO(data), name="f", max_bytes=10**8).discard()
        except Exception:
            pass
for data in files:
    threading.Thread(target=clean, args=(data,), daemon=True).start()
print("started", flush=True)
threading.Event().wait()
"""


def test_kill_9_mid_clean_leaves_no_plaintext_in_the_data_directory(tmp_path):
    """A process cleaning uploads is killed with SIGKILL while its parser child works."""
    marker = secrets.token_bytes(24)
    data_dir = tmp_path / "data"
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    } | {"MELDPUNT_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _CRASHING_SERVER, marker.hex()],
        env=environment,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert server.stdout.readline() == b"started\n"
        deadline = time.monotonic() + 120
        tasks = Path(f"/proc/{server.pid}/task")
        while not any((task / "children").read_text() for task in tasks.iterdir()):
            assert time.monotonic() < deadline, "no parser child started"
            time.sleep(0.05)
        time.sleep(1.0)  # mid-clean: the 49-megapixel picture takes seconds
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    # The server and its parsers are gone; restarting would sweep tmp/ (the
    # test above), but there must be nothing to sweep: plaintext never landed.
    hex_marker = marker.hex().encode()
    found = [
        path
        for path in _files_under(data_dir)
        if marker in path.read_bytes() or hex_marker in path.read_bytes()
    ]
    assert _files_under(data_dir / "tmp") == []
    assert found == []
