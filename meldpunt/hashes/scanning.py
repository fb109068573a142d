"""``meldpunt hashes scan``: a company checks a directory tree against a hash-check server.

The client side of the hash-check API, for a hosting company's own servers:
files are hashed here and never leave the machine; only their hashes go to
the server, in batches, each item's ``id`` a running number, so not even a
file name is sent. Plain ``urllib``: the machine being scanned needs nothing
but this package.
"""

import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

READ_BYTES = 1024 * 1024
EXACT = ("sha256", "sha1", "md5")


class ScanError(Exception):
    """The server refused a batch or could not be reached; ``str`` says why."""


@dataclass(frozen=True)
class ScanMatch:
    path: Path
    algorithm: str
    labels: tuple[str, ...]


def scan_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` in a stable order; symbolic links are not followed."""
    for folder, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def file_hashes(path: Path, algorithms: Sequence[str]) -> dict[str, str]:
    """The file's hashes in one read."""
    digests = {name: hashlib.new(name) for name in algorithms}
    with path.open("rb") as stream:
        while chunk := stream.read(READ_BYTES):
            for digest in digests.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def _post(server: str, token: str, items: list[dict], timeout: float) -> dict:
    request = urllib.request.Request(  # noqa: S310 (the operator names the server)
        server.rstrip("/") + "/api/v1/hashes/check",
        data=json.dumps({"items": items}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        try:
            message = json.load(error)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = error.reason
        raise ScanError(f"the server refused the batch ({error.code}): {message}") from error
    except (urllib.error.URLError, OSError) as error:
        raise ScanError(f"the server could not be reached: {error}") from error


def hashes_scan(
    root: Path,
    *,
    server: str,
    token: str,
    algorithms: Sequence[str] = ("sha256",),
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    timeout: float = 60.0,
) -> list[ScanMatch]:
    """Every file under ``root`` whose hash is on one of the client's lists.

    ``progress`` is called with the number of files each batch checked.
    Raises ScanError when the server refuses a batch (a bad token, the quota).
    """
    per_file = max(batch_size // len(algorithms), 1)
    matches: list[ScanMatch] = []
    pending: list[tuple[Path, dict[str, str]]] = []

    def send() -> None:
        items = [
            {"algorithm": name, "value": value, "id": str(number)}
            for number, (_path, hashes) in enumerate(pending)
            for name, value in hashes.items()
        ]
        answer = _post(server, token, items, timeout)
        for item, result in zip(items, answer["results"], strict=True):
            if result.get("matched"):
                labels = tuple(match["label"] for match in result["matches"])
                matches.append(ScanMatch(pending[int(item["id"])][0], item["algorithm"], labels))
        if progress:
            progress(len(pending))
        pending.clear()

    for path in scan_files(root):
        try:
            pending.append((path, file_hashes(path, algorithms)))
        except OSError:
            continue  # vanished or unreadable since listed: nothing to check
        if len(pending) >= per_file:
            send()
    if pending:
        send()
    return matches
