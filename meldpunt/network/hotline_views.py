"""The analyst's confirm page of the hotline's actions on one address.

Shows what would be sent and to whom (the proposal from the trace and the
country list, with any reason it cannot be sent now) and the notice's text;
one POST confirms. Access is the hotline page's: members of the line with its
key see it, those who may change the case confirm.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meldpunt.cases.access import (
    MAX_ID,
    can_change,
    destroyed_page,
    no_key_page,
    report_for,
    report_key,
    staff_required,
)
from meldpunt.hotline.models import ReportedUrl
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.services import HotlineRefused
from meldpunt.lines.models import LineKind
from meldpunt.vault.keys import NoKeyError

from .forms import HotlineActionsForm
from .hotline_actions import hotline_actions_confirm, hotline_actions_propose

REFUSAL_STATUS = {"destroyed": 410, "not_allowed": 403}


def _address(request: HttpRequest, pk: int, url_pk: int) -> ReportedUrl:
    report = report_for(request.user, pk)
    if report.line.kind != LineKind.CONTENT_HOTLINE or url_pk > MAX_ID:
        raise Http404
    item = ReportedUrl.objects.filter(pk=url_pk, report=report).select_related("report").first()
    if item is None:
        raise Http404
    return item


@staff_required
@require_http_methods(["GET", "POST"])
def hotline_actions(request: HttpRequest, pk: int, url_pk: int) -> HttpResponse:
    item = _address(request, pk, url_pk)
    report = item.report
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        report_key(request, report)
    except NoKeyError:
        return no_key_page(request, report)
    error, status = "", 200
    if request.method == "POST":
        form = HotlineActionsForm(request.POST)
        if not form.is_valid():
            error, status = _("Nothing was sent: the confirmation was not complete."), 400
        else:
            try:
                hotline_actions_confirm(
                    item=item, actor=request.user, seen_state=form.cleaned_data["state"]
                )
            except HotlineRefused as refused:
                error, status = refused.message, REFUSAL_STATUS.get(refused.code, 409)
            else:
                messages.success(request, _("The actions have been queued for sending."))
                return redirect("hotline:report", pk=report.pk)
        item.refresh_from_db()
    case = getattr(report, "case", None)
    response = render(
        request,
        "network/hotline_actions.html",
        {
            "report": report,
            "item": item,
            "address": url_open(item.sealed_url) if item.sealed_url else "",
            "proposal": hotline_actions_propose(item),
            "existing": list(item.actions.all()),
            "form": HotlineActionsForm(initial={"state": item.state}),
            "may_change": can_change(request.user, report, case.assignee_id if case else None),
            "error": error,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store, private"
    return response
