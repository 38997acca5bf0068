"""Commit statuses Cocov reports to GitHub."""

from django.conf import settings

from cocov import github

CHECKS_CONTEXT = "cocov"


def checks_url(commit):
    return f"{settings.COCOV_UI_BASE_URL}/repos/{commit.repository.name}/commits/{commit.sha}/checks"


def report_checks(commit, state, description):
    github.post_status(
        commit.repository.name,
        commit.sha,
        state=state,
        context=CHECKS_CONTEXT,
        description=description,
        target_url=checks_url(commit),
    )
