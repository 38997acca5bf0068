import json

import pytest
from django.db import transaction

from cocov import dispatch
from cocov.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def test_without_redis_messages_go_to_the_outbox_with_the_transaction():
    with transaction.atomic():
        dispatch.send(dispatch.CHECKS_QUEUE, {"job_id": "one"})
    assert list(OutboxMessage.objects.values_list("queue", "payload")) == [("cocov:checks", {"job_id": "one"})]


def test_without_redis_a_rolled_back_transaction_leaves_no_message():
    with pytest.raises(Rollback):
        with transaction.atomic():
            dispatch.send(dispatch.CHECKS_QUEUE, {"job_id": "lost"})
            raise Rollback
    assert not OutboxMessage.objects.exists()


def test_with_redis_messages_are_pushed_in_order_after_commit(settings, redis_client):
    settings.COCOV_REDIS_URL = redis_client.url
    with transaction.atomic():
        dispatch.send(dispatch.CHECKS_QUEUE, {"job_id": "first"})
        dispatch.send(dispatch.CHECKS_QUEUE, {"job_id": "second"})
        assert redis_client.llen("cocov:checks") == 0  # not before the commit
    # What Cocov's Worker does: BLPOP from the head.
    popped = [json.loads(redis_client.blpop("cocov:checks", timeout=1)[1])["job_id"] for _ in range(2)]
    assert popped == ["first", "second"]
    assert not OutboxMessage.objects.exists()


def test_with_redis_a_rolled_back_transaction_pushes_nothing(settings, redis_client):
    settings.COCOV_REDIS_URL = redis_client.url
    with pytest.raises(Rollback):
        with transaction.atomic():
            dispatch.send(dispatch.CACHE_HOUSEKEEPING_QUEUE, {"task": "evict"})
            raise Rollback
    assert redis_client.llen("cocov:cached:housekeeping_tasks") == 0
