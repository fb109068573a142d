"""The docs name the tests that prove their claims; every name must point at a real test.

A renamed or deleted test would otherwise leave a promise in docs/ with nothing behind it.
"""

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
# `tests/test_x.py`, `test_x.py::test_y`, `meldpunt/app/tests/test_x.py` or a bare `test_y`.
REFERENCE = re.compile(r"`((?:[\w./-]*/)?test_\w+\.py)?(?:::)?(test_\w+)?`")


@cache
def _test_files() -> tuple[Path, ...]:
    return tuple(
        path
        for folder in (ROOT / "tests", ROOT / "meldpunt")
        for path in folder.rglob("test_*.py")
        if ".venv" not in path.parts
    )


def _defines(path: Path, name: str) -> bool:
    return (
        re.search(rf"^\s*(?:async )?def {name}\(", path.read_text(encoding="utf-8"), re.M)
        is not None
    )


def _references() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for match in REFERENCE.finditer(doc.read_text(encoding="utf-8")):
            file, name = match.group(1) or "", match.group(2) or ""
            if file or name:
                found.append((doc.name, file, name))
    return found


def _resolves(file: str, name: str) -> bool:
    if file:  # a path may be given from the root, from meldpunt/ or as a bare name
        candidates = [path for path in _test_files() if path.as_posix().endswith("/" + file)]
    else:
        candidates = list(_test_files())
    if not name:
        return bool(candidates)
    return any(_defines(path, name) for path in candidates)


def test_the_docs_name_tests():
    """Guards the parser below: if it found nothing, the next test would pass vacuously."""
    references = _references()
    assert len(references) > 50
    assert any(doc == "security.md" and name for doc, _, name in references)


@pytest.mark.parametrize(("doc", "file", "name"), _references())
def test_every_test_named_in_the_docs_exists(doc, file, name):
    assert _resolves(file, name), (
        f"{doc} names `{file}{'::' if file and name else ''}{name}`, which does not exist"
    )


def test_a_missing_test_is_noticed():
    assert not _resolves("tests/test_anonymity.py", "test_that_was_never_written")
    assert not _resolves("test_nowhere.py", "")
    assert _resolves("tests/test_anonymity.py", "test_live_server_keeps_no_client_details")
