"""Reported web addresses and what the crawler found at them (DESIGN §5).

The flow: a reported address is checked (fetched, matched against the lists of
known material, its hosting traced). Known material skips the analyst; other
material waits for an analyst's assessment. Illegal material is routed by
where it is hosted: at home, the police are informed and the provider gets a
notice; abroad in a country with a partner (INHOPE) hotline, the report is
forwarded there; abroad without one, the police are informed. Until the
material is gone, a daily re-check looks whether it is still online.

The address itself is sensitive (it points at abuse material, and may carry a
reporter's session token): it is encrypted under the hotline key, which the
crawler holds so that it can re-check daily without a staff member
(docs/hotline.md, "Protecting the addresses"). What routing and statistics need
is plaintext: state, outcome, country, network (ASN), dates.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.models import OwnListEntry
from meldpunt.intake.models import Report
from meldpunt.vault.models import StaffUser


class HotlineState(models.TextChoices):
    NEW = "new", _("waiting for the first check")
    ASSESSMENT = "assessment", _("waiting for an analyst")
    KNOWN = "known", _("known material, waiting for action")
    ILLEGAL = "illegal", _("judged illegal, waiting for action")
    NOT_ILLEGAL = "not_illegal", _("closed: not illegal")
    NOTICE_SENT = "notice_sent", _("police informed, notice sent to the provider")
    FORWARDED = "forwarded", _("forwarded to a partner hotline")
    POLICE_INFORMED = "police_informed", _("police informed, hosted abroad")
    GONE = "gone", _("no longer online")


# Material judged illegal (by a list match or an analyst) and what was done about
# it: re-checked every day until it is gone, and counted by the provider monitor.
# A forwarded address is re-checked too: the partner hotline acts on it, but the
# time it takes the provider to remove the material is measured here all the same.
JUDGED_ILLEGAL_STATES = (
    HotlineState.KNOWN,
    HotlineState.ILLEGAL,
    HotlineState.NOTICE_SENT,
    HotlineState.FORWARDED,
    HotlineState.POLICE_INFORMED,
)

# States whose material may still be online and is looked at every day; closed
# (not illegal) and gone addresses are done.
RECHECKED_STATES = (HotlineState.NEW, HotlineState.ASSESSMENT, *JUDGED_ILLEGAL_STATES)


class Presence(models.TextChoices):
    """Whether a re-check found the material an address was judged on (hotline.removal)."""

    UNKNOWN = "", _("could not tell")
    PRESENT = "present", _("still online")
    OFFLINE = "offline", _("the address is gone (HTTP status, name or server)")
    CONTENT_CHANGED = "content_changed", _("the content at the address changed")
    MEDIA_GONE = "media_gone", _("the page no longer shows its pictures or videos")


class QueueBucket(models.TextChoices):
    """The analyst's queue of addresses across reports: each bucket groups states."""

    CHECK = "check", _("waiting for check")
    ASSESS = "assess", _("to assess")
    REMOVAL = "removal", _("waiting for removal")
    REMOVED = "removed", _("removed")
    CLOSED = "closed", _("closed")


QUEUE_STATES = {
    QueueBucket.CHECK: (HotlineState.NEW,),
    QueueBucket.ASSESS: (HotlineState.ASSESSMENT,),
    QueueBucket.REMOVAL: (
        HotlineState.KNOWN,
        HotlineState.ILLEGAL,
        HotlineState.NOTICE_SENT,
        HotlineState.FORWARDED,
        HotlineState.POLICE_INFORMED,
    ),
    QueueBucket.REMOVED: (HotlineState.GONE,),
    QueueBucket.CLOSED: (HotlineState.NOT_ILLEGAL,),
}


class OnlineStatus(models.TextChoices):
    UNKNOWN = "unknown", _("not checked yet")
    ONLINE = "online", _("online")
    OFFLINE = "offline", _("offline")
    ERROR = "error", _("could not be checked")


class KnownStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("not matched yet")
    KNOWN = "known", _("known material")
    NOT_KNOWN = "not_known", _("not on any list")


class HostingRoute(models.TextChoices):
    """Where illegal material goes, decided by the country it is hosted in."""

    UNKNOWN = "unknown", _("hosting not traced")
    DOMESTIC = "domestic", _("hosted here: police and notice to the provider")
    PARTNER_HOTLINE = "partner_hotline", _("hosted abroad: forward to the partner hotline")
    ABROAD = "abroad", _("hosted abroad without a hotline: police, daily check")


class Assessment(models.TextChoices):
    """An analyst's judgement of the material at an address (DESIGN §5)."""

    ILLEGAL = "illegal", _("illegal")
    NOT_ILLEGAL = "not_illegal", _("not illegal")


class ReportedUrl(models.Model):
    """One web address of a report, and where it stands in the hotline's flow."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="hotline_urls")
    sealed_url = models.BinaryField(help_text=_("Encrypted under the hotline key."))
    # Keyed hash of the normalised address: the same address reported twice is
    # found without decrypting every row; useless without the hotline key.
    url_tag = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=20, choices=HotlineState, default=HotlineState.NEW)
    online_status = models.CharField(
        max_length=10, choices=OnlineStatus, default=OnlineStatus.UNKNOWN
    )
    known_status = models.CharField(
        max_length=10, choices=KnownStatus, default=KnownStatus.UNCHECKED
    )
    route = models.CharField(max_length=20, choices=HostingRoute, default=HostingRoute.UNKNOWN)
    country = models.CharField(max_length=2, blank=True, help_text=_("Of the latest trace."))
    asn = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    check_count = models.PositiveIntegerField(default=0)
    offline_checks = models.PositiveIntegerField(
        default=0, help_text=_("Checks in a row that found the material offline.")
    )
    # The hour of the first of the checks in a row that found the material absent.
    absent_since = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)
    # Time to removal (docs/hotline.md, "Re-checking until removed"): from the hour
    # the material was first judged illegal to the hour of the check that found it
    # gone; both rounded to the hour like every time a report sets off.
    illegal_at = models.DateTimeField(null=True, blank=True)
    removal_hours = models.PositiveIntegerField(null=True, blank=True)
    gone_reason = models.CharField(max_length=20, choices=Presence, blank=True)
    # Still online HOTLINE_REMOVAL_REMINDER_DAYS after illegal_at: flagged for
    # escalation and announced once (hotline.signals.removal_overdue).
    overdue_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker holds the check's lease (hotline.checking._claim), so that
    # "check again now" can refuse while a check is running.
    is_checking = models.BooleanField(default=False)
    assessment = models.CharField(max_length=20, choices=Assessment, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["next_check_at"], name="hotline_url_recheck_due"),
            models.Index(fields=["state", "created_at"], name="hotline_url_queue"),
        ]
        verbose_name = _("reported web address")
        verbose_name_plural = _("reported web addresses")

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk}"


class CheckPurpose(models.TextChoices):
    FIRST = "first", _("first check")
    RECHECK = "recheck", _("re-check")


class MediaSearch(models.TextChoices):
    """Whether the crawler looked for the pictures and videos of what it fetched."""

    NOT_SEARCHED = "", _("not searched")  # a re-check, or a file that is no page
    SEARCHED = "searched", _("searched")
    NOT_HTML = "not_html", _("declared as an HTML page, but the content is not HTML")


class FetchAttempt(models.Model):
    """One look at a reported address by the crawler.

    Plaintext: the outcome, HTTP status, sniffed media type and size. Sealed
    under the hotline key (``sealed_details``): the final address, redirects,
    connected IP, declared type, SHA-256 of the body and the exact time.
    ``checked_at`` is rounded to the hour: the first check follows the report
    within seconds, so its exact time would tell when the reporter sent it.
    """

    # Indexed by hotline_attempt_latest, which starts with it.
    reported_url = models.ForeignKey(
        ReportedUrl, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    purpose = models.CharField(max_length=10, choices=CheckPurpose)
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=OnlineStatus)
    error = models.CharField(max_length=30, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sealed_details = models.BinaryField()
    # The body as found, cleaned and encrypted for the line's staff (first check only).
    evidence = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    capture_refusal = models.CharField(max_length=30, blank=True)
    is_known = models.BooleanField(default=False)
    # What a re-check found of the material the address was judged on.
    presence = models.CharField(max_length=20, choices=Presence, blank=True)
    # The pictures and videos of an HTML page (first check only): their rows are
    # ``media_items``; ``media_more`` counts further references on the page that
    # were not fetched (over HOTLINE_PAGE_MEDIA_MAX_ITEMS), and ``is_media_search_cut``
    # says that only the first HOTLINE_PAGE_PARSE_MAX_BYTES of the page were searched.
    media_search = models.CharField(max_length=10, choices=MediaSearch, blank=True)
    media_more = models.PositiveIntegerField(default=0)
    is_media_search_cut = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        # "The address's latest check of this purpose" is an index lookup, however
        # many checks the address and the table have had.
        indexes = [
            models.Index(fields=["reported_url", "purpose", "id"], name="hotline_attempt_latest")
        ]


class MediaState(models.TextChoices):
    """What became of one picture or video of a reported page."""

    STORED = "stored", _("kept for the analyst")
    KNOWN = "known", _("known material")
    REFUSED = "refused", _("refused")
    OVER_BUDGET = "over_budget", _("not fetched: over the page's budget")
    FAILED = "failed", _("could not be fetched")


class PageMediaItem(models.Model):
    """One picture or video that a reported page shows or links, and what the crawler found.

    Like the page's own address, the item's address is content (it points at
    the material) and is sealed under the hotline key, as are the fetch details
    and the hashes of the file as found and as cleaned (``sealed_details``), so
    that a later re-check can tell whether the same material is still there.
    Known items keep their evidence file but are never shown to the analyst.
    """

    attempt = models.ForeignKey(FetchAttempt, on_delete=models.CASCADE, related_name="media_items")
    position = models.PositiveIntegerField(help_text=_("Order on the page, from 0."))
    sealed_url = models.BinaryField(help_text=_("Encrypted under the hotline key."))
    sealed_details = models.BinaryField(default=b"")
    state = models.CharField(max_length=20, choices=MediaState)
    reason = models.CharField(max_length=30, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True, help_text=_("As sniffed."))
    size = models.PositiveBigIntegerField(default=0)
    evidence = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="hotline_media_item_position"
            )
        ]


class MaterialClass(models.TextChoices):
    """What one picture or video shows, in the content hotline's scheme (DESIGN §4)."""

    CSAM = "csam", _("child sexual abuse material")
    CHILD_EROTICA = "child_erotica", _("child erotica")
    CHILD_NUDITY = "child_nudity", _("child nudity")
    ADULT = "adult", _("adult pornography")
    NOT_FOUND = "not_found", _("not found or not accessible")
    OTHER = "other", _("other")


# Classes that make an item (and so its address) illegal: of the hotline's
# classes only child sexual abuse material is; erotica and nudity are counted apart.
ILLEGAL_CLASSES = (MaterialClass.CSAM,)
# Classes that are about a child, so the age group cannot be "adult".
CHILD_CLASSES = (MaterialClass.CSAM, MaterialClass.CHILD_EROTICA, MaterialClass.CHILD_NUDITY)


class AgeGroup(models.TextChoices):
    TODDLER = "toddler", _("baby or toddler")
    PREPUBESCENT = "prepubescent", _("pre-pubescent")
    PUBESCENT = "pubescent", _("pubescent")
    ADULT = "adult", _("adult")
    UNKNOWN = "unknown", _("cannot be estimated")


class Gender(models.TextChoices):
    GIRL = "girl", _("girl or girls")
    BOY = "boy", _("boy or boys")
    BOTH = "both", _("boys and girls")
    UNKNOWN = "unknown", _("cannot be determined")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("picture")
    VIDEO = "video", _("video")


class ItemClassification(models.Model):
    """An analyst's classification of one picture or video of an address.

    The subject is either a picture or video of the page (``media_item``) or
    the address's own file when that is a picture or video (``attempt``, its
    first check). An item classified illegal is put on the installation's own
    hash list (``own_entry``) so that the next copy is known. Holds no content:
    it stays when the report is destroyed, for the statistics.
    """

    reported_url = models.ForeignKey(
        ReportedUrl, on_delete=models.CASCADE, related_name="classifications"
    )
    media_item = models.OneToOneField(
        PageMediaItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classification",
    )
    attempt = models.OneToOneField(
        FetchAttempt,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classification",
    )
    material = models.CharField(_("assessment"), max_length=20, choices=MaterialClass)
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender)
    media_kind = models.CharField(_("picture or video"), max_length=10, choices=MediaKind)
    classified_at = models.DateTimeField()
    classified_by = models.ForeignKey(
        StaffUser, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    own_entry = models.ForeignKey(
        OwnListEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(media_item__isnull=True, attempt__isnull=False)
                | models.Q(media_item__isnull=False, attempt__isnull=True),
                name="hotline_classification_one_subject",
            )
        ]

    @property
    def is_illegal(self) -> bool:
        return self.material in ILLEGAL_CLASSES


class HostingTrace(models.Model):
    """Where an address was hosted: its addresses and their network, country, organisation.

    A new trace is recorded only when the hosting changed since the last one.
    """

    # Indexed by hotline_trace_latest, which starts with it.
    reported_url = models.ForeignKey(
        ReportedUrl, on_delete=models.CASCADE, related_name="traces", db_index=False
    )
    traced_at = models.DateTimeField()
    # [{"address": "192.0.2.1", "asn": 64500, "country": "NL", "organisation": "..."}]
    addresses = models.JSONField(default=list)
    asn = models.PositiveBigIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        # The latest trace of an address is an index lookup; without it PostgreSQL
        # may walk the whole table backwards by id for an address with no trace yet.
        indexes = [models.Index(fields=["reported_url", "id"], name="hotline_trace_latest")]


class IpRange(models.Model):
    """One range of the operator-imported IP-to-network table (docs/hotline.md).

    Addresses are stored as 32 lower-case hex digits of their 128-bit value
    (IPv4 as IPv4-mapped IPv6), so that string order is numeric order on SQLite
    and PostgreSQL alike and a look-up is one index range scan: the last range
    starting at or before the address, if it also ends at or after it.
    """

    start = models.CharField(max_length=32)
    end = models.CharField(max_length=32)
    asn = models.PositiveBigIntegerField()
    country = models.CharField(max_length=2, blank=True)
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["start"], name="hotline_iprange_start")]


class IpTableImport(models.Model):
    """When the IP table was last replaced, from which file, with how many ranges."""

    source = models.CharField(max_length=200)
    imported_at = models.DateTimeField()
    ranges = models.PositiveIntegerField()


class HostingProvider(models.Model):
    """A hosting company, known by its network (ASN), and where its abuse desk takes notices.

    The abuse address comes from RDAP (the registry's record of the network,
    cached here and looked up again after HOTLINE_RDAP_CACHE_DAYS); the operator
    may set another one, which always wins.
    """

    asn = models.PositiveBigIntegerField(_("network (ASN)"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    rdap_email = models.EmailField(_("abuse address from RDAP"), blank=True)
    override_email = models.EmailField(
        _("abuse address set by the operator"),
        blank=True,
        help_text=_("Used instead of the address from RDAP when filled in."),
    )
    rdap_checked_at = models.DateTimeField(_("RDAP looked up"), null=True, blank=True)
    rdap_error = models.CharField(_("RDAP problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["asn"]
        verbose_name = _("hosting provider")
        verbose_name_plural = _("hosting providers")

    def __str__(self) -> str:
        return f"AS{self.asn} {self.name}".strip()

    @property
    def abuse_email(self) -> str:
        return self.override_email or self.rdap_email


class ActionKind(models.TextChoices):
    NOTICE = "notice", _("notice to the hosting provider")
    REMINDER = "reminder", _("reminder notice to the hosting provider")
    POLICE = "police", _("report to the police")
    FORWARD = "forward", _("forward to the partner hotline")


class AddressAction(models.Model):
    """One thing sent out about an address: a notice, a police report or a forward.

    The row exists before anything is sent, so a second run of its task finds
    it and sends nothing twice (meldpunt.network.retrying). A failure is kept
    in ``last_error`` and retried after a growing pause until
    HOTLINE_ACTION_MAX_ATTEMPTS; the analyst and the operator see it.
    ``partner_id`` names the network partner of a police report or forward
    (the hotline cannot import the network app that holds partners).
    """

    reported_url = models.ForeignKey(ReportedUrl, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=10, choices=ActionKind)
    provider = models.ForeignKey(
        HostingProvider, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    partner_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Where it went, as shown to staff: the abuse address or the partner's name.
    recipient = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_url", "kind"], name="hotline_one_action_of_a_kind"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]
        verbose_name = _("action on an address")
        verbose_name_plural = _("actions on addresses")

    def __str__(self) -> str:
        return f"{self.reported_url_id}/{self.kind}"
