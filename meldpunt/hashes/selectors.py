"""Reads of the hash store that commands, the admin and other apps need."""

import datetime

from django.db.models import Count, FilteredRelation, Q, QuerySet, Subquery, Sum

from meldpunt.hashes.models import Algorithm, HashCheckClient, HashList, HashStoreRevision

CLIENT_FIELDS = ("pk", "name", "token_hash", "is_active", "daily_quota")


def hash_revision_current() -> str:
    """The store's revision token ("" before the first change)."""
    return HashStoreRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def check_client_rows(digest: str) -> list[tuple]:
    """The client with this token digest, its usable lists and the store's revision: one query.

    One row per list the client may match right now (active, with a public
    label), or a single row with ``None`` for the list where it has none;
    no rows for an unknown digest. Each row is the client's
    ``CLIENT_FIELDS``, then the list's id and public label, then the
    revision token (``None`` before the first change). Read in one statement
    on every request, so a revoked token, a list switched off or taken from
    the client, and a change to the lists are all seen at once, and the
    labels and the revision come from the same moment.
    """
    revision = HashStoreRevision.objects.filter(pk=1)
    return list(
        HashCheckClient.objects.filter(token_hash=digest)
        .annotate(
            usable=FilteredRelation(
                "hash_lists",
                condition=Q(hash_lists__is_active=True) & ~Q(hash_lists__public_label=""),
            ),
            revision=Subquery(revision.values("token")[:1]),
        )
        .values_list(*CLIENT_FIELDS, "usable__pk", "usable__public_label", "revision")
    )


def hash_lists_with_counts() -> QuerySet[HashList]:
    """Every list with ``total`` and ``count_<algorithm>`` annotations."""
    per_algorithm = {
        f"count_{algorithm.value}": Count("hashes", filter=Q(hashes__algorithm=algorithm))
        for algorithm in Algorithm
    }
    return HashList.objects.annotate(total=Count("hashes"), **per_algorithm).order_by("name")


def hash_check_usage(start: datetime.date, end: datetime.date) -> QuerySet[HashCheckClient]:
    """Every client with ``checked`` and ``request_count`` over the days start..end inclusive.

    For billing (the network app's invoices) and the operator: the daily
    counters are all the hash-check service keeps about its use.
    """
    days = Q(usage__day__gte=start, usage__day__lte=end)
    return HashCheckClient.objects.annotate(
        checked=Sum("usage__items", filter=days, default=0),
        request_count=Sum("usage__requests", filter=days, default=0),
    ).order_by("name")
