"""The production files in deploy/: systemd units, environment examples and nginx.

They are not run here (no systemd as PID 1, no nginx), so what can break is
checked statically: the hardening options, that every ExecStart is a command
meldpunt or waitress accepts with those options, that the worker gets its key
as a credential, and that nginx keeps client addresses out of its logs.
Where systemd-analyze is installed, it verifies the units as systemd reads them.
"""

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.test import override_settings
from waitress.adjustments import Adjustments

from meldpunt.cli import REFUSED_VERBS
from meldpunt.evidence.conf import DEFAULTS as EVIDENCE_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "deploy" / "systemd"
NGINX = ROOT / "deploy" / "nginx" / "meldpunt.conf"
UNITS = sorted(SYSTEMD.glob("*.service"))
VENV_BIN = "/opt/meldpunt/venv/bin/"
DATA_DIR = "/var/lib/meldpunt"
PRODUCTION_TASK_BACKEND = "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
    "UMask": "0077",
    "User": "meldpunt",
}


def unit_read(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Service"]


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of a key systemd allows more than once (configparser keeps the last)."""
    return re.findall(rf"^{key}=(.*)$", path.read_text(encoding="utf-8"), re.M)


def test_the_units_are_there():
    assert {unit.name for unit in UNITS} == {
        "meldpunt-web.service",
        "meldpunt-onion.service",
        "meldpunt-worker@.service",
        "meldpunt-schedule.service",
        "meldpunt-live.service",
    }


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_is_hardened_and_writes_only_the_data_directory(unit):
    service = unit_read(unit)
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{unit.name}: {key}={service.get(key)!r}"
    assert service["ReadWritePaths"].split() == [DATA_DIR]
    assert service["EnvironmentFile"].startswith("/etc/meldpunt/")
    # A starting process sweeps tmp/ of files no process holds open: it must see
    # the other units' processes in /proc.
    assert "ProtectProc" not in service
    assert "PrivatePIDs" not in service


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_exec_start_is_a_command_that_accepts_its_options(unit):
    argv = shlex.split(unit_read(unit)["ExecStart"].replace("%i", "1"))
    assert argv[0].startswith(VENV_BIN)
    program = argv[0].removeprefix(VENV_BIN)
    if program == "waitress-serve":
        options, arguments = Adjustments.parse_args(argv[1:])
        assert arguments == ["meldpunt.wsgi:application"]
        assert options["listen"].strip().startswith("127.0.0.1:")
        int(options["max_request_body_size"])
        return
    if program == "uvicorn":
        from uvicorn.main import main as uvicorn_command

        uvicorn_command.make_context("uvicorn", argv[1:])  # raises on unknown options
        assert argv[1] == "meldpunt.asgi:application"
        assert argv[argv.index("--host") + 1] == "127.0.0.1"
        assert argv[argv.index("--port") + 1] == "8002"  # 8000 web, 8001 onion
        # No client address in a log or in the application.
        assert {"--no-access-log", "--no-proxy-headers"} <= set(argv)
        return
    assert program == "meldpunt"
    verb, *rest = argv[1:]
    commands = get_commands()
    assert verb in commands and verb not in REFUSED_VERBS
    command = load_command_class(commands[verb], verb)
    # The worker checks its --backend against the settings: production's, not the tests'.
    with override_settings(TASKS={"default": {"BACKEND": PRODUCTION_TASK_BACKEND}}):
        command.create_parser("meldpunt", verb).parse_args(rest)  # raises on unknown options


def test_the_live_service_pools_its_database_connections():
    """Under ASGI each request has a thread of its own: without a pool, a new connection each."""
    values = unit_values(SYSTEMD / "meldpunt-live.service", "Environment")
    environment = dict(value.split("=", 1) for value in values)
    assert int(environment["MELDPUNT_DB_POOL"]) > 0


def test_the_web_service_pools_as_many_database_connections_as_it_has_threads():
    """Connections are reused between requests, and a request never waits for one.

    A request holds its connection from its first query to its end (waiting in
    the key-derivation queue included), so fewer than the threads could make
    requests wait for the pool; and the process's connections stay bounded by
    its threads, as without a pool.
    """
    unit = SYSTEMD / "meldpunt-web.service"
    options, _ = Adjustments.parse_args(shlex.split(unit_read(unit)["ExecStart"])[1:])
    environment = dict(value.split("=", 1) for value in unit_values(unit, "Environment"))
    assert int(environment["MELDPUNT_DB_POOL"]) == int(options["threads"]) == 64


def test_the_web_servers_refuse_bodies_above_the_upload_limit_and_buffer_in_memory():
    for name in ("meldpunt-web.service", "meldpunt-onion.service"):
        service = unit_read(SYSTEMD / name)
        options, _ = Adjustments.parse_args(shlex.split(service["ExecStart"])[1:])
        limit = int(options["max_request_body_size"])
        assert EVIDENCE_DEFAULTS["EVIDENCE_UPLOAD_MAX_REQUEST_BYTES"] < limit
        assert limit < 2 * EVIDENCE_DEFAULTS["EVIDENCE_UPLOAD_MAX_REQUEST_BYTES"]
        # waitress spools large bodies to $TMPDIR: the runtime directory, a tmpfs.
        environment = unit_values(SYSTEMD / name, "Environment")
        assert f"TMPDIR=%t/{service['RuntimeDirectory']}" in environment


def test_the_worker_gets_its_key_as_a_credential_named_by_its_instance():
    unit = SYSTEMD / "meldpunt-worker@.service"
    service = unit_read(unit)
    credential = service["LoadCredentialEncrypted"]
    assert credential.startswith("worker-key:/etc/credstore")
    assert service["Environment"] == "MELDPUNT_WORKER_KEY_FILE=%d/worker-key"
    assert "--worker-id=%i" in service["ExecStart"]
    # SIGTERM to the worker alone: it finishes its task, whose parser child lives on.
    assert service["KillMode"] == "mixed"
    assert "MELDPUNT_WORKER_KEY_IN_DATA_DIR" not in unit.read_text(encoding="utf-8")


def test_the_onion_process_reads_its_own_environment_last():
    files = unit_values(SYSTEMD / "meldpunt-onion.service", "EnvironmentFile")
    assert files == ["/etc/meldpunt/meldpunt.env", "/etc/meldpunt/onion.env"]


def _environment_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name: value for name, value in pairs}


def _check_deploy(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {
        **environment,
        "PATH": os.environ["PATH"],
        "MELDPUNT_DATA_DIR": str(tmp_path / "data"),
        "MELDPUNT_STATIC_ROOT": str(tmp_path / "static"),
    }
    environment.pop("DATABASE_URL")  # the example's PostgreSQL is not on this machine
    return subprocess.run(
        [sys.executable, "-m", "meldpunt.cli", "check", "--deploy"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_example_environments_pass_check_deploy(tmp_path):
    web = _environment_file(SYSTEMD / "meldpunt.env.example")
    result = _check_deploy(web, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"meldpunt\.[EW]\d", result.stderr), result.stderr
    onion = {**web, **_environment_file(SYSTEMD / "onion.env.example")}
    onion["MELDPUNT_ALLOWED_HOSTS"] = "a" * 56 + ".onion"
    result = _check_deploy(onion, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"meldpunt\.[EW]\d", result.stderr), result.stderr
    # The same environment with a clearnet host and no HTTPS is refused.
    result = _check_deploy({**onion, "MELDPUNT_ALLOWED_HOSTS": "example.org"}, tmp_path)
    assert result.returncode != 0
    assert "meldpunt.E005" in result.stderr


def test_systemd_analyze_verifies_the_units(tmp_path):
    """systemd's own reading: unknown keys, bad values, executables that do not exist."""
    if not shutil.which("systemd-analyze"):
        reason = "systemd-analyze is missing: install Debian's systemd package"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    copies = []
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace(
            VENV_BIN, str(Path(sys.executable).parent) + "/"
        )
        name = unit.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text, encoding="utf-8")
        copies.append(f"./{name}")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "meldpunt" not in result.stderr, result.stderr


def test_nginx_logs_no_client_and_limits_the_body():
    config = NGINX.read_text(encoding="utf-8")
    directives = [line.strip() for line in config.splitlines() if not line.strip().startswith("#")]
    access_logs = [line for line in directives if line.startswith("access_log")]
    assert access_logs and all(line == "access_log off;" for line in access_logs)
    for variable in ("$remote_addr", "$http_user_agent", "$proxy_add_x_forwarded_for"):
        assert variable not in config
    error_logs = [line for line in directives if line.startswith("error_log")]
    assert error_logs and all(line.endswith(" crit;") for line in error_logs)
    assert directives.count('proxy_set_header X-Forwarded-For "";') == 2
    # The chat's event streams go to Uvicorn unbuffered (meldpunt-live.service).
    assert "server 127.0.0.1:8002;" in directives and "proxy_buffering off;" in directives
    assert "proxy_request_buffering off;" in directives
    # The server's limit first; the chat's location takes less (1m).
    size, *locations = re.findall(r"^client_max_body_size (\d+)m;$", "\n".join(directives), re.M)
    assert locations == ["1"]
    limit = EVIDENCE_DEFAULTS["EVIDENCE_UPLOAD_MAX_REQUEST_BYTES"]
    assert limit < int(size) * 1024 * 1024 < 2 * limit
    assert "alias /srv/meldpunt/static/;" in directives
    assert "MELDPUNT_STATIC_ROOT=/srv/meldpunt/static" in (
        SYSTEMD / "meldpunt.env.example"
    ).read_text(encoding="utf-8")
