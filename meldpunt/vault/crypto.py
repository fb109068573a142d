"""Cryptographic primitives, all from libsodium through PyNaCl.

Nothing here touches the database: these functions turn keys and bytes into
other keys and bytes, so they are easy to test and to review.
"""

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox

DATA_KEY_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
KDF_SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
# Plaintext chunk size of streamed files: large enough for speed, small enough
# that memory stays flat whatever the file size.
STREAM_CHUNK_BYTES = 64 * 1024
STREAM_HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
STREAM_OVERHEAD_BYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class DecryptionError(Exception):
    """Ciphertext failed authentication: it was corrupted or tampered with."""


def new_data_key() -> bytes:
    return nacl.utils.random(DATA_KEY_BYTES)


def derive_key(secret: bytes, salt: bytes, *, opslimit: int, memlimit: int) -> bytes:
    """Argon2id: a slow, memory-hard derivation for passwords and receipts."""
    return nacl.pwhash.argon2id.kdf(
        DATA_KEY_BYTES, secret, salt, opslimit=opslimit, memlimit=memlimit
    )


def subkey(master: bytes, purpose: bytes) -> bytes:
    """Derive an independent 32-byte key for one purpose from a master key."""
    return hashlib.blake2b(master, digest_size=32, person=purpose[:16].ljust(16, b"\0")).digest()


def encrypt(key: bytes, plaintext: bytes, *, context: bytes = b"") -> bytes:
    """XChaCha20-Poly1305 with a random nonce; the context is authenticated, not stored."""
    nonce = nacl.utils.random(NONCE_BYTES)
    return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, context, nonce, key)


def decrypt(key: bytes, ciphertext: bytes, *, context: bytes = b"") -> bytes:
    nonce, body = ciphertext[:NONCE_BYTES], ciphertext[NONCE_BYTES:]
    try:
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(body, context, nonce, key)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
        raise DecryptionError("authentication failed") from error


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """Anonymous public-key encryption (crypto_box_seal) for one recipient."""
    return SealedBox(PublicKey(public_key)).encrypt(plaintext)


def unseal(private_key: PrivateKey, ciphertext: bytes) -> bytes:
    try:
        return SealedBox(private_key).decrypt(ciphertext)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
        raise DecryptionError("sealed key does not open with this private key") from error


def _read_full(source: BinaryIO, size: int) -> bytes:
    """Read exactly size bytes unless the source ends first (raw files may read short)."""
    data = source.read(size)
    while data and len(data) < size:
        more = source.read(size - len(data))
        if not more:
            break
        data += more
    return data


def encrypt_stream(key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Encrypt a file with libsodium secretstream, one frame per STREAM_CHUNK_BYTES.

    The last frame carries the FINAL tag, so a truncated ciphertext is detected
    on decryption. Memory use is a few chunks whatever the file size.
    """
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    yield sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    current = _read_full(source, STREAM_CHUNK_BYTES)
    while True:
        following = _read_full(source, STREAM_CHUNK_BYTES)
        tag = _TAG_MESSAGE if following else _TAG_FINAL
        yield sodium.crypto_secretstream_xchacha20poly1305_push(state, current, None, tag)
        if not following:
            return
        current = following


def decrypt_stream(key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Decrypt what encrypt_stream wrote, yielding plaintext chunks as they verify."""
    header = _read_full(source, STREAM_HEADER_BYTES)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
        while True:
            frame = _read_full(source, STREAM_CHUNK_BYTES + STREAM_OVERHEAD_BYTES)
            if not frame:
                raise DecryptionError("stream ended before its final frame")
            plaintext, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame, None)
            yield plaintext
            if tag == _TAG_FINAL:
                if source.read(1):
                    raise DecryptionError("data after the final frame")
                return
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
        raise DecryptionError("stream authentication failed") from error
