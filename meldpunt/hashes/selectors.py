"""Reads of the hash store that commands, the admin and other apps need."""

from django.db.models import Count, Q, QuerySet

from meldpunt.hashes.models import Algorithm, HashList, HashStoreRevision


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
