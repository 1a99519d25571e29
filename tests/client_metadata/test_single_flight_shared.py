"""The one-fetch-per-URL lock holds in the shared cache (Redis), as production runs it across processes."""

from django.test import override_settings

from client_metadata import services

from ..helpers import run_in_threads
from ..test_ratelimit_shared import redis_url  # noqa: F401 -- the fixture


def test_one_fetch_per_url_through_redis(documents, redis_url):  # noqa: F811
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    url = documents.serve(delay=0.5)
    results = []
    with override_settings(CACHES=caches):
        # Each thread talks to Redis over its own connection, as separate processes would.
        run_in_threads(*[lambda: results.append(services.fetch_once(url))] * 3)
    assert len(results) == 3
    assert documents.hits() == 1
