"""The pinned dependencies against known vulnerabilities: pip-audit with PyPI's advisory data.

Audited is every requirement pinned in pyproject.toml (the dependencies and every
extra) and every other distribution installed beside them, which is what pip
resolved those pins to: the whole set CI runs with. pip-audit asks PyPI's JSON
API, per package and version, for the advisories it lists (PyPA's advisory
database, OSV), the only vulnerability source reachable from CI.

Outcomes (docs/operations.md, "Supply chain"):

- a known vulnerability fails the test, naming the package, the version, the
  advisory and its aliases, the fixed versions and the summary. An advisory
  that does not apply is listed in ``ACCEPTED`` with the reason, never silently;
- PyPI cannot be reached: the test skips on a developer's machine and fails
  on CI (``CI=true``), like the browser tests without Chromium;
- PyPI answers but publishes no advisory data for any of the pinned releases
  (a mirror or proxy that serves only the project pages answers 404 for each
  release): nothing could be audited, and the test skips saying so;
- some releases audited and some not found: those are named and the test fails,
  since a dependency pip-audit cannot look up did not come from PyPI.
"""

import json
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import on_ci

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# Advisories that do not apply to this project, by id, each with its reason. Keep it
# empty where possible; an entry is a decision, reviewed like code.
ACCEPTED: dict[str, str] = {}
# pip-audit asks PyPI one release at a time; a few processes in parallel keep the
# test to a few seconds.
PROCESSES = 4
NOT_FOUND = "not found on PyPI"
# Installed but not dependencies: this project (editable, not on PyPI) and the pip that
# the Python build seeds into every virtual environment (its version is the Python's).
NOT_DEPENDENCIES = {"meldpunt", "pip"}
UNREACHABLE = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Could not connect",
    "Max retries exceeded",
    "NameResolutionError",
)


def _requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        texts.extend(extra)
    return [Requirement(text) for text in texts]


def _pinned_version(requirement: Requirement) -> str | None:
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
        return specifiers[0].version
    return None


def test_every_dependency_is_pinned_to_one_version():
    """An audit of pins only means something if every requirement is one exact release."""
    loose = [str(r) for r in _requirements() if _pinned_version(r) is None]
    assert not loose, f"not pinned with == to one release in pyproject.toml: {loose}"


def _releases() -> dict[str, str]:
    """Name → version: the pins of pyproject.toml, then what else is installed beside them."""
    releases: dict[str, str] = {}
    for requirement in _requirements():
        releases[canonicalize_name(requirement.name)] = _pinned_version(requirement) or ""
    for distribution in metadata.distributions():
        name = canonicalize_name(distribution.metadata["Name"])
        if name not in NOT_DEPENDENCIES:
            releases.setdefault(name, distribution.version)
    return {name: version for name, version in sorted(releases.items()) if version}


def _audit(releases: dict[str, str], workdir: Path, index: int) -> tuple[list[dict], str]:
    """Run pip-audit over some pinned releases: its dependency records, or its error output."""
    requirements = workdir / f"requirements-{index}.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in releases.items()))
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(requirements),
        "--no-deps",
        "--disable-pip",
        "--vulnerability-service",
        "pypi",
        "--format",
        "json",
        "--desc",
        "on",
        "--aliases",
        "on",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
        "--cache-dir",
        str(workdir / "cache"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    try:
        return json.loads(done.stdout)["dependencies"], ""
    except (ValueError, KeyError):
        return [], (done.stderr or done.stdout)[-2000:]


def _audit_all(releases: dict[str, str], workdir: Path) -> tuple[list[dict], list[str]]:
    names = list(releases)
    chunks = [names[i::PROCESSES] for i in range(PROCESSES)]
    with ThreadPoolExecutor(PROCESSES) as pool:
        runs = list(
            pool.map(
                lambda item: _audit({n: releases[n] for n in item[1]}, workdir, item[0]),
                enumerate(chunks),
            )
        )
    records = [record for found, _error in runs for record in found]
    errors = [error for _found, error in runs if error]
    return records, errors


def _describe(record: dict, vulnerability: dict) -> str:
    aliases = ", ".join(vulnerability.get("aliases") or []) or "no aliases"
    fixed = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed release yet"
    summary = " ".join((vulnerability.get("description") or "").split())[:300]
    return (
        f"{record['name']} {record['version']}: {vulnerability['id']} ({aliases}); "
        f"fixed in {fixed}. {summary}"
    )


def _cannot_audit(reason: str) -> None:
    if on_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def test_pinned_dependencies_have_no_known_vulnerabilities(tmp_path):
    releases = _releases()
    records, errors = _audit_all(releases, tmp_path)
    if errors:
        text = "\n".join(errors)
        if any(marker in text for marker in UNREACHABLE):
            _cannot_audit(f"pip-audit could not reach PyPI's advisory data:\n{text}")
        pytest.fail(f"pip-audit failed:\n{text}")

    vulnerable = [
        _describe(record, vulnerability)
        for record in records
        for vulnerability in record.get("vulns", [])
        if vulnerability["id"] not in ACCEPTED
        and not ACCEPTED.keys() & set(vulnerability.get("aliases") or [])
    ]
    assert not vulnerable, "known vulnerabilities in pinned dependencies:\n" + "\n".join(vulnerable)

    not_found = sorted(
        f"{record['name']}: {record['skip_reason']}"
        for record in records
        if NOT_FOUND in record.get("skip_reason", "")
    )
    audited = [record for record in records if "version" in record]
    if not_found and not audited:
        pytest.skip(
            f"PyPI published no advisory data for any of the {len(not_found)} pinned releases "
            "(its per-release JSON answered 404): nothing was audited"
        )
    assert not not_found, "pip-audit could not look these up on PyPI:\n" + "\n".join(not_found)
    assert len(audited) == len(releases), (len(audited), len(releases))
