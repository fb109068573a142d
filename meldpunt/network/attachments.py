"""A file that goes along with a forward, as the partner receives it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    data: bytes
