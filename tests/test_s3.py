"""Blobs in an S3-compatible object store (issue 17 item 2).

Against moto's S3 server, started as a process on 127.0.0.1: a real HTTP server
speaking the S3 protocol, reached through django-storages and boto3 exactly as
a production object store would be. Uploads are cut off midway by a small TCP
relay between the two, as a dropped connection to the store would cut them.
"""

import hashlib
import runpy
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from meldpunt import settings as settings_module
from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Attachment, Message, Report, StagedFile
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.intake.tests.test_api import ApiClient
from meldpunt.intake.tests.test_staged_files import _choose, _send, _send_form
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault import blobs, crypto

pytestmark = pytest.mark.django_db

MARKER = b"KLARE-TEKST-MERKTEKEN-7f3a"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the S3 server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the S3 server did not start")


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server in a process of its own; its endpoint URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


class CuttingRelay:
    """A TCP relay to the S3 server that, when told, cuts uploads off halfway.

    Every request passes unchanged until ``cut_after(n)``: then n more PUT
    requests pass and each later one is forwarded with its headers and part of
    its body before both connections are closed, so the server has received a
    partial upload, as when a connection to the store drops mid-upload.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.puts_to_pass: int | None = None
        self.cuts = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, puts: int | None) -> None:
        with self.lock:
            self.puts_to_pass = puts

    def _should_cut(self) -> bool:
        with self.lock:
            if self.puts_to_pass is None:
                return False
            if self.puts_to_pass > 0:
                self.puts_to_pass -= 1
                return False
            self.cuts += 1
            return True

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            sock.close()

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        cutting = False
        try:
            while data := client.recv(65536):
                if cutting or (data.startswith(b"PUT ") and self._should_cut()):
                    head_end = data.find(b"\r\n\r\n") + 4 if not cutting else 0
                    body = data[head_end:]
                    if not body:  # headers alone (Expect: 100-continue): cut in the body
                        upstream.sendall(data)
                        cutting = True
                        continue
                    upstream.sendall(data[: head_end + max(1, len(body) // 2)])
                    break
                upstream.sendall(data)
        except OSError:
            pass
        for sock in (client, upstream):
            sock.close()

    def close(self) -> None:
        self.listener.close()


@dataclass
class Bucket:
    client: object
    name: str

    def objects(self) -> dict[str, bytes]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
            for item in listed
        }


def _settings_with(environment: dict[str, str]) -> dict:
    """The settings module run afresh with these variables set."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        return runpy.run_path(settings_module.__file__, run_name="s3_settings_under_test")


def _s3_environment(endpoint: str) -> dict[str, str]:
    return {
        "MELDPUNT_BLOB_STORAGE": "s3",
        "MELDPUNT_S3_BUCKET": "meldpunt-blobs",
        "MELDPUNT_S3_ENDPOINT_URL": endpoint,
        "MELDPUNT_S3_REGION": "eu-west-1",
    }


@pytest.fixture(scope="module")
def s3_settings(s3_server):
    """The settings with the object store and its keys chosen in the environment."""
    return _settings_with(
        _s3_environment(s3_server)
        | {"MELDPUNT_S3_ACCESS_KEY_ID": "testing", "MELDPUNT_S3_SECRET_ACCESS_KEY": "testing"}
    )


def _use_blob_storage(settings, blob_storage: dict, **options) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {**blob_storage, "OPTIONS": {**blob_storage["OPTIONS"], **options}},
    }


@pytest.fixture
def bucket(s3_settings, s3_server, settings):
    """A new bucket on the S3 server, and the blob storage pointed at it as settings say."""
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-1", **KEYS)
    name = f"meldpunt-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    _use_blob_storage(settings, s3_settings["STORAGES"]["blobs"], bucket_name=name)
    return Bucket(client=client, name=name)


@pytest.fixture
def relay(s3_server, bucket, settings):
    """The blob storage reaches the S3 server through a CuttingRelay."""
    cutting = CuttingRelay(int(s3_server.rsplit(":", 1)[1]))
    blob_storage = settings.STORAGES["blobs"]
    options = {**blob_storage["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{cutting.port}"}
    settings.STORAGES = {**settings.STORAGES, "blobs": {**blob_storage, "OPTIONS": options}}
    yield cutting
    cutting.close()


def _local_blobs() -> set[Path]:
    root = Path(django_settings.STORAGES["default"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()}


def _text_file(name: str = "verslag.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MARKER + b" " + b"regel\n" * 2000, "text/plain")


def test_settings_choose_the_s3_backend_and_its_bucket_from_the_environment(s3_settings):
    blob_storage = s3_settings["STORAGES"]["blobs"]
    assert blob_storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = blob_storage["OPTIONS"]
    assert options["bucket_name"] == "meldpunt-blobs"
    assert options["region_name"] == "eu-west-1"
    assert options["access_key"] == "testing" and options["secret_key"] == "testing"
    # Content-addressed names: the same name is the same bytes, never renamed.
    assert options["file_overwrite"] is True
    assert options["max_memory_size"] == 8 * 1024 * 1024
    client_config = options["client_config"]
    assert (client_config.connect_timeout, client_config.read_timeout) == (5, 30)
    assert client_config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_an_s3_store_without_a_bucket_is_refused_by_the_system_checks(s3_settings, settings):
    from meldpunt.operations.checks import blob_bucket_check

    _use_blob_storage(settings, s3_settings["STORAGES"]["blobs"], bucket_name="")
    (error,) = blob_bucket_check()
    assert error.id == "meldpunt_operations.E002" and "MELDPUNT_S3_BUCKET is empty" in error.msg
    _use_blob_storage(settings, s3_settings["STORAGES"]["blobs"], bucket_name="meldpunt-blobs")
    assert blob_bucket_check() == []


def test_without_keys_of_its_own_the_store_uses_the_standard_aws_variables(
    s3_server, bucket, settings, monkeypatch, tmp_path
):
    blob_storage = _settings_with(_s3_environment(s3_server))["STORAGES"]["blobs"]
    assert blob_storage["OPTIONS"]["access_key"] is None
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    _use_blob_storage(settings, blob_storage, bucket_name=bucket.name)
    with pytest.raises(blobs.BlobStoreUnavailable):  # no keys anywhere: refused, not a crash
        blobs.blob_put(key=crypto.new_data_key(), source=_text_file())

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    _use_blob_storage(settings, blob_storage, bucket_name=bucket.name)  # a new client
    stored = blobs.blob_put(key=crypto.new_data_key(), source=_text_file())
    assert set(bucket.objects()) == {stored.name}


def test_a_report_sent_through_the_form_is_ciphertext_in_the_bucket_and_staff_read_it(
    client, bucket
):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    local_before = _local_blobs()
    review = _choose(client, category, _text_file())
    assert review.status_code == 200, review.content.decode()[:2000]
    assert len(bucket.objects()) == 1  # the staged file, encrypted
    sent = _send(client, category, _send_form(review))
    assert sent.status_code == 200 and Report.objects.count() == 1

    evidence = Attachment.objects.get().file
    stored = bucket.objects()
    # The staged copy is gone; the report's file is there under its content address.
    assert list(stored) == [evidence.blob_name]
    ciphertext = stored[evidence.blob_name]
    assert evidence.blob_name.endswith(hashlib.sha256(ciphertext).hexdigest())
    assert MARKER not in ciphertext and b"regel\nregel" not in ciphertext
    assert _local_blobs() == local_before  # nothing went to the local disk

    sign_in(client, analyst)
    download = client.post(f"/staff/evidence/{evidence.pk}/download/")
    assert download.status_code == 200
    assert download.content.startswith(MARKER)


def test_an_upload_cut_off_midway_sends_nothing_and_leaves_nothing_half_written(
    client, relay, bucket
):
    category = make_category()
    review = _choose(client, category, _text_file("een.txt"), _text_file("twee.txt"))
    assert review.status_code == 200
    staged = bucket.objects()
    assert len(staged) == 2
    form = _send_form(review)

    relay.cut_after(1)  # the first file of the report is stored, the second is cut off
    refused = _send(client, category, form)
    assert relay.cuts >= 1
    assert refused.status_code == 503
    assert "cannot be stored right now, so nothing was sent" in refused.content.decode()
    assert not Report.objects.exists() and not EvidenceFile.objects.exists()
    # The report's first file was deleted again, the cut one never appeared.
    assert bucket.objects() == staged
    assert StagedFile.objects.count() == 2  # kept for sending again

    relay.cut_after(None)
    sent = _send(client, category, _send_form(refused))
    assert sent.status_code == 200 and Report.objects.count() == 1
    assert set(bucket.objects()) == set(EvidenceFile.objects.values_list("blob_name", flat=True))


def test_files_are_refused_with_a_clear_message_when_the_store_cuts_the_upload(
    client, relay, bucket
):
    category = make_category()
    relay.cut_after(0)
    refused = _choose(client, category, _text_file())
    assert relay.cuts >= 1
    assert refused.status_code == 503
    assert "cannot be stored right now, so nothing was sent" in refused.content.decode()
    assert not StagedFile.objects.exists() and bucket.objects() == {}


def test_a_reporters_message_with_a_file_is_refused_when_the_upload_is_cut_off(
    client, relay, bucket
):
    submission = report_submit(category=make_category(), answers={"what": "x"}, questions={})
    assert client.post("/mailbox/", {"receipt": submission.receipt}).status_code == 302
    relay.cut_after(0)
    refused = client.post(
        "/mailbox/messages/", {"body": "Nog een bestand", "confirm": "1", "files": [_text_file()]}
    )
    assert relay.cuts >= 1
    assert refused.status_code == 503
    # The mailbox is in Dutch, the default language.
    assert "kunnen op dit moment niet worden opgeslagen, dus er is niets verstuurd" in (
        refused.content.decode()
    )
    assert not Message.objects.exists() and bucket.objects() == {}


def test_a_local_store_that_cannot_be_written_refuses_files_the_same_way(
    client, settings, tmp_path
):
    not_a_directory = tmp_path / "blobs"
    not_a_directory.write_text("")  # fails even for root, unlike chmod
    blob_storage = settings.STORAGES["blobs"]
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {**blob_storage, "OPTIONS": {"location": str(not_a_directory)}},
    }
    refused = _choose(client, make_category(), _text_file())
    assert refused.status_code == 503
    assert "cannot be stored right now, so nothing was sent" in refused.content.decode()
    assert not StagedFile.objects.exists()


def test_the_api_answers_503_store_unavailable_when_an_upload_is_cut_off(relay, bucket):
    category = make_category()
    url = f"/lines/{category.line.slug}/categories/{category.slug}/reports"
    relay.cut_after(0)
    response = ApiClient().post(url, {"what": "x", "files": [_text_file()]})
    assert relay.cuts >= 1
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json()["error"]["code"] == "store_unavailable"
    assert not Report.objects.exists() and not EvidenceFile.objects.exists()
    assert bucket.objects() == {}


def test_blobs_round_trip_and_delete_on_s3(bucket):
    key = crypto.new_data_key()
    stored = blobs.blob_put(key=key, source=_text_file())
    assert set(bucket.objects()) == {stored.name}
    assert blobs.blob_read_all(key=key, name=stored.name).startswith(MARKER)
    blobs.blob_delete(name=stored.name)
    assert bucket.objects() == {}


def test_a_blob_replaced_in_the_bucket_is_refused(bucket):
    key = crypto.new_data_key()
    first = blobs.blob_put(key=key, source=_text_file())
    second = blobs.blob_put(key=key, source=SimpleUploadedFile("b", b"anders"))
    other = bucket.objects()[second.name]
    bucket.client.put_object(Bucket=bucket.name, Key=first.name, Body=other)
    with pytest.raises(crypto.DecryptionError):
        blobs.blob_read_all(key=key, name=first.name)


def test_ready_probes_the_bucket_and_fails_when_it_is_gone(client, bucket):
    response = client.get("/health/ready")
    assert response.status_code == 200 and response.json()["blob_store"] == "ok"
    assert bucket.objects() == {}  # the probe deleted itself
    bucket.client.delete_bucket(Bucket=bucket.name)
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["blob_store"] == "failing"


@pytest.mark.django_db(transaction=True)
def test_a_backup_copies_the_bucket_and_a_restore_puts_its_blobs_back(bucket, tmp_path):
    """meldpunt backup/restore with the S3 store (docs/operations.md, "Backups")."""
    key = crypto.new_data_key()
    stored = [blobs.blob_put(key=key, source=_text_file(f"{n}.txt")).name for n in range(3)]
    bucket.client.put_object(Bucket=bucket.name, Key="health/probe-left", Body=b"ok")
    before = bucket.objects()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple")
    archive = tmp_path / "bucket.backup"
    call_command("backup", str(archive), passphrase_file=passphrase, verbosity=0)
    assert MARKER not in archive.read_bytes()

    for name in [*stored, "health/probe-left"]:
        bucket.client.delete_object(Bucket=bucket.name, Key=name)
    call_command("restore", str(archive), passphrase_file=passphrase, force=True, verbosity=0)
    assert bucket.objects() == {name: before[name] for name in stored}  # the probe is no blob
    assert blobs.blob_read_all(key=key, name=stored[0]).startswith(MARKER)


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_the_store_fails_midway_rolls_back_and_leaves_no_blob(
    relay, bucket, tmp_path
):
    category = make_category()
    report = report_submit(
        category=category,
        answers={"what": "iets"},
        questions={"what": "Wat weet u?"},
        files=[IncomingFile(_text_file(f"{n}.txt"), f"{n}.txt", "files") for n in range(3)],
    ).report
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple")
    archive = tmp_path / "bucket.backup"
    call_command("backup", str(archive), passphrase_file=passphrase, verbosity=0)
    assert len(bucket.objects()) >= 3
    for name in bucket.objects():
        bucket.client.delete_object(Bucket=bucket.name, Key=name)
    Report.objects.filter(pk=report.pk).update(status="closed")

    relay.cut_after(1)  # the second blob's upload is cut off
    with pytest.raises(CommandError, match="rolled back.*nothing was restored"):
        call_command("restore", str(archive), passphrase_file=passphrase, force=True, verbosity=0)
    assert bucket.objects() == {}  # the first blob, written, was deleted again
    assert list(Report.objects.values_list("status", flat=True)) == ["closed"]
