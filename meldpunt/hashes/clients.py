"""Hash-check clients: their bearer tokens, and their daily counters for quota and billing.

A token is ``mphc_`` and 43 URL-safe characters (256 random bits), shown once
when it is issued; only its SHA-256 is stored (meldpunt.apitokens).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.apitokens import token_new
from meldpunt.hashes.models import HashCheckClient, HashCheckUsage, HashList

TOKEN_PREFIX = "mphc_"  # noqa: S105 (a prefix, not a secret)


def _token_new() -> tuple[str, str]:
    """A fresh token and the digest stored for it."""
    return token_new(TOKEN_PREFIX)


def _lists_checked(hash_lists: Iterable[HashList]) -> list[HashList]:
    """Lists a client may be given: each needs a public label, or the client would see nothing."""
    hash_lists = list(hash_lists)
    unlabelled = sorted(hash_list.name for hash_list in hash_lists if not hash_list.public_label)
    if unlabelled:
        raise ValidationError(
            _("These lists have no public label yet: %(names)s.") % {"names": ", ".join(unlabelled)}
        )
    return hash_lists


@dataclass(frozen=True)
class IssuedToken:
    client: HashCheckClient
    token: str  # shown once, never stored


@transaction.atomic
def check_client_create(
    *,
    name: str,
    contact: str = "",
    hash_lists: Iterable[HashList] = (),
    daily_quota: int = 100_000,
) -> IssuedToken:
    """A new, active client and its first token; ValidationError for bad input."""
    token, digest = _token_new()
    client = HashCheckClient(name=name, contact=contact, daily_quota=daily_quota, token_hash=digest)
    client.full_clean()
    lists = _lists_checked(hash_lists)
    client.save()
    client.hash_lists.set(lists)
    return IssuedToken(client, token)


@transaction.atomic
def check_client_rotate(*, client: HashCheckClient) -> IssuedToken:
    """A new token for the client; the old one stops working at once."""
    token, digest = _token_new()
    client.token_hash = digest
    client.token_issued_at = timezone.now()
    client.save(update_fields=["token_hash", "token_issued_at"])
    return IssuedToken(client, token)


def check_client_revoke(*, client: HashCheckClient) -> None:
    """Switch the client off: its token is refused (as revoked) until it is switched on."""
    client.is_active = False
    client.save(update_fields=["is_active"])


@transaction.atomic
def check_client_set_lists(*, client: HashCheckClient, hash_lists: Iterable[HashList]) -> None:
    client.hash_lists.set(_lists_checked(hash_lists))


class TokenRefused(Exception):
    """No client has this token (``revoked`` False), or its client is switched off."""

    def __init__(self, *, revoked: bool) -> None:
        super().__init__("revoked" if revoked else "unknown token")
        self.revoked = revoked


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


class QuotaExceeded(Exception):
    def __init__(self, quota: Quota, resets_at: datetime.datetime) -> None:
        super().__init__("daily quota used up")
        self.quota, self.resets_at = quota, resets_at


def _next_midnight() -> datetime.datetime:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


def check_usage_today(client: HashCheckClient) -> Quota:
    used = (
        HashCheckUsage.objects.filter(client=client, day=timezone.localdate())
        .values_list("items", flat=True)
        .first()
    )
    return Quota(client.daily_quota, used or 0)


def _charge_sql() -> str:
    """Add to today's counter if it stays within the quota, creating it if needed; one statement.

    An upsert with a condition, SQLite (3.35+) and PostgreSQL alike: it
    returns the new count, or no row when the quota would be passed.
    """
    table = connection.ops.quote_name(HashCheckUsage._meta.db_table)  # our model, not input
    return (
        f"INSERT INTO {table} AS today (client_id, day, items, requests) "  # noqa: S608
        "VALUES (%s, %s, %s, 1) ON CONFLICT (client_id, day) DO UPDATE "
        "SET items = today.items + excluded.items, requests = today.requests + 1 "
        "WHERE today.items + excluded.items <= %s RETURNING items"
    )


def check_usage_charge(*, client: HashCheckClient, items: int) -> Quota:
    """Count ``items`` hashes against today's quota, all or none; raises QuotaExceeded.

    One conditional upsert, so concurrent requests of one client can never
    together pass the quota, and a request costs one statement, not a
    transaction of four. A day is a local calendar day (TIME_ZONE).
    """
    if items <= 0:
        return check_usage_today(client)
    if items > client.daily_quota:  # the insert below only checks when a row exists
        raise QuotaExceeded(check_usage_today(client), _next_midnight())
    day = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(_charge_sql(), [client.pk, day, items, client.daily_quota])
        row = cursor.fetchone()
    if row is None:
        raise QuotaExceeded(check_usage_today(client), _next_midnight())
    return Quota(client.daily_quota, row[0])


def check_usage_refund(*, client: HashCheckClient, items: int, day: datetime.date) -> None:
    """Take back a charge of ``items`` hashes (and its request) made on ``day``.

    For a check that was charged and then could not be answered (a shard of
    the lists did not answer): the client is told nothing was checked, so
    nothing may stay counted. ``day`` is the day read before the charge, so
    a charge just before midnight is taken back from the day it went to.
    """
    if items <= 0:
        return
    HashCheckUsage.objects.filter(client=client, day=day, items__gte=items).update(
        items=F("items") - items, requests=F("requests") - 1
    )
