"""The analyst's classification of an address's pictures and videos, item by item.

Each unknown picture or video (and the address's own file when it is one) is
classified in the content hotline's scheme: what it shows, the age group, the
gender and whether it is a picture or a video. The items decide the address's
assessment (through ``services.reported_url_assess``): illegal as soon as one
item is; not illegal once every item is classified and none is. An item
classified illegal goes on the installation's own hash list, with where it came
from, so that the next copy anywhere is known material; classifying it as
something else later retires that entry, and illegal again restores it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.hashes.models import OwnListEntry
from meldpunt.hashes.services import (
    OwnListRefused,
    own_entry_restore,
    own_entry_retire,
    own_list_add,
)
from meldpunt.hotline.models import (
    Assessment,
    FetchAttempt,
    HotlineState,
    ItemClassification,
    KnownStatus,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open
from meldpunt.hotline.selectors import address_classifiable
from meldpunt.hotline.services import ASSESSABLE_STATES, HotlineRefused, reported_url_assess
from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser


def _stale() -> HotlineRefused:
    return HotlineRefused(
        "stale",
        _(
            "This item or its address changed while you were looking at it. Nothing was "
            "saved; see how it stands now."
        ),
    )


def _hashes(subject: PageMediaItem | FetchAttempt) -> tuple[list[tuple[str, str]], int | None]:
    """The hashes the crawler kept of the item: as found, as cleaned, and PDQ."""
    try:
        details = details_open(subject.sealed_details) if subject.sealed_details else {}
    except crypto.DecryptionError:
        details = {}
    pairs = [
        ("sha256", details.get("sha256") or ""),
        ("sha256", details.get("cleaned_sha256") or ""),
        ("pdq", details.get("pdq") or ""),
    ]
    return pairs, details.get("pdq_quality")


def _reference(address: ReportedUrl, subject: PageMediaItem | FetchAttempt) -> str:
    what = (
        f"page item {subject.pk}"
        if isinstance(subject, PageMediaItem)
        else f"file of check {subject.pk}"
    )
    return f"report {address.report.reference}, address {address.pk}, {what}"


def _own_list_follow(
    classification: ItemClassification,
    address: ReportedUrl,
    subject: PageMediaItem | FetchAttempt,
    actor: StaffUser,
) -> None:
    """Put an illegal item on the own list (or back on it); retire it when it no longer is."""
    entry: OwnListEntry | None = classification.own_entry
    if classification.is_illegal:
        if entry is not None:
            if entry.retired_at is not None:
                own_entry_restore(entry=entry, actor=actor)
            return
        pairs, quality = _hashes(subject)
        try:
            classification.own_entry = own_list_add(
                hashes=pairs,
                pdq_quality=quality,
                source="hotline",
                reference=_reference(address, subject),
                actor=actor,
            )
        except OwnListRefused:
            return  # no hash kept for this item: the page says it is not on the list
        classification.save(update_fields=["own_entry"])
    elif entry is not None and entry.retired_at is None:
        own_entry_retire(
            entry=entry,
            actor=actor,
            reason=f"reclassified as {classification.material}",
        )


def _address_decision(address: ReportedUrl) -> str:
    """The assessment the items call for, or "" while it is open.

    Illegal from "waiting for an analyst" or known material (confirming it);
    not illegal only from "waiting for an analyst", once every item is
    classified: unknown items that are not illegal say nothing against known
    material on the same page.
    """
    if address.state not in ASSESSABLE_STATES:
        return ""
    classifications = list(address.classifications.all())
    if any(c.is_illegal for c in classifications):
        return Assessment.ILLEGAL
    if address.state != HotlineState.ASSESSMENT or address.known_status == KnownStatus.KNOWN:
        return ""
    classified = {(c.media_item_id, c.attempt_id) for c in classifications}
    rows = address_classifiable(address)
    subjects = {
        (row.item.pk, None) if isinstance(row.item, PageMediaItem) else (None, row.item.pk)
        for row in rows
    }
    return Assessment.NOT_ILLEGAL if rows and subjects <= classified else ""


@transaction.atomic
def item_classify(
    *,
    address: ReportedUrl,
    subject: PageMediaItem | FetchAttempt,
    actor: StaffUser,
    material: str,
    age_group: str,
    gender: str,
    media_kind: str,
    seen_state: str,
    seen_material: str,
) -> ItemClassification:
    """Record (or change) the classification of one item and follow it through.

    ``seen_state`` (the address's state) and ``seen_material`` (the item's
    class, "" when unclassified) are what the analyst saw: a compare-and-set,
    so a form from an outdated page changes nothing. The subject must be one
    the address's page offers for classification (an unknown, kept item).
    """
    if address.destroyed_at is not None:
        raise HotlineRefused("destroyed", _("This report has been destroyed."))
    address = ReportedUrl.objects.select_for_update().select_related("report").get(pk=address.pk)
    if address.state != seen_state or address.destroyed_at is not None:
        raise _stale()
    offered = {(type(row.item), row.item.pk) for row in address_classifiable(address)}
    if (type(subject), subject.pk) not in offered:
        raise HotlineRefused("not_classifiable", _("This item cannot be classified."))
    subject_filter = (
        {"media_item": subject} if isinstance(subject, PageMediaItem) else {"attempt": subject}
    )
    classification = (
        # Lock the classification only: its entry may be missing (an outer join).
        ItemClassification.objects.select_for_update(of=("self",))
        .select_related("own_entry")
        .filter(**subject_filter)
        .first()
    )
    if (classification.material if classification else "") != seen_material:
        raise _stale()
    if classification is None:
        classification = ItemClassification(reported_url=address, **subject_filter)
    classification.material = material
    classification.age_group = age_group
    classification.gender = gender
    classification.media_kind = media_kind
    classification.classified_at = timezone.now()
    classification.classified_by = actor
    classification.save()
    _own_list_follow(classification, address, subject, actor)
    audit_record(
        actor=actor,
        action="hotline.classify",
        target=address.report,
        details={
            "reported_url": address.pk,
            **{key: value.pk for key, value in subject_filter.items()},
            "material": material,
            "age_group": age_group,
            "gender": gender,
            "media_kind": media_kind,
            "own_entry": classification.own_entry_id,
        },
    )
    if decision := _address_decision(address):
        reported_url_assess(item=address, actor=actor, decision=decision, seen_state=address.state)
    return classification
