"""The analyst's hotline page: a report's web addresses, their assessment and checks.

Access follows the case pages (meldpunt.cases.access): members of the report's
line who hold its key see the page; those who may change the case act on it.
Addresses are shown as plain text only, never as links, so that nobody opens
abuse material by accident. Opening the page is audited, without the addresses.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meldpunt.cases.access import (
    MAX_ID,
    can_change,
    destroyed_page,
    member_line_ids,
    no_key_page,
    report_for,
    report_key,
    staff_required,
)
from meldpunt.hashes.services import OwnListRefused, own_entry_restore, own_entry_retire
from meldpunt.hotline.classifying import item_classify
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.exchange import ExchangeRefused, address_report_export, export_reference
from meldpunt.hotline.forms import AssessForm, ClassifyForm, QueueForm, RetireForm
from meldpunt.hotline.models import (
    FetchAttempt,
    ItemClassification,
    MediaKind,
    PageMediaItem,
    QueueBucket,
    ReportedUrl,
)
from meldpunt.hotline.monitor import monitor_csv, monitor_per_country, monitor_per_provider
from meldpunt.hotline.selectors import (
    MediaRow,
    first_attempt,
    queue_counts,
    queue_page,
    report_addresses,
)
from meldpunt.hotline.services import (
    HotlineRefused,
    reported_url_assess,
    reported_url_recheck_request,
)
from meldpunt.intake.models import Report
from meldpunt.lines.models import LineKind
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import NoKeyError

REFUSAL_STATUS = {"destroyed": 410, "not_classifiable": 404}


def _subject_key(subject: PageMediaItem | FetchAttempt) -> tuple[str, int]:
    return ("media" if isinstance(subject, PageMediaItem) else "file", subject.pk)


def _media_forms(row: MediaRow, state: str, bound: dict) -> None:
    """The classification form of one item (initial: its classification, or its kind)."""
    key = _subject_key(row.item)
    prefix = f"classify-{key[0]}{key[1]}"
    current = row.classification
    kind = MediaKind.VIDEO if row.item.media_type.startswith("video/") else MediaKind.IMAGE
    initial = {"state": state, "seen": current.material if current else "", "media_kind": kind}
    if current:
        initial |= {"material": current.material, "age_group": current.age_group}
        initial |= {"gender": current.gender, "media_kind": current.media_kind}
    row.form = bound.get(key) or ClassifyForm(initial=initial, auto_id=f"{prefix}_%s")
    row.retire_form = bound.get(("retire", key)) or RetireForm(auto_id=f"retire-{prefix}_%s")


def _hotline_report(request: HttpRequest, pk: int) -> Report:
    """The report of a content-hotline line of the user, or 404 alike for anything else."""
    report = report_for(request.user, pk)
    if report.line.kind != LineKind.CONTENT_HOTLINE:
        raise Http404
    return report


def _holder_id(report: Report) -> int | None:
    case = getattr(report, "case", None)
    return case.assignee_id if case else None


def _page(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page as it is now; ``bound`` holds a refused form to show with its errors."""
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        report_key(request, report)
    except NoKeyError:
        audit_record(actor=request.user, action="hotline.open_denied", target=report)
        return no_key_page(request, report)
    rows = report_addresses(report)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action="hotline.open",
            target=report,
            details={"addresses": len(rows)},
        )
    bound = bound or {}
    for row in rows:
        row.form = bound.get(row.item.pk) or AssessForm(
            initial={"state": row.item.state}, auto_id=f"assess{row.item.pk}_%s"
        )
        for media in ([row.file] if row.file else []) + (row.media.shown if row.media else []):
            _media_forms(media, row.item.state, bound)
    response = render(
        request,
        "hotline/report.html",
        {
            "report": report,
            "rows": rows,
            "error": error,
            "may_change": can_change(request.user, report, _holder_id(report)),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _hotline_report(request, pk))


def _address(report: Report, url_pk: int) -> ReportedUrl:
    if url_pk > MAX_ID:
        raise Http404
    item = ReportedUrl.objects.filter(pk=url_pk, report=report).first()
    if item is None:
        raise Http404
    return item


def _may_act(request: HttpRequest, report: Report) -> HttpResponse | None:
    """A refusal page when the user may not change this case, else None."""
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    if not can_change(request.user, report, _holder_id(report)):
        return _page(
            request,
            report,
            error=_("Only the holder of this case or a supervisor of the line can change it."),
            status=403,
        )
    return None


@staff_required
@require_POST
def assess(request: HttpRequest, pk: int, url_pk: int) -> HttpResponse:
    """Record the analyst's judgement of one address (illegal or not)."""
    report = _hotline_report(request, pk)
    item = _address(report, url_pk)
    if refusal := _may_act(request, report):
        return refusal
    form = AssessForm(request.POST, auto_id=f"assess{item.pk}_%s")
    if not form.is_valid():
        return _page(
            request,
            report,
            bound={item.pk: form},
            error=_("Nothing was saved: the assessment was not complete."),
            status=400,
        )
    try:
        reported_url_assess(
            item=item,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            seen_state=form.cleaned_data["state"],
        )
    except HotlineRefused as refused:
        return _page(
            request, report, error=refused.message, status=REFUSAL_STATUS.get(refused.code, 409)
        )
    messages.success(request, _("The assessment has been recorded."))
    return redirect("hotline:report", pk=report.pk)


@staff_required
@require_POST
def recheck(request: HttpRequest, pk: int, url_pk: int) -> HttpResponse:
    """Queue a check of one address now (refused while one is waiting or running)."""
    report = _hotline_report(request, pk)
    item = _address(report, url_pk)
    if refusal := _may_act(request, report):
        return refusal
    try:
        reported_url_recheck_request(item=item, actor=request.user)
    except HotlineRefused as refused:
        return _page(
            request, report, error=refused.message, status=REFUSAL_STATUS.get(refused.code, 409)
        )
    messages.success(request, _("A check of this address has been queued."))
    return redirect("hotline:report", pk=report.pk)


def _subject(item: ReportedUrl, media_pk: int | None) -> PageMediaItem | FetchAttempt:
    """An item of this address's first check (404 for any other), or the address's file."""
    if media_pk is None:
        attempt = first_attempt(item)
        if attempt is None:
            raise Http404
        return attempt
    if media_pk > MAX_ID:
        raise Http404
    return get_object_or_404(PageMediaItem, pk=media_pk, attempt__reported_url=item)


@staff_required
@require_POST
def classify(
    request: HttpRequest, pk: int, url_pk: int, media_pk: int | None = None
) -> HttpResponse:
    """Classify one picture or video of an address (or the address's own file)."""
    report = _hotline_report(request, pk)
    item = _address(report, url_pk)
    subject = _subject(item, media_pk)
    if refusal := _may_act(request, report):
        return refusal
    key = _subject_key(subject)
    form = ClassifyForm(request.POST, auto_id=f"classify-{key[0]}{key[1]}_%s")
    if not form.is_valid():
        return _page(
            request,
            report,
            bound={key: form},
            error=_("Nothing was saved: the classification was not complete."),
            status=400,
        )
    data = form.cleaned_data
    try:
        item_classify(
            address=item,
            subject=subject,
            actor=request.user,
            material=data["material"],
            age_group=data["age_group"],
            gender=data["gender"],
            media_kind=data["media_kind"],
            seen_state=data["state"],
            seen_material=data["seen"],
        )
    except HotlineRefused as refused:
        return _page(
            request, report, error=refused.message, status=REFUSAL_STATUS.get(refused.code, 409)
        )
    messages.success(request, _("The classification has been recorded."))
    return redirect("hotline:report", pk=report.pk)


def _classification(item: ReportedUrl, entry_pk: int) -> ItemClassification:
    """The classification of this address that put the entry on the own list, or 404."""
    if entry_pk > MAX_ID:
        raise Http404
    return get_object_or_404(
        ItemClassification.objects.select_related("own_entry"),
        reported_url=item,
        own_entry_id=entry_pk,
    )


@staff_required
@require_POST
def own_entry_change(
    request: HttpRequest, pk: int, url_pk: int, entry_pk: int, action: str
) -> HttpResponse:
    """Retire an own-list entry added by mistake, or restore a retired one (both audited)."""
    report = _hotline_report(request, pk)
    item = _address(report, url_pk)
    classification = _classification(item, entry_pk)
    if refusal := _may_act(request, report):
        return refusal
    try:
        if action == "retire":
            form = RetireForm(request.POST)
            if not form.is_valid():
                subject = classification.media_item or classification.attempt
                return _page(
                    request,
                    report,
                    bound={("retire", _subject_key(subject)): form},
                    error=_("Nothing was changed: say why the entry was a mistake."),
                    status=400,
                )
            own_entry_retire(
                entry=classification.own_entry,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("The entry was retired: it is no longer matched."))
        else:
            own_entry_restore(entry=classification.own_entry, actor=request.user)
            messages.success(request, _("The entry was restored: it is matched again."))
    except OwnListRefused as refused:
        return _page(request, report, error=refused.message, status=409)
    return redirect("hotline:report", pk=report.pk)


def _monitor_line_ids(request: HttpRequest) -> list[int] | None:
    """Administrators see every line's figures; other staff those of their own lines."""
    return None if request.user.is_administrator else member_line_ids(request.user)


def _monitor_tables(line_ids: list[int] | None) -> list[dict]:
    return [
        {
            "id": "per-provider",
            "title": _("Per hosting company"),
            "rows": monitor_per_provider(line_ids=line_ids),
        },
        {
            "id": "per-country",
            "title": _("Per country"),
            "rows": monitor_per_country(line_ids=line_ids),
        },
    ]


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The addresses of every report of the user's content-hotline lines, by bucket.

    No address is shown: listing them would decrypt every row of a long queue;
    each row links to its report's page, which shows (and audits) it.
    """
    form = QueueForm(request.GET)
    if not form.is_valid():
        return render(request, "hotline/queue.html", {"form": form}, status=400)
    bucket = form.cleaned_data["bucket"] or QueueBucket.ASSESS
    oldest_first = form.cleaned_data["order"] == "oldest"
    counts = queue_counts(request.user)
    response = render(
        request,
        "hotline/queue.html",
        {
            "form": form,
            "bucket": bucket,
            "order": "oldest" if oldest_first else "newest",
            "buckets": [(choice, label, counts[choice]) for choice, label in QueueBucket.choices],
            "page": queue_page(
                request.user,
                bucket=bucket,
                oldest_first=oldest_first,
                page=request.GET.get("page"),
            ),
        },
    )
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@require_GET
def monitor(request: HttpRequest) -> HttpResponse:
    """The provider monitor: removal figures per hosting company and per country."""
    return render(
        request,
        "hotline/monitor.html",
        {
            "tables": _monitor_tables(_monitor_line_ids(request)),
            "is_public_open": hotline_setting("HOTLINE_PUBLIC_MONITOR"),
        },
    )


@staff_required
@require_GET
def export(request: HttpRequest, pk: int, url_pk: int) -> HttpResponse:
    """The address as a signed JSON document for a partner hotline that imports by file.

    Whoever may see the page may download it (it holds the address and hosting
    the page shows, never the reporter's text); the download is audited.
    """
    report = _hotline_report(request, pk)
    item = _address(report, url_pk)
    if report.destroyed_at is not None:
        return destroyed_page(request, report)
    try:
        report_key(request, report)
    except NoKeyError:
        return no_key_page(request, report)
    try:
        document = address_report_export(item)
    except ExchangeRefused as refused:
        return _page(request, report, error=refused.message, status=410)
    audit_record(
        actor=request.user,
        action="hotline.export",
        target=report,
        details={"reported_url": item.pk},
    )
    response = HttpResponse(document, content_type="application/json")
    filename = f"address-report-{export_reference(item)}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@require_GET
def monitor_download(request: HttpRequest) -> HttpResponse:
    """The provider monitor's two tables as one CSV file."""
    line_ids = _monitor_line_ids(request)
    response = HttpResponse(
        monitor_csv(
            providers=monitor_per_provider(line_ids=line_ids),
            countries=monitor_per_country(line_ids=line_ids),
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="provider-monitor.csv"'
    return response


@require_GET
def public_monitor(request: HttpRequest) -> HttpResponse:
    """The public provider monitor (HOTLINE_PUBLIC_MONITOR): figures only, every line.

    Shows no address, no content and no report: counts, times and the names of
    hosting companies, which the IP table gives anyway.
    """
    if not hotline_setting("HOTLINE_PUBLIC_MONITOR"):
        raise Http404
    return render(request, "hotline/public_monitor.html", {"tables": _monitor_tables(None)})
