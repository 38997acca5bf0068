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


class RedisOutbound:
    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)

    def send(self, queue, payload):
        message = json.dumps(payload)
        # RPUSH, so the Worker's BLPOP takes jobs in the order they were sent.
        transaction.on_commit(lambda: self.client.rpush(queue, message), robust=False)


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
