"""Staff accounts, keys and the audit log.

Only public keys, wrapped (encrypted) private keys and sealed (encrypted) data
keys are stored. A copy of these tables without a staff member's password
opens nothing.
"""

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import Line


def hour_now() -> datetime:
    """Now, rounded down to the hour.

    Exact times of anything a reporter causes could be matched against network
    logs to find them; an hour is precise enough for deadlines and statistics.
    """
    return timezone.now().replace(minute=0, second=0, microsecond=0)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    PARTNER = "partner", _("Partner user")


class StaffUser(AbstractUser):
    """A person who works with reports: staff of the reporting point or of a partner."""

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.ANALYST)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set by an administrator's reset: the temporary password must be replaced."),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR or self.is_superuser

    @property
    def may_join_lines(self) -> bool:
        """Partner users receive forwards only: line members get every report sealed for them."""
        return self.role != Role.PARTNER


class StaffKey(models.Model):
    """A staff member's X25519 key pair, the private half wrapped by their password."""

    user = models.OneToOneField(StaffUser, on_delete=models.CASCADE, related_name="key")
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField()
    kdf_salt = models.BinaryField(max_length=16)
    kdf_opslimit = models.PositiveIntegerField()
    kdf_memlimit = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)


class DataKey(models.Model):
    """A random key that encrypts one report with its messages and files.

    The key itself is never stored: only KeyGrants, each the key sealed for one
    holder. Deleting the grants (crypto-shredding) makes everything encrypted
    with the key unreadable for good.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The line whose members hold grants: joining or leaving a line re-seals or
    # removes the grants of all its data keys (see vault.access).
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="data_keys"
    )
    created_at = models.DateTimeField(default=hour_now)
    destroyed_at = models.DateTimeField(null=True, blank=True)


class KeyGrant(models.Model):
    """A data key sealed for one staff member's public key, or for the reporter."""

    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.CASCADE, related_name="key_grants"
    )
    is_reporter = models.BooleanField(default=False)
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["data_key", "user"], name="one_grant_per_user"),
            models.UniqueConstraint(
                fields=["data_key"],
                condition=models.Q(is_reporter=True),
                name="one_reporter_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(is_reporter=True, user__isnull=True)
                | models.Q(is_reporter=False, user__isnull=False),
                name="grant_has_one_holder",
            ),
        ]


class AuditEvent(models.Model):
    """One staff action, chained by hash to the one before it.

    Events name what was done to which object, never report content.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    # The hash covers actor_id and actor_name as written. Without a database constraint
    # and with DO_NOTHING, removing an account never rewrites its events (SET_NULL
    # would, and break the chain): event.actor then raises DoesNotExist, the id and
    # name stay. Accounts are deactivated, not deleted (the admin cannot delete them).
    actor = models.ForeignKey(
        StaffUser,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_type}:{self.target_id}"


class SharedFileFingerprint(models.Model):
    """What each shared file of the installation held when a machine first started with it.

    A keyed hash, not the file: it tells a machine whose copy differs (and that would
    derive other keys) from one with the right copy, and says nothing of the secret.
    """

    name = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name
