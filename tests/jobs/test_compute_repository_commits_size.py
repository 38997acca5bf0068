import pytest

from jobs.compute_repository_commits_size import ComputeRepositoryCommitsSizeJob
from tests.conftest import queued_jobs
from tests.factories import CommitFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def test_commits_size_is_the_sum_of_the_clone_sizes():
    repository = RepositoryFactory()
    CommitFactory(repository=repository, clone_size=100)
    CommitFactory(repository=repository, clone_size=250)
    CommitFactory(repository=repository, clone_size=None)
    CommitFactory(clone_size=999)  # another repository's
    ComputeRepositoryCommitsSizeJob.run(repository.id)
    repository.refresh_from_db()
    assert repository.commits_size == 350


def test_running_it_twice_gives_the_same_size():
    repository = RepositoryFactory()
    CommitFactory(repository=repository, clone_size=42)
    ComputeRepositoryCommitsSizeJob.run(repository.id)
    ComputeRepositoryCommitsSizeJob.run(repository.id)
    repository.refresh_from_db()
    assert repository.commits_size == 42


def test_a_change_of_clone_size_queues_the_job_after_commit(django_capture_on_commit_callbacks):
    commit = CommitFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        commit.clone_size = 1234
        commit.save()
    assert queued_jobs() == []
    for callback in callbacks:
        callback()
    assert queued_jobs("ComputeRepositoryCommitsSizeJob") == [
        ("ComputeRepositoryCommitsSizeJob", (commit.repository_id,))
    ]


def test_saving_without_changing_the_clone_size_queues_nothing(django_capture_on_commit_callbacks):
    commit = CommitFactory(clone_size=10)
    with django_capture_on_commit_callbacks(execute=True):
        from repositories.models import Commit

        loaded = Commit.objects.get(pk=commit.pk)
        loaded.message = "reworded"
        loaded.save()
    assert queued_jobs("ComputeRepositoryCommitsSizeJob") == []


def test_a_deleted_repository_ends_the_job_quietly():
    assert ComputeRepositoryCommitsSizeJob.run(123456) is None
