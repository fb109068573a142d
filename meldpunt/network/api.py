"""The partner-hotline API: partner (INHOPE) hotlines send signed address reports.

Authenticated like the hash-check API: a bearer token (``mphx_…``) issued to
the hotline with ``meldpunt hotline_exchange token``, of which only the digest
is stored. Cookie-less, no CSRF, errors in meldpunt.jsonapi's shape. Every
document must be signed with the key registered for the authenticated
hotline; each document gets its own result (docs/api.md, "Partner-hotline API").
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from meldpunt.apitokens import bearer_token
from meldpunt.hotline.exchange import ExchangeRefused, documents_list
from meldpunt.jsonapi import ANY_METHOD, ApiError, api_view, json_body

from .hotline_exchange import partner_hotline_authenticate, partner_reports_import
from .models import Partner

MAX_BODY_BYTES = 16 * 1024 * 1024
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="partner-hotline"'}


def _partner(request: HttpRequest) -> Partner:
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401,
            "token_missing",
            _("Send your partner-hotline token as “Authorization: Bearer …”."),
            headers=CHALLENGE,
        )
    partner = partner_hotline_authenticate(token)
    if partner is None:
        raise ApiError(
            401,
            "token_invalid",
            _("This token is not valid, or the hotline's access has been switched off."),
            headers=CHALLENGE,
        )
    return partner


@api_view("POST")
def reports_import(request: HttpRequest) -> HttpResponse:
    """Import one signed address report or an array of them; one result per document."""
    partner = _partner(request)
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", _("Send the documents as application/json."))
    try:
        envelopes = documents_list(json_body(request, max_bytes=MAX_BODY_BYTES))
        results = partner_reports_import(envelopes=envelopes, partner=partner)
    except ExchangeRefused as refused:
        raise ApiError(400, refused.code, refused.message) from refused
    body = [
        {
            "index": result.index,
            "report_id": result.report_id or None,
            "outcome": result.outcome,
            **({"error": {"code": result.code, "message": result.message}} if result.code else {}),
        }
        for result in results
    ]
    return JsonResponse({"results": body})


@api_view(*ANY_METHOD)
def no_such_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/partner-hotlines/: a JSON 404."""
    raise ApiError(404, "not_found", _("There is no such endpoint."))
