"""``meldpunt check --deploy``: each insecure setting is named by its id, and only then."""

import copy
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.checks import Tags, run_checks
from django.test import override_settings

from meldpunt.datadir import installation_secret

STRONG_KEY = "k" * 30 + "Qz7-pL9_xR2mN4vT8wY1aB3cD5eF6gH"
# A production server's settings, as MELDPUNT_HTTPS=1 with a proper host gives them.
PRODUCTION = {
    "DEBUG": False,
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": ["meldpunt.example.org"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "METRICS_TOKEN": "",
    # The test environment keeps the worker key beside the data, as the demo does.
    "EVIDENCE_WORKER_KEY_IN_DATA_DIR": False,
    # The test environment lowers every Argon2id cost (meldpunt/testenv.py); these are
    # the defaults.
    "VAULT_KDF_OPSLIMIT": 3,
    "VAULT_KDF_MEMLIMIT": 256 * 1024 * 1024,
    "PASSWORD_ARGON2_TIME_COST": 2,
    "PASSWORD_ARGON2_MEMORY_KIB": 102400,
}


def deploy_check_ids(**overrides) -> set[str]:
    """The security checks only: the model checks would ask the database about JSON fields."""
    with override_settings(**{**PRODUCTION, **overrides}):
        messages = run_checks(include_deployment_checks=True, tags=[Tags.security])
    return {message.id for message in messages}


def meldpunt_ids(**overrides) -> set[str]:
    return {id_ for id_ in deploy_check_ids(**overrides) if id_.startswith("meldpunt.")}


def test_production_settings_pass_every_meldpunt_deploy_check():
    assert meldpunt_ids() == set()


def test_the_checks_run_only_with_deploy():
    with override_settings(**{**PRODUCTION, "DEBUG": True}):
        ids = {message.id for message in run_checks(tags=[Tags.security])}
    assert "meldpunt.E001" not in ids


def test_debug_on_is_an_error():
    assert "meldpunt.E001" in meldpunt_ids(DEBUG=True)


@pytest.mark.parametrize(
    "key",
    ["short-key", "a" * 60, "django-insecure-" + STRONG_KEY, "change-me"],
)
def test_a_short_repetitive_or_placeholder_secret_key_is_an_error(key):
    assert "meldpunt.E002" in meldpunt_ids(SECRET_KEY=key)


def _databases(engine: str) -> dict:
    databases = copy.deepcopy(django_settings.DATABASES)
    databases["default"]["ENGINE"] = f"django.db.backends.{engine}"
    return databases


def test_the_data_directorys_key_is_a_warning_only_with_a_shareable_database():
    machine_key = installation_secret("django")
    # The DATABASES override is read by the check only; no connection is made.
    with pytest.warns(UserWarning, match="DATABASES"):
        shared = meldpunt_ids(SECRET_KEY=machine_key, DATABASES=_databases("postgresql"))
        alone = meldpunt_ids(SECRET_KEY=machine_key, DATABASES=_databases("sqlite3"))
        own_key = meldpunt_ids(DATABASES=_databases("postgresql"))
    assert "meldpunt.W003" in shared
    assert "meldpunt.W003" not in alone
    assert "meldpunt.W003" not in own_key


def test_a_wildcard_host_is_an_error():
    assert "meldpunt.E004" in meldpunt_ids(ALLOWED_HOSTS=["meldpunt.example.org", "*"])


@pytest.mark.parametrize(
    "missing",
    [
        {"SECURE_PROXY_SSL_HEADER": None},
        {"SESSION_COOKIE_SECURE": False},
        {"CSRF_COOKIE_SECURE": False},
    ],
)
def test_missing_https_settings_are_an_error(missing):
    assert "meldpunt.E005" in meldpunt_ids(**missing)


def test_an_onion_only_process_needs_no_https_settings():
    plain_http = {
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }
    onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
    assert "meldpunt.E005" not in meldpunt_ids(ALLOWED_HOSTS=[onion], **plain_http)
    # One clearnet name beside the onion address: that one needs HTTPS.
    assert "meldpunt.E005" in meldpunt_ids(ALLOWED_HOSTS=[onion, "example.org"], **plain_http)


def test_an_unset_request_body_limit_is_an_error():
    assert "meldpunt.E006" in meldpunt_ids(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
    assert "meldpunt.E006" in meldpunt_ids(EVIDENCE_UPLOAD_MAX_REQUEST_BYTES=None)


def _logging(**changes) -> dict:
    config = copy.deepcopy(django_settings.LOGGING)
    for path, value in changes.items():
        section, name = path.split("__")
        config[section][name] = value
    return config


def test_logging_that_could_name_the_client_is_an_error():
    assert "meldpunt.E007" not in meldpunt_ids(LOGGING=_logging())
    remote_addr = {"format": "{asctime} %(request)s {message}", "style": "{"}
    assert "meldpunt.E007" in meldpunt_ids(LOGGING=_logging(formatters__plain=remote_addr))
    unfiltered = {"class": "logging.StreamHandler", "formatter": "plain"}
    assert "meldpunt.E007" in meldpunt_ids(LOGGING=_logging(handlers__access=unfiltered))
    discarding = {"class": "logging.NullHandler"}
    assert "meldpunt.E007" not in meldpunt_ids(LOGGING=_logging(handlers__nothing=discarding))


def test_the_django_server_access_log_switched_on_is_an_error():
    config = copy.deepcopy(django_settings.LOGGING)
    config["loggers"]["django.server"] = {"handlers": ["console"], "propagate": False}
    assert "meldpunt.E007" in meldpunt_ids(LOGGING=config)
    del config["loggers"]["django.server"]
    assert "meldpunt.E007" in meldpunt_ids(LOGGING=config)


def test_a_short_metrics_token_is_an_error():
    assert "meldpunt.E009" in meldpunt_ids(METRICS_TOKEN="letmein")
    assert "meldpunt.E009" not in meldpunt_ids(METRICS_TOKEN="x" * 8 + STRONG_KEY[:24])
    assert "meldpunt.E009" not in meldpunt_ids(METRICS_TOKEN="")


def test_meldpunt_check_deploy_fails_on_debug_and_passes_when_secure(tmp_path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "MELDPUNT_DATA_DIR": str(tmp_path),
        "MELDPUNT_ALLOWED_HOSTS": "meldpunt.example.org",
        "MELDPUNT_HTTPS": "1",
        # Django's own deploy check refuses the console mail backend; no mail is sent.
        "MELDPUNT_SMTP_HOST": "smtp.example.org",
    }
    command = [sys.executable, "-m", "meldpunt.cli", "check", "--deploy"]
    secure = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert secure.returncode == 0, secure.stderr
    insecure = subprocess.run(
        command, env={**environment, "MELDPUNT_DEBUG": "1"}, capture_output=True, text=True
    )
    assert insecure.returncode != 0
    assert "meldpunt.E001" in insecure.stderr
    assert "DEBUG is on" in insecure.stderr


def test_a_worker_key_in_the_data_directory_is_a_warning():
    assert "meldpunt.W010" in meldpunt_ids(EVIDENCE_WORKER_KEY_IN_DATA_DIR=True)


@pytest.mark.parametrize(
    "lowered",
    [
        {"VAULT_KDF_OPSLIMIT": 1},
        {"VAULT_KDF_MEMLIMIT": 8 * 1024 * 1024},
        {"PASSWORD_ARGON2_TIME_COST": 1},
        {"PASSWORD_ARGON2_MEMORY_KIB": 64},
    ],
)
def test_a_lowered_argon2_cost_is_an_error(lowered):
    assert "meldpunt.E011" in meldpunt_ids(**lowered)
