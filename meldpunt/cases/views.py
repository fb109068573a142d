"""The staff side: the queue of reports and one report with its dialogue."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meldpunt.intake import selectors as intake_selectors
from meldpunt.intake import services as intake_services
from meldpunt.intake.forms import MessageForm
from meldpunt.intake.models import Report
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import NoKeyError

from .access import private_key, report_for, staff_required, visible_reports


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    reports = visible_reports(request.user).select_related("line", "category")[:200]
    return render(request, "cases/queue.html", {"reports": reports})


@staff_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    try:
        key_bytes = intake_services.report_key_for_staff(
            report=report, user=request.user, private_key=private_key(request)
        )
    except NoKeyError:
        audit_record(actor=request.user, action="report.open_denied", target=report)
        return render(request, "cases/no_key.html", {"report": report}, status=403)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        intake_services.staff_message_post(
            report=report, actor=request.user, key_bytes=key_bytes, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Your question has been sent to the reporter's mailbox."))
        return redirect("cases:report", pk=report.pk)
    audit_record(actor=request.user, action="report.open", target=report)
    if report.needs_attention:
        Report.objects.filter(pk=report.pk).update(needs_attention=False)
    content = intake_services.report_content(report=report, key_bytes=key_bytes)
    thread = [
        (message, intake_services.message_body(message=message, key_bytes=key_bytes))
        for message in intake_selectors.report_messages(report)
    ]
    return render(
        request,
        "cases/report.html",
        {
            "report": report,
            "answers": [(content["questions"].get(k, k), v) for k, v in content["answers"].items()],
            "attachments": report.attachments.filter(message__isnull=True).select_related("file"),
            "thread": thread,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
