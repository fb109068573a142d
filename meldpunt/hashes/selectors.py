"""Reads of the hash store that commands, the admin and other apps need."""

import datetime
import functools

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from meldpunt.hashes.models import Algorithm, HashCheckClient, HashList, HashStoreRevision

CLIENT_COLUMNS = ("id", "name", "token_hash", "is_active", "daily_quota")


def hash_revision_current() -> str:
    """The store's revision token ("" before the first change)."""
    return HashStoreRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


@functools.cache
def _client_rows_sql() -> str:
    """The statement of ``check_client_rows``, built once from the models' tables."""
    quote = connection.ops.quote_name  # names of our models, not input
    field = HashCheckClient._meta.get_field("hash_lists")
    link = field.remote_field.through._meta
    client, lists = HashCheckClient._meta.db_table, HashList._meta.db_table
    columns = ", ".join(f"c.{quote(name)}" for name in CLIENT_COLUMNS)
    return (
        f"SELECT {columns}, l.id, l.public_label, "  # noqa: S608 (our tables)
        f"(SELECT token FROM {quote(HashStoreRevision._meta.db_table)} WHERE id = 1) "
        f"FROM {quote(client)} c "
        f"LEFT JOIN {quote(link.db_table)} m ON m.{quote(field.m2m_column_name())} = c.id "
        f"LEFT JOIN {quote(lists)} l ON l.id = m.{quote(field.m2m_reverse_name())} "
        "AND l.is_active AND l.public_label <> '' "
        "WHERE c.token_hash = %s"
    )


def check_client_rows(digest: str) -> list[tuple]:
    """The client with this token digest, its usable lists and the store's revision: one query.

    One row per list the client may match right now (active, with a public
    label), or a single row with ``None`` for the list where it has none;
    no rows for an unknown digest. Each row is the client's
    ``CLIENT_COLUMNS``, then the list's id and public label, then the
    revision token (``None`` before the first change). Read in one statement
    on every request, so a revoked token, a list switched off or taken from
    the client, and a change to the lists are all seen at once, and the
    labels and the revision come from the same moment. Plain SQL, built
    once: compiling the same query through the ORM cost more CPU than
    running it (docs/benchmarks.md, "Hash-check API: column-wise").
    """
    with connection.cursor() as cursor:
        cursor.execute(_client_rows_sql(), [digest])
        return cursor.fetchall()


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
