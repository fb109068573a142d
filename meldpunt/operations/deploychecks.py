"""``meldpunt check --deploy``: settings that must not reach a production server.

Django's own deployment checks (``security.W0xx``) are warnings about generic
web sites; these are about meldpunt's promises (docs/security.md, docs/privacy.md)
and are errors wherever a wrong setting would expose reporters, so that
``meldpunt check --deploy`` exits non-zero. Only where the settings cannot tell
whether something is wrong (several machines sharing one database) is it a
warning. docs/operations.md, "Production set-up", lists them.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from meldpunt.evidence.conf import evidence_setting
from meldpunt.privacy.logging import ClientDetailsFilter

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
# Values an operator may copy from an example without changing them.
SECRET_KEY_PLACEHOLDERS = {"change-me", "changeme", "secret", "replace-me", "<secret>"}
METRICS_TOKEN_MIN_LENGTH = 32
# OWASP's floor for Argon2id (19 MiB, 2 passes); the test suite runs far below it.
ARGON2_MIN_MEMORY_KIB = 19 * 1024
ARGON2_MIN_PASSES = 2
# What a log format would need to name to write down who the client is.
CLIENT_FIELDS = (
    "remote_addr",
    "http_x_forwarded_for",
    "http_x_real_ip",
    "http_user_agent",
    "client_addr",
    "request",
)


def onion_only() -> bool:
    """Whether this process serves only an onion service (docs/tor.md, section 2).

    The onion process names only its ``.onion`` address in ALLOWED_HOSTS and
    runs on plain HTTP, which Tor already encrypts, so the HTTPS settings do not
    belong there; naming the onion address alone is the operator's declaration.
    """
    hosts = [host.strip().lower() for host in settings.ALLOWED_HOSTS if host.strip()]
    return bool(hosts) and all(host.split(":")[0].endswith(".onion") for host in hosts)


@checks.register(checks.Tags.security, deploy=True)
def debug_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Debug pages show settings, local variables and report content to anyone."""
    if settings.DEBUG:
        return [
            checks.Error(
                "DEBUG is on: error pages would show report content and settings to anyone.",
                hint="Unset MELDPUNT_DEBUG.",
                id="meldpunt.E001",
            )
        ]
    return []


def _secret_key_is_weak(key: str) -> bool:
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith("django-insecure")
        or key.strip().lower() in SECRET_KEY_PLACEHOLDERS
    )


def _secret_key_is_from_data_dir(key: str) -> bool:
    """Whether SECRET_KEY is the one the data directory made (settings.py), not a shared one."""
    path = Path(settings.DATA_DIR) / "django.secret"
    try:
        return path.read_text(encoding="utf-8").strip() == key
    except OSError:
        return False


@checks.register(checks.Tags.security, deploy=True)
def secret_key_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """The secret key signs sessions and CSRF tokens: a guessable one lets anyone forge them."""
    key = str(settings.SECRET_KEY)
    if _secret_key_is_weak(key):
        return [
            checks.Error(
                f"SECRET_KEY is weak: shorter than {SECRET_KEY_MIN_LENGTH} characters, "
                f"fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters, "
                "or a placeholder.",
                hint="Unset MELDPUNT_SECRET_KEY to use the random key of the data directory, "
                "or set it to the output of `python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'`.",
                id="meldpunt.E002",
            )
        ]
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.sqlite3" and _secret_key_is_from_data_dir(key):
        return [
            checks.Warning(
                "SECRET_KEY is the one this machine's data directory made, while the "
                "database could be shared: application servers with different keys reject "
                "each other's sessions and form tokens.",
                hint="With several application servers, set the same MELDPUNT_SECRET_KEY on "
                "all of them (docs/operations.md, Data directory). With one, this warning "
                "can be ignored.",
                id="meldpunt.W003",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def allowed_hosts_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A wildcard host lets a forged Host header into links in staff and partner mail."""
    if "*" in [host.strip() for host in settings.ALLOWED_HOSTS]:
        return [
            checks.Error(
                'ALLOWED_HOSTS contains "*": any Host header is accepted.',
                hint="Set MELDPUNT_ALLOWED_HOSTS to the names this server answers to.",
                id="meldpunt.E004",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def https_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Behind a TLS proxy, cookies must be secure and the proxy's scheme trusted."""
    if onion_only():
        return []
    missing = [
        name
        for name, value in (
            ("SECURE_PROXY_SSL_HEADER", settings.SECURE_PROXY_SSL_HEADER),
            ("SESSION_COOKIE_SECURE", settings.SESSION_COOKIE_SECURE),
            ("CSRF_COOKIE_SECURE", settings.CSRF_COOKIE_SECURE),
        )
        if not value
    ]
    if missing:
        return [
            checks.Error(
                f"HTTPS settings missing: {', '.join(missing)}. Session cookies would "
                "also travel over plain HTTP.",
                hint="Set MELDPUNT_HTTPS=1 behind a TLS proxy that sends X-Forwarded-Proto. "
                "A process serving only an onion service names only its .onion address in "
                "MELDPUNT_ALLOWED_HOSTS (docs/tor.md).",
                id="meldpunt.E005",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def request_body_limit_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Without limits, one request can fill the memory that uploads are spooled into."""
    unset = [
        name
        for name, value in (
            ("DATA_UPLOAD_MAX_MEMORY_SIZE", settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
            (
                "EVIDENCE_UPLOAD_MAX_REQUEST_BYTES",
                evidence_setting("EVIDENCE_UPLOAD_MAX_REQUEST_BYTES"),
            ),
        )
        if value is None or value <= 0
    ]
    if unset:
        return [
            checks.Error(
                f"Request body limit unset: {', '.join(unset)}. Uploads are kept in memory; "
                "one request without a limit could take all of it.",
                hint="Remove the override that unset it; the defaults are in meldpunt/settings.py "
                "and meldpunt/evidence/conf.py. Limit the body in the proxy too "
                "(nginx: client_max_body_size).",
                id="meldpunt.E006",
            )
        ]
    return []


def _is_client_details_filter(spec: Any) -> bool:
    if not isinstance(spec, dict):
        return False
    factory = spec.get("()") or spec.get("class")
    if isinstance(factory, str):
        try:
            factory = import_string(factory)
        except ImportError:
            return False
    return isinstance(factory, type) and issubclass(factory, ClientDetailsFilter)


def logging_problems(config: dict[str, Any]) -> list[str]:
    """What in a LOGGING dictionary could write a client's address or user agent."""
    problems = []
    filters = config.get("filters", {})
    for name, formatter in config.get("formatters", {}).items():
        text = " ".join(str(formatter.get(key, "")) for key in ("format", "fmt")).lower()
        named = [field for field in CLIENT_FIELDS if field in text]
        if named:
            problems.append(f"formatter {name!r} names {', '.join(named)}")
    for name, handler in config.get("handlers", {}).items():
        if handler.get("class") == "logging.NullHandler":
            continue  # writes nothing
        if not any(_is_client_details_filter(filters.get(f)) for f in handler.get("filters", [])):
            problems.append(f"handler {name!r} has no meldpunt.privacy.logging.ClientDetailsFilter")
    server = config.get("loggers", {}).get("django.server")
    if server is None or server.get("handlers") or server.get("propagate", True):
        problems.append("logger 'django.server' (an access log naming the client) is not off")
    return problems


@checks.register(checks.Tags.security, deploy=True)
def logging_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A log line with a client address would tie a reporter to a time (docs/security.md)."""
    if settings.LOGGING_CONFIG != "logging.config.dictConfig":
        return [
            checks.Warning(
                f"LOGGING_CONFIG is {settings.LOGGING_CONFIG!r}: whether the logs keep client "
                "addresses cannot be checked.",
                id="meldpunt.W008",
            )
        ]
    problems = logging_problems(settings.LOGGING)
    if problems:
        return [
            checks.Error(
                "Logging could write client addresses: " + "; ".join(problems) + ".",
                hint="Give every handler the 'anonymity' filter of meldpunt/settings.py first, "
                "keep request and client fields out of formats, and keep the "
                "'django.server' logger without handlers and propagate False.",
                id="meldpunt.E007",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def metrics_token_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """/metrics is open to whoever knows the token; a short one can be guessed."""
    token = settings.METRICS_TOKEN
    if token and len(token) < METRICS_TOKEN_MIN_LENGTH:
        return [
            checks.Error(
                f"MELDPUNT_METRICS_TOKEN has {len(token)} characters; it must have at least "
                f"{METRICS_TOKEN_MIN_LENGTH}.",
                hint="Make one with `python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`, or unset it to turn /metrics off.",
                id="meldpunt.E009",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def worker_key_place_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A worker key in the data directory lets a copy of it and the database open files."""
    if evidence_setting("EVIDENCE_WORKER_KEY_IN_DATA_DIR"):
        return [
            checks.Warning(
                "MELDPUNT_WORKER_KEY_IN_DATA_DIR is on: a copy of the data directory and the "
                "database (a backup) opens every file waiting for previews.",
                hint="Move the key out with `meldpunt worker_key move --out PATH` and give it to "
                "the workers as MELDPUNT_WORKER_KEY_FILE (docs/operations.md, Workers).",
                id="meldpunt.W010",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def argon2_cost_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Receipts, staff keys and staff passwords are only as hard to guess as their Argon2id cost.

    The test suite lowers every cost to almost nothing; an environment copied from
    it would make a stolen database's receipts and passwords cheap to try.
    """
    costs = {
        "MELDPUNT_KDF_OPSLIMIT / MELDPUNT_KDF_MEMLIMIT": (
            settings.VAULT_KDF_OPSLIMIT,
            settings.VAULT_KDF_MEMLIMIT // 1024,
        ),
        "MELDPUNT_PASSWORD_TIME_COST / MELDPUNT_PASSWORD_MEMORY_KIB": (
            settings.PASSWORD_ARGON2_TIME_COST,
            settings.PASSWORD_ARGON2_MEMORY_KIB,
        ),
    }
    return [
        checks.Error(
            f"{names} give Argon2id {passes} pass(es) over {memory_kib} KiB; the least is "
            f"{ARGON2_MIN_PASSES} passes over {ARGON2_MIN_MEMORY_KIB} KiB.",
            hint="Unset them to use the defaults (docs/operations.md, Settings).",
            id="meldpunt.E011",
        )
        for names, (passes, memory_kib) in costs.items()
        if passes < ARGON2_MIN_PASSES or memory_kib < ARGON2_MIN_MEMORY_KIB
    ]
