"""Commit statuses Cocov reports to GitHub."""

from django.conf import settings

from cocov import github

CHECKS_CONTEXT = "cocov"
COVERAGE_CONTEXT = "cocov/coverage"


def commit_url(commit, page):
    return f"{settings.COCOV_UI_BASE_URL}/repos/{commit.repository.name}/commits/{commit.sha}/{page}"


def report_checks(commit, state, description):
    _post(commit, CHECKS_CONTEXT, "checks", state, description)


def report_coverage(commit, state, description):
    _post(commit, COVERAGE_CONTEXT, "coverage", state, description)


def _post(commit, context, page, state, description):
    github.post_status(
        commit.repository.name,
        commit.sha,
        state=state,
        context=context,
        description=description,
        target_url=commit_url(commit, page),
    )
