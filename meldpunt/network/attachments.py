"""Files that go along with a forward: cleaned files of the report, re-encrypted for a partner.

Only files the reporting point cleaned are offered (never a file a line kept
as it came), and never known material: a file that matched a hash list is
mentioned in the forward's text with the lists it matched, the file itself
stays home (docs/forwarding.md, "Files"). A file leaves under a neutral name
(``attachment-1.jpg``): the reporter's own file name can identify them.

The plaintext exists only in memory while the forward is made; delivery
channels other than the portal (e-mail, webhook) receive it as ``Attachment``
values, the portal decrypts one file per request with the member's key.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from meldpunt.evidence.models import EvidenceFile
from meldpunt.vault import blobs

from .models import Forward, ForwardFile, neutral_file_name


@dataclass(frozen=True)
class Attachment:
    """One file of a forward in plaintext, as a delivery channel sends it."""

    name: str
    media_type: str
    data: bytes


def attachments_from_evidence(
    *, files: Sequence[EvidenceFile], key_bytes: bytes
) -> list[Attachment]:
    """Decrypt the chosen cleaned files with the report's data key, numbered in order."""
    return [
        Attachment(
            name=neutral_file_name(number=number, media_type=evidence.media_type),
            media_type=evidence.media_type,
            data=blobs.blob_read_all(key=key_bytes, name=evidence.blob_name),
        )
        for number, evidence in enumerate(files, start=1)
    ]


def forward_files_store(
    *, forward: Forward, attachments: Sequence[Attachment], forward_key: bytes, written: list[str]
) -> None:
    """Encrypt each attachment under the forward's data key into the blob store.

    Each new blob's name is added to ``written`` the moment it exists, so the
    caller can delete them all if its transaction fails, even halfway through
    here: a blob write cannot be rolled back.
    """
    for number, attachment in enumerate(attachments, start=1):
        stored = blobs.blob_put(key=forward_key, source=io.BytesIO(attachment.data))
        written.append(stored.name)
        ForwardFile.objects.create(
            forward=forward,
            number=number,
            blob_name=stored.name,
            media_type=attachment.media_type,
            size=len(attachment.data),
        )


def forward_file_read(*, forward_file: ForwardFile, forward_key: bytes) -> Attachment:
    """One stored file of a forward, decrypted with the forward's data key."""
    return Attachment(
        name=forward_file.name,
        media_type=forward_file.media_type,
        data=blobs.blob_read_all(key=forward_key, name=forward_file.blob_name),
    )


def forward_attachments(*, forward: Forward, forward_key: bytes) -> list[Attachment]:
    """Every file of a stored forward, for a channel that has opened the forward's key."""
    return [
        forward_file_read(forward_file=forward_file, forward_key=forward_key)
        for forward_file in forward.files.all()
    ]


def known_material_mention(known_lists: Iterable[Sequence[str]]) -> str:
    """The forward's paragraph on known material: one line per file that matched, with its lists.

    The file itself is never sent; the partner learns that it matched and which lists.
    """
    lines = [
        _("A file of the report matched the list(s) %(lists)s; it is not forwarded as a file.")
        % {"lists": ", ".join(lists)}
        for lists in known_lists
    ]
    if not lines:
        return ""
    return "\n\n" + _("Known material") + "\n" + "\n".join(lines)
