"""Messages for Cocov's other services: the Worker's check queue and the Cache's housekeeping list.

One interface, two backends, chosen by settings like django-q's brokers: Redis lists wire-compatible
with Cocov's services when COCOV_REDIS_URL is set, otherwise an outbox table in the database.
Either way a message sent inside a transaction leaves only if that transaction commits.
"""

import functools
import json

from django.conf import settings
from django.db import transaction

CHECKS_QUEUE = "cocov:checks"
CACHE_HOUSEKEEPING_QUEUE = "cocov:cached:housekeeping_tasks"


class DispatchFailed(Exception):
    """A message could not be handed over after its transaction committed."""


class RedisOutbound:
    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)

    def send(self, queue, payload):
        message = json.dumps(payload)
        transaction.on_commit(lambda: self._push(queue, message), robust=False)

    def _push(self, queue, message):
        import redis

        try:
            # RPUSH, so the Worker's BLPOP takes jobs in the order they were sent.
            self.client.rpush(queue, message)
        except redis.RedisError as error:
            raise DispatchFailed(f"Could not push to the Redis list {queue}: {type(error).__name__}") from None


class DatabaseOutbox:
    def send(self, queue, payload):
        from cocov.models import OutboxMessage

        # Written in the caller's transaction: it commits or rolls back with the records it speaks of.
        OutboxMessage.objects.create(queue=queue, payload=payload)


@functools.cache
def _redis_outbound(url):
    return RedisOutbound(url)


def outbound():
    if settings.COCOV_REDIS_URL:
        return _redis_outbound(settings.COCOV_REDIS_URL)
    return DatabaseOutbox()


def send(queue, payload):
    outbound().send(queue, payload)


def redact_authorizations(payload):
    """A Worker job as it may be shown: without the one-time secret authorizations it carries."""
    if not isinstance(payload, dict) or "checks" not in payload:
        return payload
    checks = [
        {**check, "mounts": [{**mount, "authorization": "csa_...(redacted)"} for mount in check["mounts"]]}
        if isinstance(check, dict) and check.get("mounts")
        else check
        for check in payload.get("checks") or []
    ]
    return {**payload, "checks": checks}
