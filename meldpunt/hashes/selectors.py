"""Reads of the hash store that commands, the admin and other apps need."""

import datetime

from django.db.models import Count, Q, QuerySet, Sum

from meldpunt.hashes.models import Algorithm, HashCheckClient, HashList, HashStoreRevision


def hash_revision_current() -> str:
    """The store's revision token ("" before the first change)."""
    return HashStoreRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


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
