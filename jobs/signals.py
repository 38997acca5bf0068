"""Model signals that start jobs: the bridge from domain changes to the queue."""

from django.db.models.signals import post_save

from jobs.compute_repository_commits_size import ComputeRepositoryCommitsSizeJob
from repositories.models import Commit


def commit_saved(sender, instance, created, **kwargs):
    if instance.clone_size_changed:
        instance._loaded_clone_size = instance.clone_size
        ComputeRepositoryCommitsSizeJob.enqueue(instance.repository_id)


def connect():
    post_save.connect(commit_saved, sender=Commit, dispatch_uid="jobs.commit_saved")
