"""Corrupted, truncated, extended or wrongly keyed ciphertext never yields plaintext."""

import io
import os

import pytest

from meldpunt.vault import blobs, crypto

CHUNK = crypto.STREAM_CHUNK_BYTES
FRAME = CHUNK + crypto.STREAM_OVERHEAD_BYTES


def _encrypted(key: bytes, plaintext: bytes) -> bytes:
    return b"".join(crypto.encrypt_stream(key, io.BytesIO(plaintext)))


def _decrypt_all(key: bytes, ciphertext: bytes) -> bytes:
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(ciphertext)))


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]


def test_message_round_trip_with_context():
    key = crypto.new_data_key()
    sealed = crypto.encrypt(key, b"de auto was rood", context=b"message")
    assert crypto.decrypt(key, sealed, context=b"message") == b"de auto was rood"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda key, data: (crypto.new_data_key(), data), id="wrong key"),
        pytest.param(lambda key, data: (key, _flip(data, len(data) // 2)), id="flipped bit"),
        pytest.param(lambda key, data: (key, data[:-1]), id="truncated"),
        pytest.param(lambda key, data: (key, data + b"\0"), id="appended"),
        pytest.param(lambda key, data: (key, data[: crypto.NONCE_BYTES]), id="nonce only"),
        pytest.param(lambda key, data: (key, b""), id="empty"),
    ],
)
def test_message_decryption_failures_are_authentication_errors(mangle):
    key = crypto.new_data_key()
    sealed = crypto.encrypt(key, b"secret words", context=b"message")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(*mangle(key, sealed), context=b"message")


def test_message_bound_to_its_context():
    key = crypto.new_data_key()
    sealed = crypto.encrypt(key, b"an answer", context=b"message")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(key, sealed, context=b"report-content")


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_stream_round_trip_of_any_length(size):
    key = crypto.new_data_key()
    plaintext = os.urandom(size)
    ciphertext = _encrypted(key, plaintext)
    assert len(ciphertext) == (
        crypto.STREAM_HEADER_BYTES + size + max(1, -(-size // CHUNK)) * crypto.STREAM_OVERHEAD_BYTES
    )
    assert _decrypt_all(key, ciphertext) == plaintext


def test_stream_chunks_are_yielded_in_order_with_bounded_size():
    key = crypto.new_data_key()
    plaintext = os.urandom(5 * CHUNK + 5)
    chunks = list(crypto.decrypt_stream(key, io.BytesIO(_encrypted(key, plaintext))))
    assert len(chunks) == 6 and all(len(chunk) <= CHUNK for chunk in chunks)
    assert b"".join(chunks) == plaintext


def _stream_cases():
    header = crypto.STREAM_HEADER_BYTES
    return [
        pytest.param(lambda key, data: (crypto.new_data_key(), data), id="wrong key"),
        pytest.param(lambda key, data: (key, _flip(data, 3)), id="header altered"),
        pytest.param(lambda key, data: (key, _flip(data, header + FRAME + 9)), id="middle frame"),
        pytest.param(lambda key, data: (key, _flip(data, len(data) - 1)), id="last tag"),
        pytest.param(lambda key, data: (key, data[: header + 2 * FRAME]), id="cut at frame"),
        pytest.param(lambda key, data: (key, data[:-5]), id="cut inside frame"),
        pytest.param(lambda key, data: (key, data[:header]), id="header only"),
        pytest.param(lambda key, data: (key, data[:10]), id="short header"),
        pytest.param(lambda key, data: (key, data + b"extra"), id="appended bytes"),
        pytest.param(
            lambda key, data: (key, data + _encrypted(key, b"more")), id="appended stream"
        ),
        pytest.param(
            lambda key, data: (
                key,
                data[:header] + data[header + FRAME : header + 2 * FRAME] + data[header + FRAME :],
            ),
            id="frames reordered",
        ),
    ]


@pytest.mark.parametrize("mangle", _stream_cases())
def test_stream_tampering_raises_and_yields_no_unverified_plaintext(mangle):
    key = crypto.new_data_key()
    plaintext = os.urandom(4 * CHUNK + 100)
    bad_key, ciphertext = mangle(key, _encrypted(key, plaintext))
    received = []
    with pytest.raises(crypto.DecryptionError):
        for chunk in crypto.decrypt_stream(bad_key, io.BytesIO(ciphertext)):
            received.append(chunk)
    # Whatever came out before the error was authentic, in place, and not all of it.
    got = b"".join(received)
    assert plaintext.startswith(got) and got != plaintext


@pytest.mark.django_db
def test_blob_round_trip_and_tampered_blob_is_refused(settings):
    key = crypto.new_data_key()
    plaintext = os.urandom(2 * CHUNK + 3)
    stored = blobs.blob_put(key=key, source=io.BytesIO(plaintext))
    assert blobs.blob_read_all(key=key, name=stored.name) == plaintext

    storage = blobs._storage()
    with storage.open(stored.name, "rb") as handle:
        ciphertext = handle.read()
    with open(storage.path(stored.name), "wb") as handle:
        handle.write(_flip(ciphertext, len(ciphertext) // 2))
    with pytest.raises(crypto.DecryptionError):
        blobs.blob_read_all(key=key, name=stored.name)
    storage.delete(stored.name)  # the data directory is the test process's: leave no damage


@pytest.mark.django_db
def test_blob_swapped_for_another_of_the_same_key_is_refused():
    key = crypto.new_data_key()
    first = blobs.blob_put(key=key, source=io.BytesIO(b"photo one"))
    second = blobs.blob_put(key=key, source=io.BytesIO(b"photo two"))
    storage = blobs._storage()
    with open(storage.path(second.name), "rb") as handle:
        other = handle.read()
    with open(storage.path(first.name), "wb") as handle:
        handle.write(other)
    with pytest.raises(crypto.DecryptionError, match="name"):
        blobs.blob_read_all(key=key, name=first.name)
    storage.delete(first.name)  # the data directory is the test process's: leave no damage


def test_sealed_key_opens_only_with_its_private_key():
    from nacl.public import PrivateKey

    owner, other = PrivateKey.generate(), PrivateKey.generate()
    sealed = crypto.seal(bytes(owner.public_key), b"k" * 32)
    assert crypto.unseal(owner, sealed) == b"k" * 32
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(other, sealed)
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(owner, _flip(sealed, 40))


@pytest.mark.django_db
def test_blob_put_moves_its_spool_into_place_owner_only_and_leaves_nothing(settings):
    from pathlib import Path

    spools = lambda: set(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("blob-*"))  # noqa: E731
    before = spools()
    key = crypto.new_data_key()
    stored = blobs.blob_put(key=key, source=io.BytesIO(os.urandom(CHUNK + 1)))
    again = blobs.blob_put(key=key, source=io.BytesIO(b"second"))
    assert spools() == before
    for name in (stored.name, again.name):
        assert Path(blobs._storage().path(name)).stat().st_mode & 0o777 == 0o600
    assert Path(blobs._storage().path(stored.name)).stat().st_size == stored.size
