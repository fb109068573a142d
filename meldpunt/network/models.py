"""Partners that receive forwarded reports, and what was forwarded to them.

A forward is a redacted copy made for one partner: the original report never
leaves. The copy is encrypted under a data key of its own, sealed only for the
partner's members, so the reporting point's staff cannot read the partner's
copy through the partner's key and the partner can open nothing but the copy.

Shaped for what comes later (routing rules, delivery channels, feedback,
billing): a forward has a delivery channel and a delivery state, partners have
a kind and the lines that may forward to them.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.models import AddressAction
from meldpunt.intake.models import Report
from meldpunt.lines.models import Category, Line, Municipality
from meldpunt.vault.models import DataKey, Role, StaffUser


class PartnerKind(models.TextChoices):
    POLICE = "police", _("Police unit")
    INVESTIGATIVE_SERVICE = "investigative_service", _("Investigative service")
    MUNICIPALITY = "municipality", _("Municipality")
    FOREIGN_HOTLINE = "foreign_hotline", _("Foreign hotline")
    HOSTING_COMPANY = "hosting_company", _("Hosting company")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """An organisation that may receive forwarded reports."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=PartnerKind)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active partners can be chosen to forward to.")
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("For partners of the kind municipality."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter country code (ISO 3166), for foreign hotlines."),
    )
    lines = models.ManyToManyField(
        Line,
        verbose_name=_("lines that may forward to it"),
        blank=True,
        related_name="partners",
    )
    # The connection (aansluiting): a municipality receives forwards only while
    # connected, and pays a fee for each forwarded report it receives.
    connected_from = models.DateField(
        _("connected from"),
        null=True,
        blank=True,
        help_text=_("For municipalities: the first day it receives forwarded reports."),
    )
    connected_until = models.DateField(
        _("connected until"),
        null=True,
        blank=True,
        help_text=_("The last day of the connection; empty while it runs on."),
    )
    fee_per_forward = models.DecimalField(
        _("fee per forwarded report (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.kind == PartnerKind.MUNICIPALITY and self.municipality_id is None:
            errors["municipality"] = _("Choose the municipality this partner is.")
        if self.kind != PartnerKind.MUNICIPALITY and self.municipality_id is not None:
            errors["municipality"] = _("Only a partner of the kind municipality has one.")
        if self.kind == PartnerKind.FOREIGN_HOTLINE and not self.country:
            errors["country"] = _("Give the country of the foreign hotline.")
        if self.country and not (len(self.country) == 2 and self.country.isalpha()):
            errors["country"] = _("Use a two-letter country code such as DE or BE.")
        if self.connected_until and not self.connected_from:
            errors["connected_from"] = _("Give the first day of the connection too.")
        if (
            self.connected_from
            and self.connected_until
            and self.connected_until < self.connected_from
        ):
            errors["connected_until"] = _("The connection cannot end before it starts.")
        if errors:
            raise ValidationError(errors)
        self.country = self.country.upper()

    @property
    def needs_connection(self) -> bool:
        """Municipalities receive forwards only while connected (and pay for them)."""
        return self.kind == PartnerKind.MUNICIPALITY

    def is_connected_on(self, day: date) -> bool:
        """Whether the connection covers ``day``; partners that need none always are."""
        if not self.needs_connection:
            return True
        return (
            self.connected_from is not None
            and self.connected_from <= day
            and (self.connected_until is None or day <= self.connected_until)
        )


class RecipientKind(models.TextChoices):
    PARTNER = "partner", _("This partner")
    REPORT_MUNICIPALITY = "report_municipality", _("The municipality the report is located in")
    PARTNER_KIND = "partner_kind", _("Every partner of a kind")


class RoutingRule(models.Model):
    """Which partners a report of a line (and category, and place) is proposed to.

    The analyst sees the proposal with each rule's reason on the prepare page
    and may add or remove partners there; rules never forward by themselves.
    """

    line = models.ForeignKey(
        Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Empty: every category of the line."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("only for reports located in"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Empty: wherever the report is located."),
    )
    recipient = models.CharField(_("send to"), max_length=30, choices=RecipientKind)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    partner_kind = models.CharField(
        _("partner kind"), max_length=30, choices=PartnerKind, blank=True
    )

    class Meta:
        ordering = ["line", "category", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.line} / {self.category or '*'} → {self.get_recipient_display()}"

    def clean(self) -> None:
        errors = {}
        if self.category_id and self.line_id and self.category.line_id != self.line_id:
            errors["category"] = _("Choose a category of the rule's line.")
        if (self.recipient == RecipientKind.PARTNER) != (self.partner_id is not None):
            errors["partner"] = _("Choose a partner exactly when the rule sends to one partner.")
        if (self.recipient == RecipientKind.PARTNER_KIND) != bool(self.partner_kind):
            errors["partner_kind"] = _(
                "Choose a partner kind exactly when the rule sends to every partner of a kind."
            )
        if errors:
            raise ValidationError(errors)


class PartnerMembership(models.Model):
    """A partner user who reads the forwards to one partner organisation."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        StaffUser,
        verbose_name=_("partner user"),
        on_delete=models.CASCADE,
        related_name="partner_memberships",
        limit_choices_to={"role": Role.PARTNER},
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "user"], name="one_membership_per_partner")
        ]
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")

    def __str__(self) -> str:
        return f"{self.user} / {self.partner}"

    def clean(self) -> None:
        # Staff of the reporting point hold the report keys of their lines; mixing
        # both roles in one account would let one person read both sides.
        if self.user_id is not None and self.user.role != Role.PARTNER:
            raise ValidationError({"user": _("Only accounts with the role partner user.")})


class ForwardDraft(models.Model):
    """The analyst's redaction draft of one report, kept between requests.

    Encrypted with the report's data key (it holds the report's text), so it is
    destroyed with the report. ``version`` is raised by every change; a change
    names the version it was based on and is refused when someone else changed
    the draft in between.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="forward_draft")
    version = models.PositiveIntegerField(default=1)
    sealed_draft = models.BinaryField(editable=False)
    updated_at = models.DateTimeField(default=timezone.now)


class DeliveryChannel(models.TextChoices):
    PORTAL = "portal", _("Partner portal")


class DeliveryState(models.TextChoices):
    AVAILABLE = "available", _("Waiting to be read")
    # At least one member was told by e-mail that the forward waits on the portal.
    NOTIFIED = "notified", _("Partner notified, waiting to be read")
    READ = "read", _("Read")


class Forward(models.Model):
    """A redacted copy of a report, made for one partner.

    ``sealed_body`` is encrypted under ``data_key``, which is sealed for the
    partner's members at the time of forwarding and for nobody else.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="forwards")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="forwards")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="forward")
    sealed_body = models.BinaryField(editable=False)
    created_by = models.ForeignKey(
        StaffUser, null=True, on_delete=models.SET_NULL, related_name="forwards_made"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # True when a supervisor forwarded with unreviewed passages; the reason is in the audit log.
    used_override = models.BooleanField(default=False)
    channel = models.CharField(
        max_length=20, choices=DeliveryChannel, default=DeliveryChannel.PORTAL
    )
    delivery_state = models.CharField(
        max_length=20, choices=DeliveryState, default=DeliveryState.AVAILABLE
    )
    # When the first notification mail to a member went out (docs/forwarding.md).
    notified_at = models.DateTimeField(null=True, blank=True)
    first_read_at = models.DateTimeField(null=True, blank=True)
    first_read_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The hotline's police report or forward this is (network.hotline_actions): one
    # forward per action, so a second run of the action's task makes no second one.
    address_action = models.OneToOneField(
        AddressAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="forward"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "-created_at"])]
        verbose_name = _("forward")
        verbose_name_plural = _("forwards")

    def __str__(self) -> str:
        return f"{self.report} → {self.partner}"

    @property
    def is_read(self) -> bool:
        """Partners see "new" or "read"; how they were told is the reporting point's business."""
        return self.delivery_state == DeliveryState.READ


class ForwardNotification(models.Model):
    """One mail to one partner member saying that a forward waits on the portal.

    The row exists before the mail is sent, so a second run of the task finds
    it and sends nothing twice. Failed sends are retried with growing pauses
    and stay visible on the staff's forwarding page. The mail itself says
    nothing about the report (e-mail is not encrypted).
    """

    forward = models.ForeignKey(Forward, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forward", "user"], name="one_notification_per_forward_and_member"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]


class PartnerCountry(models.Model):
    """A country with a partner (INHOPE member) hotline, and the partner it forwards to.

    Shipped as data (``network/data/inhope_countries.json``, loaded by migration
    0005) and kept by the operator in the admin: material traced to a country
    whose row names an active partner is forwarded to that partner; a country
    without one goes to the police.
    """

    code = models.CharField(
        _("country code"), max_length=2, unique=True, help_text=_("ISO 3166 alpha-2, such as DE.")
    )
    name = models.CharField(_("country"), max_length=100)
    member_hotlines = models.CharField(
        _("member hotlines"), max_length=300, blank=True, help_text=_("As listed by INHOPE.")
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner to forward to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="countries",
        limit_choices_to={"kind": PartnerKind.FOREIGN_HOTLINE},
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner hotline country")
        verbose_name_plural = _("partner hotline countries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        self.code = self.code.upper()
        if not (len(self.code) == 2 and self.code.isalpha()):
            raise ValidationError({"code": _("Use a two-letter country code such as DE or BE.")})
        if self.partner_id is not None and self.partner.kind != PartnerKind.FOREIGN_HOTLINE:
            raise ValidationError({"partner": _("Choose a partner of the kind foreign hotline.")})
