"""Writes of the hotline app: taking in a reported address, and wiping a destroyed report's."""

from django.db import transaction
from django.utils import timezone

from meldpunt.evidence.models import DerivativeJob, EvidenceFile, EvidenceMatch, EvidencePreview
from meldpunt.hotline.models import FetchAttempt, HostingTrace, ReportedUrl
from meldpunt.hotline.sealing import url_seal, url_tag
from meldpunt.hotline.tasks import reported_url_check_task
from meldpunt.intake.models import Report
from meldpunt.lines.webaddress import WebAddress
from meldpunt.vault import blobs
from meldpunt.vault.keys import data_key_destroy
from meldpunt.vault.models import hour_now


@transaction.atomic
def reported_url_create(*, report: Report, address: WebAddress) -> ReportedUrl:
    """Record a normalised address of a report and queue its first check on commit.

    The address is sealed under the hotline key at once; only its keyed tag
    (to find repeats) is stored beside it.
    """
    now = hour_now()  # caused by the reporter: the hour only
    item = ReportedUrl.objects.create(
        report=report,
        sealed_url=url_seal(address.url),
        url_tag=url_tag(address.url),
        created_at=now,
        next_check_at=now,
    )
    transaction.on_commit(lambda: reported_url_check_task.enqueue(item.pk))
    return item


def reported_urls_wipe(report: Report) -> None:
    """Destroy what the hotline keeps of a report the retention purge destroys.

    Registered with intake.retention from AppConfig.ready and called inside the
    purge's transaction: addresses and fetch details are wiped, captured files
    crypto-shredded (their data keys are the crawler's own, not the report's)
    and their blobs deleted once the purge commits. State, dates, country and
    network stay, for statistics.
    """
    items = ReportedUrl.objects.filter(report=report)
    attempts = FetchAttempt.objects.filter(reported_url__in=items)
    files = list(
        EvidenceFile.objects.filter(
            pk__in=attempts.exclude(evidence=None).values("evidence"), destroyed_at=None
        ).select_related("data_key")
    )
    previews = list(EvidencePreview.objects.filter(evidence__in=files))
    DerivativeJob.objects.filter(evidence__in=files).delete()
    EvidencePreview.objects.filter(pk__in=[p.pk for p in previews]).delete()
    EvidenceMatch.objects.filter(evidence__in=files).delete()
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files]).update(
        destroyed_at=timezone.now(), sealed_meta=b""
    )
    for data_key in {f.data_key for f in files}:
        data_key_destroy(data_key=data_key)
    attempts.update(sealed_details=b"")
    HostingTrace.objects.filter(reported_url__in=items).update(addresses=[])
    items.update(sealed_url=b"", url_tag="", next_check_at=None, destroyed_at=timezone.now())
    names = [f.blob_name for f in files] + [p.blob_name for p in previews]
    transaction.on_commit(lambda: [blobs.blob_delete(name=name) for name in names])
