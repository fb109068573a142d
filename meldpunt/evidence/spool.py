"""Files that exist only in memory: uploads and cleaned copies before encryption.

Plaintext of what a reporter sends must never reach a disk, not even for the
length of one request: a crash (kill -9, power loss) would leave it there, and
blocks of a deleted file stay readable on the device. So every plaintext copy
lives in an anonymous memory file (Linux ``memfd_create``): it has no name in
any file system, is never swapped to a file, and disappears when the last
process holding it ends, however it ends. Child processes (the parser sandbox)
receive it by file descriptor and open it as ``/proc/self/fd/N``.

Memory files count as the server's memory, so each has a hard size limit set
by its writer, and ``docs/operations.md`` counts them in the memory budget.
"""

import fcntl
import os
from pathlib import Path
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from meldpunt.evidence.conf import evidence_setting

# After writing, a file handed to a parser is sealed: the parser (which reads
# hostile input) cannot change or grow what the server hashes and stores.
_READ_ONLY_SEALS = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL


class MemoryFile:
    """An anonymous in-memory file with a path other code (and children) can open."""

    def __init__(self, label: str) -> None:
        descriptor = os.memfd_create(label, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        self.file: BinaryIO = os.fdopen(descriptor, "w+b")

    @property
    def descriptor(self) -> int:
        return self.file.fileno()

    @property
    def path(self) -> Path:
        """Opening this path opens the same memory (with its own position)."""
        return Path(f"/proc/{os.getpid()}/fd/{self.descriptor}")

    @property
    def size(self) -> int:
        return os.fstat(self.descriptor).st_size

    def seal(self) -> None:
        """No more writes, by anyone holding the file; it stays readable."""
        self.file.flush()
        fcntl.fcntl(self.descriptor, fcntl.F_ADD_SEALS, _READ_ONLY_SEALS)

    def close(self) -> None:
        self.file.close()


class MemoryUploadedFile(UploadedFile):
    """An upload spooled into a MemoryFile, keeping at most ``limit`` + 1 bytes.

    ``size`` is what the client sent, so forms can say "larger than allowed";
    ``is_complete`` is False when bytes were dropped, and evidence_prepare
    refuses such a file as too large whatever the line allows.
    """

    def __init__(self, *, name: str, content_type: str, charset: str | None) -> None:
        self.memory = MemoryFile("upload")
        super().__init__(self.memory.file, name, content_type, 0, charset)
        self.is_complete = True

    def close(self) -> None:
        self.memory.close()


class MemoryFileUploadHandler(FileUploadHandler):
    """Spools uploaded files into memory files instead of named temporary files.

    Limits: EVIDENCE_UPLOAD_MAX_FILE_BYTES per file and
    EVIDENCE_UPLOAD_MAX_REQUEST_BYTES for all files of one request together;
    past either, bytes are counted but not kept. One handler serves one request.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.file_limit = evidence_setting("EVIDENCE_UPLOAD_MAX_FILE_BYTES")
        self.request_left = evidence_setting("EVIDENCE_UPLOAD_MAX_REQUEST_BYTES")
        self.upload: MemoryUploadedFile | None = None
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.upload = MemoryUploadedFile(
            name=self.file_name, content_type=self.content_type, charset=self.charset
        )
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = min(self.file_limit + 1 - self.received, self.request_left)
        kept = raw_data[: max(room, 0)]
        if len(kept) < len(raw_data):
            self.upload.is_complete = False
        self.upload.file.write(kept)
        self.received += len(raw_data)
        self.request_left -= len(kept)

    def file_complete(self, file_size: int) -> MemoryUploadedFile:
        self.upload.file.seek(0)
        self.upload.size = file_size
        return self.upload
