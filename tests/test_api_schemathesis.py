"""Schemathesis against both OpenAPI documents, in process through Django's WSGI handler.

Every operation of the reporter API (/api/v1/openapi.json) and of the hash-check
API (/api/v1/hashes/openapi.json) gets generated requests, valid and invalid
(schemathesis's positive and negative modes), and every answer must be no 5xx,
a documented status with a documented content type and headers, and a body that
matches the response schema. Requests carry what the endpoints need to get past
authentication: a real line and category, a mailbox token for a real report,
and a hash-check client token. Examples per operation are bounded so the whole
module stays well under a minute.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from meldpunt.hashes.api.openapi import openapi_document as hashes_document
from meldpunt.hashes.clients import check_client_create
from meldpunt.hashes.models import HashList
from meldpunt.intake.api.openapi import openapi_document as reporter_document
from meldpunt.lines.models import Category, Line
from meldpunt.testing import make_full_category

LINE, CATEGORY = "fuzz-line", "fuzz-category"
# Per operation. More for a deeper search: SCHEMATHESIS_EXAMPLES=500, and
# SCHEMATHESIS_RANDOM=1 for other inputs than the fixed ones CI sends.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CONFIG = schemathesis.Config.from_dict(
    {"parameters": {"line_slug": LINE, "category_slug": CATEGORY}}
)

reporter = schemathesis.openapi.from_dict(reporter_document(), config=CONFIG)
reporter.app = WSGIHandler()
hashes = schemathesis.openapi.from_dict(hashes_document(), config=CONFIG)
hashes.app = reporter.app

# What is promised: no server error, and every answer as documented. Checks that judge
# the generated requests instead (e.g. that any schema-valid body is accepted) do not
# apply: the documents cannot spell out each category's questionnaire.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """Keep the database connection across the in-process requests, as Django's test client does.

    Django's WSGI handler closes the connection when a request starts and finishes;
    on PostgreSQL that would end the test's transaction after the first request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_fuzzed_documents_are_the_ones_served(client):
    """The documents are taken from the code at import; they must be what clients get."""
    assert client.get("/api/v1/openapi.json").json() == reporter_document()
    assert client.get("/api/v1/hashes/openapi.json").json() == hashes_document()


@pytest.fixture
def mailbox_token(db) -> str:
    """A real report on the fuzzed category and a mailbox token that opens it."""
    category = make_full_category()
    Line.objects.filter(pk=category.line_id).update(slug=LINE)
    Category.objects.filter(pk=category.pk).update(slug=CATEGORY)
    # Through the same in-process WSGI app as the fuzzing (Django's test client would
    # put back the connection-closing signal handlers after its request).
    client = WerkzeugClient(reporter.app)
    submitted = client.post(
        f"/api/v1/lines/{LINE}/categories/{CATEGORY}/reports",
        json={"what": "Er wordt gedeald bij de snackbar"},
    )
    assert submitted.status_code == 201, submitted.get_data()
    opened = client.post("/api/v1/mailbox/session", json={"receipt": submitted.json["receipt"]})
    assert opened.status_code == 201, opened.get_data()
    return opened.json["token"]


@pytest.fixture
def client_token(db) -> str:
    """A hash-check client with one labelled list and a quota that generated calls cannot use up."""
    hash_list = HashList.objects.create(name="fuzz", public_label="CSAM (fuzz)")
    return check_client_create(name="Fuzz BV", hash_lists=[hash_list], daily_quota=10**9).token


@reporter.parametrize()
@FUZZ_SETTINGS
def test_reporter_api_answers_every_generated_request_as_documented(case, mailbox_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {mailbox_token}"}, checks=CHECKS)


@hashes.parametrize()
@FUZZ_SETTINGS
def test_hash_check_api_answers_every_generated_request_as_documented(case, client_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {client_token}"}, checks=CHECKS)
