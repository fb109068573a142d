"""The internal route of hash shard processes, mounted at /internal/hashes/.

Not part of the public hash-check API (nor of its OpenAPI document): the front
of a sharded installation calls it (meldpunt.hashes.shards); it answers 404 in
any process that is not a shard with the shared token (docs/operations.md).
Keep /internal/ off the public load balancer all the same.
"""

from django.urls import path

from .api import shard_views

app_name = "hash_shard"
urlpatterns = [
    path("search", shard_views.search, name="search"),
]
