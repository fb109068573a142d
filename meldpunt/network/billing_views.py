"""Statements and evaluations of partners, for supervisors and administrators.

They show counts, dates, lines, categories and fees, never report content, so
no report key is needed; analysts and partner users get "not found".
"""

import csv
from datetime import date, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meldpunt.vault.decorators import key_holder_required
from meldpunt.vault.models import Role

from . import billing
from .forms import EvaluationForm, PeriodForm
from .models import Partner, PartnerKind

billing_required = key_holder_required({Role.ADMINISTRATOR, Role.SUPERVISOR})
MAX_ID = 2**63 - 1


def _partner(pk: int) -> Partner:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Partner, pk=pk)


def _period(request: HttpRequest) -> PeriodForm:
    """The asked period; last calendar month when none is asked."""
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET)
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return PeriodForm({"start": end.replace(day=1), "end": end})


@billing_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/partner_list.html",
        {"partners": Partner.objects.order_by("name"), "municipality": PartnerKind.MUNICIPALITY},
    )


@billing_required
@require_GET
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable statement of what was forwarded to the partner in a period, with fees."""
    partner = _partner(pk)
    form = _period(request)
    result = None
    if form.is_valid():
        result = billing.partner_statement(partner=partner, **form.cleaned_data)
    return render(
        request,
        "network/statement.html",
        {"partner": partner, "form": form, "statement": result},
        status=200 if result else 400,
    )


@billing_required
@require_GET
def statement_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The same statement as CSV (one line per forward, then the total)."""
    partner = _partner(pk)
    form = _period(request)
    if not form.is_valid():
        return render(
            request,
            "network/statement.html",
            {"partner": partner, "form": form, "statement": None},
            status=400,
        )
    result = billing.partner_statement(partner=partner, **form.cleaned_data)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{partner.pk}-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([_("Forward"), _("Forwarded on"), _("Line"), _("Category"), _("Fee (EUR)")])
    for forward in result.forwards:
        writer.writerow(
            [
                forward.pk,
                timezone.localdate(forward.created_at).isoformat(),
                forward.report.line.title,
                forward.report.category.title,
                f"{forward.fee:.2f}",
            ]
        )
    writer.writerow([_("Total"), "", "", result.count, f"{result.total:.2f}"])
    return response


@billing_required
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """A year of a municipality's connection: what it received, and what it did with it."""
    partner = _partner(pk)
    if partner.kind != PartnerKind.MUNICIPALITY:
        raise Http404
    default = billing.evaluation_start(partner, timezone.localdate())
    form = EvaluationForm(request.GET if "start" in request.GET else {"start": default})
    result = None
    if form.is_valid():
        start: date = form.cleaned_data["start"]
        result = billing.partner_evaluation(partner=partner, start=start)
    return render(
        request,
        "network/evaluation.html",
        {"partner": partner, "form": form, "evaluation": result},
        status=200 if result else 400,
    )
