"""Partners that receive forwarded reports, and what was forwarded to them.

A forward is a redacted copy made for one partner: the original report never
leaves. The copy is encrypted under a data key of its own, sealed only for the
partner's members, so the reporting point's staff cannot read the partner's
copy through the partner's key and the partner can open nothing but the copy.

Shaped for what comes later (routing rules, delivery channels, feedback,
billing): a forward has a delivery channel and a delivery state, partners have
a kind and the lines that may forward to them.
"""

import mimetypes
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.models import AddressAction
from meldpunt.intake.models import Message, Report
from meldpunt.lines.models import Category, Line, LineKind, Municipality, QuestionKind
from meldpunt.vault.fields import InstallationSealedTextField
from meldpunt.vault.models import DataKey, Role, StaffUser, hour_now

from .channels import MIN_SECRET_CHARS, WebhookUrlRefused, webhook_url_check
from .openpgp import KeyRefused, openpgp_key_check

# The installation secret that seals partners' webhook signing secrets in the database.
PARTNER_SECRETS_KEY = "partner-secrets-key"


class PartnerKind(models.TextChoices):
    POLICE = "police", _("Police unit")
    INVESTIGATIVE_SERVICE = "investigative_service", _("Investigative service")
    MUNICIPALITY = "municipality", _("Municipality")
    FOREIGN_HOTLINE = "foreign_hotline", _("Foreign hotline")
    HOSTING_COMPANY = "hosting_company", _("Hosting company")
    OTHER = "other", _("Other")


class DeliveryChannel(models.TextChoices):
    PORTAL = "portal", _("Partner portal")
    EMAIL = "email", _("OpenPGP-encrypted e-mail")
    WEBHOOK = "webhook", _("Signed webhook (JSON, OpenPGP-encrypted)")


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
    # How forwards reach the partner (docs/forwarding.md, "Delivery channels").
    # Outside the portal a forward leaves only encrypted to the partner's key.
    delivery_channel = models.CharField(
        _("delivery channel"),
        max_length=20,
        choices=DeliveryChannel,
        default=DeliveryChannel.PORTAL,
    )
    openpgp_key = models.TextField(
        _("OpenPGP public key"),
        blank=True,
        help_text=_(
            "The partner's public key (ASCII-armored). Every e-mail and webhook delivery is "
            "encrypted to it; it must be able to encrypt and must not have expired."
        ),
    )
    delivery_email = models.EmailField(_("delivery e-mail address"), blank=True)
    webhook_url = models.CharField(
        _("webhook URL"),
        max_length=2000,
        blank=True,
        help_text=_("https:// address the forwards are posted to."),
    )
    webhook_secret = InstallationSealedTextField(
        _("webhook signing secret"),
        max_length=200,
        blank=True,
        secret_name=PARTNER_SECRETS_KEY,
        help_text=_(
            "Shared with the partner; every request carries an HMAC-SHA256 signature made "
            "with it. At least 32 characters."
        ),
    )
    # How long the partner's copies are kept on the portal; empty: the
    # NETWORK_FORWARD_RETENTION_DAYS setting (docs/retention.md).
    forward_retention_days = models.PositiveIntegerField(
        _("keep forwards for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many days a forward's text, files and key are destroyed. "
            "Empty: the reporting point's default."
        ),
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
        errors.update(self._delivery_errors())
        if errors:
            raise ValidationError(errors)
        self.country = self.country.upper()

    def _delivery_errors(self) -> dict:
        """What the chosen delivery channel still lacks; a key is checked whenever given."""
        errors = {}
        if self.openpgp_key.strip():
            try:
                openpgp_key_check(self.openpgp_key, now=timezone.now())
            except KeyRefused as refusal:
                errors["openpgp_key"] = refusal.message
        elif self.delivery_channel != DeliveryChannel.PORTAL:
            errors["openpgp_key"] = _(
                "E-mail and webhook deliveries need the partner's OpenPGP key."
            )
        if self.delivery_channel == DeliveryChannel.EMAIL and not self.delivery_email:
            errors["delivery_email"] = _("Give the address the encrypted e-mails go to.")
        if self.delivery_channel == DeliveryChannel.WEBHOOK:
            try:
                self.webhook_url = webhook_url_check(self.webhook_url).url
            except WebhookUrlRefused as refusal:
                errors["webhook_url"] = refusal.message
            if len(self.webhook_secret) < MIN_SECRET_CHARS:
                errors["webhook_secret"] = _(
                    "The signing secret must be at least %(count)d characters."
                ) % {"count": MIN_SECRET_CHARS}
        return errors

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


class DeliveryState(models.TextChoices):
    AVAILABLE = "available", _("Waiting to be read")
    # At least one member was told by e-mail that the forward waits on the portal.
    NOTIFIED = "notified", _("Partner notified, waiting to be read")
    READ = "read", _("Read")
    # E-mail and webhook: encrypted at forward time, waiting for the worker to send it.
    QUEUED = "queued", _("Queued for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


class Forward(models.Model):
    """A redacted copy of a report, made for one partner.

    ``sealed_body`` and the files (``ForwardFile``) are encrypted under
    ``data_key``, which is sealed for the partner's members at the time of
    forwarding and for nobody else; members who join later get it from a
    colleague (``services.forwards_reseal``).
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
    # Whether identifying details were taken out of the text before it left (any
    # passage not kept): plaintext for the pilot evaluation, never which or how
    # many. None for forwards made before this was recorded (December 2026).
    redacted = models.BooleanField(null=True, default=None, editable=False)
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
    # Set when the retention purge destroyed the text, files and key; the row
    # stays as a stub (date, partner, report's line and category) for billing.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    # The partner's fee when it was forwarded: a later change of the fee does not
    # rewrite statements of the past (docs/forwarding.md, "Statements and evaluation").
    fee = models.DecimalField(
        _("fee (EUR)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
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


def neutral_file_name(*, number: int, media_type: str) -> str:
    """Only the position and type: the reporter's own file name may identify them.

    Parameters of the media type (``text/plain; charset=utf-8``) say nothing
    about the extension, and with them no extension would be found.
    """
    essence = media_type.partition(";")[0].strip().lower()
    extension = mimetypes.guess_extension(essence, strict=False) or ".bin"
    return f"attachment-{number}{extension}"


class ForwardFile(models.Model):
    """A cleaned file of the report, re-encrypted under the forward's own data key.

    Only its position and media type are plaintext: the partner downloads it
    under a neutral name, since the reporter's file name can identify them.
    """

    forward = models.ForeignKey(Forward, on_delete=models.CASCADE, related_name="files")
    number = models.PositiveSmallIntegerField()
    blob_name = models.CharField(max_length=80)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["forward", "number"], name="forward_file_number_once")
        ]

    @property
    def name(self) -> str:
        return neutral_file_name(number=self.number, media_type=self.media_type)


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


class PartnerHotlineExchange(models.Model):
    """How address reports are exchanged with one foreign (INHOPE) hotline.

    Documents from the hotline are trusted only when signed with the public
    key registered here (docs/hotline.md, "Exchange with partner hotlines");
    its reports are filed in ``category``, a category of a content-hotline
    line with a web-address question, so they join the same queue as reports
    from the public. The hotline may also send them to the API with a bearer
    token, of which only the SHA-256 is kept (meldpunt.apitokens).
    """

    partner = models.OneToOneField(
        Partner,
        verbose_name=_("partner hotline"),
        on_delete=models.CASCADE,
        related_name="hotline_exchange",
        limit_choices_to={"kind": PartnerKind.FOREIGN_HOTLINE},
    )
    public_key = models.CharField(
        _("public signing key"),
        max_length=64,
        unique=True,
        help_text=_("The hotline's Ed25519 public key, as 64 hexadecimal digits."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category for its reports"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A category of the content hotline with a web-address question."),
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("API token issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exchange with a partner hotline")
        verbose_name_plural = _("exchanges with partner hotlines")

    def __str__(self) -> str:
        return str(self.partner)

    def clean(self) -> None:
        errors = {}
        if self.partner_id and self.partner.kind != PartnerKind.FOREIGN_HOTLINE:
            errors["partner"] = _("Only a partner of the kind foreign hotline.")
        self.public_key = self.public_key.strip().lower()
        if len(self.public_key) != 64 or any(c not in "0123456789abcdef" for c in self.public_key):
            errors["public_key"] = _("Give the public key as 64 hexadecimal digits.")
        if self.category_id and (
            self.category.line.kind != LineKind.CONTENT_HOTLINE
            or not self.category.questions.filter(kind=QuestionKind.WEB_ADDRESSES).exists()
        ):
            errors["category"] = _(
                "Choose a category of a content-hotline line that asks for web addresses."
            )
        if errors:
            raise ValidationError(errors)


class PartnerHotlineReport(models.Model):
    """A reported address that came from a partner hotline, and its id there.

    One row per (partner, the partner's report id): the same document sent
    again is recognised and refused as a replay, also after the report itself
    was destroyed. The partner's own assessment is kept for the analyst's
    information; the address is still checked and assessed here like any other.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="hotline_reports_received"
    )
    external_id = models.CharField(max_length=100)
    reported_url = models.OneToOneField(
        "hotline.ReportedUrl", on_delete=models.CASCADE, related_name="partner_source"
    )
    partner_assessment = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=hour_now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="one_import_per_partner_report"
            )
        ]
        verbose_name = _("report from a partner hotline")
        verbose_name_plural = _("reports from partner hotlines")

    def __str__(self) -> str:
        return f"{self.partner} / {self.external_id}"


class Delivery(models.Model):
    """One forward on its way to a partner through e-mail or a webhook.

    ``ciphertext`` is the forward encrypted to the partner's OpenPGP key when the
    analyst forwarded it (an armored OpenPGP message); the worker that sends it
    never sees the plaintext. The row exists before the first attempt, so a
    second run finds it; ``idempotency_key`` goes along with every attempt (as
    the webhook's ``Idempotency-Key`` header and in the e-mail's Message-ID) so
    the receiver can drop a repeat after a crash between sending and marking.
    """

    forward = models.ForeignKey(Forward, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=DeliveryChannel)
    state = models.CharField(max_length=20, choices=DeliveryState, default=DeliveryState.QUEUED)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ciphertext = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forward", "channel"], name="one_delivery_per_forward_and_channel"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.forward} ({self.get_channel_display()})"


class FeedbackOutcome(models.TextChoices):
    TAKEN_UP = "taken_up", _("Taken up")
    ARREST_OR_SEIZURE = "arrest_or_seizure", _("Led to an arrest or seizure")
    NO_ACTION = "no_action", _("No action")
    NOT_OUR_CASE = "not_our_case", _("Not our case")


# Outcomes that count as "followed up" in the evaluation of a connection.
FOLLOWED_UP_OUTCOMES = frozenset({FeedbackOutcome.TAKEN_UP, FeedbackOutcome.ARREST_OR_SEIZURE})


class ForwardFeedback(models.Model):
    """What a partner did with a forward, told by one of its members.

    One per forward; a later word replaces the earlier one (the audit log keeps
    each). The free text may name people, so it is encrypted under a data key
    of its own sealed for the staff of the report's line and the partner's
    members, like a captured file is sealed for the line's staff.
    """

    forward = models.OneToOneField(Forward, on_delete=models.CASCADE, related_name="feedback")
    outcome = models.CharField(_("outcome"), max_length=30, choices=FeedbackOutcome)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    sealed_text = models.BinaryField(editable=False)
    given_by = models.ForeignKey(StaffUser, null=True, on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    @property
    def is_followed_up(self) -> bool:
        return self.outcome in FOLLOWED_UP_OUTCOMES


class FollowUpState(models.TextChoices):
    ASKED = "asked", _("Asked, waiting for the reporting point")
    RELAYED = "relayed", _("Passed on to the reporter")
    ANSWERED = "answered", _("Answered")


class FollowUpQuestion(models.Model):
    """A partner's question about a forward, relayed by the analyst to the reporter.

    The question and the answer that goes back share a data key sealed for the
    line's staff and the partner's members. The answer is the reporter's words
    after the analyst's redaction (the same gate as a forward): the partner
    never sees the reporter's text unreviewed.
    """

    forward = models.ForeignKey(Forward, on_delete=models.CASCADE, related_name="questions")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    sealed_question = models.BinaryField(editable=False)
    asked_by = models.ForeignKey(StaffUser, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=FollowUpState, default=FollowUpState.ASKED)
    # The reporting point's question in the reporter's mailbox (intake.Message).
    relayed_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relayed_at = models.DateTimeField(null=True, blank=True)
    sealed_answer = models.BinaryField(editable=False, null=True)
    answered_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")


class PartnerCountry(models.Model):
    """A country with a partner (INHOPE member) hotline, and the partner it forwards to.

    Shipped as data (``network/data/inhope_countries.json``, loaded by migration
    0009) and kept by the operator in the admin: material traced to a country
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
