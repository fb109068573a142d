"""Access follows line membership: joining a line re-seals its keys, leaving removes them.

Only someone who can already read a report can share it: the server never holds
a data key it could seal for a newcomer by itself. So granting needs the
unlocked private key of an existing member; revoking needs no key at all, since
deleting sealed copies is enough.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from nacl.public import PrivateKey

from meldpunt.lines.models import Line, LineMembership
from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import KeyGrant, StaffKey, StaffUser


class AccessError(Exception):
    """Access cannot be changed as asked; the message says why."""


@dataclass(frozen=True)
class GrantResult:
    granted: int  # data keys newly sealed for the member
    already_held: int  # data keys the member could already open
    not_shareable: int  # data keys the granting member holds no grant for


@transaction.atomic
def line_access_grant(
    *, line: Line, user: StaffUser, granter: StaffUser, granter_key: PrivateKey
) -> GrantResult:
    """Make ``user`` a member of ``line`` and seal every live data key of the line for them.

    ``granter`` is an existing member whose unlocked key opens the data keys;
    keys the granter cannot open themselves stay closed to the newcomer too.
    """
    if not user.is_active:
        raise AccessError(f"{user.get_username()} is not active")
    if not user.may_join_lines:
        raise AccessError(f"{user.get_username()} is a partner user: they receive forwards only")
    try:
        public_key = bytes(user.key.public_key)
    except StaffKey.DoesNotExist as error:
        raise AccessError(
            f"{user.get_username()} has no key pair yet: they must sign in once first"
        ) from error
    if not LineMembership.objects.filter(line=line, user=granter).exists():
        raise AccessError(f"{granter.get_username()} is not a member of {line.slug}")
    LineMembership.objects.get_or_create(line=line, user=user)

    live = KeyGrant.objects.filter(data_key__line=line, data_key__destroyed_at__isnull=True)
    held = set(live.filter(user=user).values_list("data_key_id", flat=True))
    granter_grants = list(live.filter(user=granter).exclude(data_key_id__in=held))
    total = live.values("data_key_id").distinct().count()
    try:
        new_grants = [
            KeyGrant(
                data_key_id=grant.data_key_id,
                user=user,
                sealed_key=crypto.seal(
                    public_key, crypto.unseal(granter_key, bytes(grant.sealed_key))
                ),
            )
            for grant in granter_grants
        ]
    except crypto.DecryptionError as error:
        raise AccessError(
            f"the key given for {granter.get_username()} does not open their grants"
        ) from error
    KeyGrant.objects.bulk_create(new_grants)
    result = GrantResult(
        granted=len(new_grants),
        already_held=len(held),
        not_shareable=total - len(held) - len(new_grants),
    )
    audit_record(
        actor=granter,
        action="access.granted",
        target=user,
        details={
            "line": line.slug,
            "granted": result.granted,
            "not_shareable": result.not_shareable,
        },
    )
    return result


@transaction.atomic
def line_access_revoke(*, line: Line, user: StaffUser, actor: StaffUser | None) -> int:
    """End a membership: delete the membership and every sealed key of the line the user holds.

    Returns how many sealed keys were deleted. Anything the user copied while they
    had access is beyond reach; from now on the database holds nothing they can open.
    """
    removed, _by_model = KeyGrant.objects.filter(user=user, data_key__line=line).delete()
    LineMembership.objects.filter(line=line, user=user).delete()
    audit_record(
        actor=actor,
        action="access.revoked",
        target=user,
        details={"line": line.slug, "grants_removed": removed},
    )
    return removed


@receiver(post_delete, sender=LineMembership, dispatch_uid="vault.membership_grants_delete")
def membership_grants_delete(sender, instance: LineMembership, **kwargs) -> None:
    """However a membership ends, the keys it gave end with it.

    ``line_access_revoke`` deletes them itself; this covers a membership removed
    anywhere else (the line's page in the admin, a shell), which would otherwise
    leave the former member holding sealed keys to every report of the line.
    """
    KeyGrant.objects.filter(user_id=instance.user_id, data_key__line_id=instance.line_id).delete()
