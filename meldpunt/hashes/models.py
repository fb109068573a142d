"""Lists of known material, as hotlines, INHOPE, police and NCMEC exchange them.

A list holds hashes of files as they were found (exact: SHA-256, SHA-1, MD5)
and perceptual hashes of pictures (PDQ). Values are stored normalised (lower-case
hex) so that a look-up is one indexed equality; the first hex digits double as a
shard key when the PDQ index is split over machines (docs/hashes.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Algorithm(models.TextChoices):
    SHA256 = "sha256", "SHA-256"
    SHA1 = "sha1", "SHA-1"
    MD5 = "md5", "MD5"
    PDQ = "pdq", "PDQ"


class MatchMethod(models.TextChoices):
    """How something matched: one of the algorithms, or vPDQ (a video by its frames)."""

    SHA256 = "sha256", "SHA-256"
    SHA1 = "sha1", "SHA-1"
    MD5 = "md5", "MD5"
    PDQ = "pdq", "PDQ"
    VPDQ = "vpdq", "vPDQ"


# Hex digits of each algorithm's value; PDQ is 256 bits like SHA-256.
HEX_LENGTHS = {
    Algorithm.SHA256: 64,
    Algorithm.SHA1: 40,
    Algorithm.MD5: 32,
    Algorithm.PDQ: 64,
}
EXACT_ALGORITHMS = (Algorithm.SHA256, Algorithm.SHA1, Algorithm.MD5)


class HashList(models.Model):
    """One list of known material from one supplier, matched as a whole or not at all."""

    name = models.SlugField(
        max_length=100,
        unique=True,
        help_text=_("Short name used on the command line, e.g. inhope-2026-11."),
    )
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who supplied the list (INHOPE, police, NCMEC, own hotline)."),
    )
    source_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The supplier's version, date or reference of the list."),
    )
    is_active = models.BooleanField(
        default=True, help_text=_("Only active lists are matched against files.")
    )
    public_label = models.CharField(
        _("public label"),
        max_length=100,
        blank=True,
        help_text=_(
            "What hash-check clients are told when a hash is on this list, e.g. "
            "CSAM (INHOPE baseline). Lists without one are never offered to clients."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    # The installation's own list: items its analysts confirmed illegal
    # (services.own_list_add), made on first use; at most one.
    is_own = models.BooleanField(
        default=False, editable=False, help_text=_("The installation's own list.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("hash list")
        verbose_name_plural = _("hash lists")
        constraints = [
            models.UniqueConstraint(
                fields=["is_own"], condition=Q(is_own=True), name="hash_list_one_own"
            )
        ]

    def __str__(self) -> str:
        return self.name


class KnownHash(models.Model):
    """One hash on one list; the same value may be on several lists."""

    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="hashes")
    algorithm = models.CharField(max_length=10, choices=Algorithm)
    value = models.CharField(max_length=64, help_text=_("Lower-case hexadecimal."))
    added_at = models.DateTimeField(default=timezone.now)
    # Only on the own list: set while every entry that added it is retired, so
    # that matching skips it without losing it (services.own_entry_retire). A
    # database default too: imports insert rows with plain SQL (services._insert_sql).
    is_retired = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("known hash")
        verbose_name_plural = _("known hashes")
        constraints = [
            models.UniqueConstraint(
                fields=["hash_list", "algorithm", "value"], name="known_hash_once_per_list"
            )
        ]
        # Look-ups go by value across all lists; the unique constraint serves per-list work.
        indexes = [
            models.Index(fields=["value", "algorithm"], name="known_hash_lookup"),
            # The few retired rows, read whenever a process refreshes its PDQ index.
            models.Index(
                fields=["algorithm"], condition=models.Q(is_retired=True), name="known_hash_retired"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.value}"


class OwnListEntry(models.Model):
    """One item an analyst confirmed illegal, with the hashes it put on the own list.

    The provenance is plain text given by the app that added it (hashes knows no
    hotline): ``source`` names the app, ``reference`` the address and item. An
    entry added by mistake is retired, not deleted, and can be restored.
    """

    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="own_entries")
    hashes = models.ManyToManyField(KnownHash, related_name="own_entries")
    source = models.CharField(_("source"), max_length=50)
    reference = models.CharField(_("reference"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("retired by"),
    )
    retire_reason = models.CharField(_("why retired"), max_length=200, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name = _("own list entry")
        verbose_name_plural = _("own list entries")

    def __str__(self) -> str:
        return f"{self.source}: {self.reference}"


class HashStoreRevision(models.Model):
    """A single row whose token changes with every change to the matchable hashes.

    Each process keeps its PDQ index in memory and compares this token before a
    query: one indexed read tells it whether an import, a removal or a list
    switched on or off happened anywhere (another process, another machine).
    A random token rather than a counter, so a database restored or rolled back
    to an earlier state can never present a number a process has already seen.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()


class HashCheckClient(models.Model):
    """An organisation (hosting company, platform) allowed to use the hash-check API.

    Only the SHA-256 of its bearer token is stored: the token is 256 random
    bits, so a fast hash is as good as a slow one, and a copy of the database
    does not let anyone query as the client. The client matches only against
    the lists chosen here, and learns only their public labels.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.TextField(
        _("contact"), blank=True, help_text=_("Who to call about this client (name, e-mail).")
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Switched off, its token is refused.")
    )
    hash_lists = models.ManyToManyField(
        HashList,
        blank=True,
        related_name="check_clients",
        verbose_name=_("hash lists"),
        help_text=_("Lists this client may match against; each needs a public label."),
    )
    daily_quota = models.PositiveIntegerField(
        _("daily quota"), default=100_000, help_text=_("Hashes this client may check per day.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_issued_at = models.DateTimeField(_("token issued at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hash-check client")
        verbose_name_plural = _("hash-check clients")

    def __str__(self) -> str:
        return self.name


class HashCheckUsage(models.Model):
    """How many hashes one client checked on one day: for the quota and for billing.

    Nothing else about a request is kept: not the hashes, not the client's
    references, not its address, not the results.
    """

    client = models.ForeignKey(HashCheckClient, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("day"))
    items = models.PositiveBigIntegerField(_("hashes checked"), default=0)
    requests = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("hash-check usage")
        verbose_name_plural = _("hash-check usage")
        constraints = [
            models.UniqueConstraint(fields=["client", "day"], name="hash_check_usage_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.day}: {self.items}"
