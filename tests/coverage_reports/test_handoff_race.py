"""An upload and the push of the same commit at the same moment: the report is processed exactly once."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from coverage_reports.holding import held_coverage_key
from coverage_reports.models import CoverageInfo
from tests.conftest import WebhookSender, push_for, queued_jobs
from tests.coverage_reports.conftest import cocov_upload
from tests.factories import RepositoryFactory

ROUNDS = 200


@pytest.mark.django_db(transaction=True)
def test_upload_and_push_at_once_queue_the_report_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("the race is proven on PostgreSQL")
    repository = RepositoryFactory(name="race")
    token = repository.issue_token()
    repository.save()

    for round_number in range(ROUNDS):
        sha = f"{round_number:040x}"
        barrier = threading.Barrier(2)
        answers = {}

        def upload():
            barrier.wait()
            try:
                answers["upload"] = Client().post(
                    "/v1/reports", data=cocov_upload(sha, {"lib/a.rb": [1, 0]}),
                    content_type="application/json", HTTP_AUTHORIZATION=f"token {token}",
                ).status_code
            finally:
                connections.close_all()

        def push():
            barrier.wait()
            try:
                answers["push"] = WebhookSender(Client()).send(
                    "push", push_for(repository, sha), delivery=f"race-{sha}").status_code
            finally:
                connections.close_all()

        threads = [threading.Thread(target=upload), threading.Thread(target=push)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert answers == {"upload": 204, "push": 200}
        coverage_jobs = [args for name, args in queued_jobs("ProcessCoverageJob") if args[1] == sha]
        assert len(coverage_jobs) == 1, f"round {round_number}: {len(coverage_jobs)} coverage jobs"
        assert cache.get(held_coverage_key(repository.id, sha)) is None, f"round {round_number}: report stranded"
        coverage = CoverageInfo.objects.get(commit__sha=sha)
        assert coverage.status == CoverageInfo.Status.QUEUED
    assert len(queued_jobs("ProcessCommitJob")) == ROUNDS
