"""Why a file is refused, in words the sender understands."""

import enum

from django.utils.translation import gettext as _


class RejectionCode(enum.StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    CORRUPT = "corrupt"
    TOO_COMPLEX = "too_complex"
    ENCRYPTED = "encrypted"
    TRACKED_CHANGES = "tracked_changes"


def _message(code: RejectionCode) -> str:
    # Evaluated per call, so the message follows the language of the request.
    messages = {
        RejectionCode.EMPTY: _("This file is empty."),
        RejectionCode.TOO_LARGE: _("This file is larger than allowed."),
        RejectionCode.TYPE_NOT_ALLOWED: _(
            "This kind of file is not accepted. Send photos (JPEG, PNG, WebP, HEIC, GIF), "
            "scans (TIFF), video (MP4, MOV, WebM), audio (MP3, M4A, OGG, WAV, FLAC), PDF, "
            "documents (DOCX, XLSX, PPTX, ODT, ODS, ODP) or plain text."
        ),
        RejectionCode.CORRUPT: _("This file is damaged or incomplete and cannot be opened."),
        RejectionCode.TOO_COMPLEX: _(
            "This file is too large or too complex to process (for example an image "
            "with very many pixels). Send a smaller version."
        ),
        RejectionCode.ENCRYPTED: _(
            "This file is protected with a password. Send it without the password."
        ),
        RejectionCode.TRACKED_CHANGES: _(
            "This document contains tracked changes (text inserted or deleted but not yet "
            "accepted). This line does not accept them: accept or reject the changes in your "
            "word processor, check that the text is as you want it, and send the document again."
        ),
    }
    return messages[code]


class EvidenceRejected(Exception):
    """A file that cannot be accepted; ``message`` is shown to the person who sent it."""

    def __init__(self, code: str, message: str | None = None) -> None:
        message = message if message is not None else _message(RejectionCode(code))
        super().__init__(message)
        self.code = str(code)
        self.message = message
