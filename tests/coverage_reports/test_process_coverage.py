import pytest

from coverage_reports import linedata
from coverage_reports.formats import parse_report
from coverage_reports.holding import accept_report
from coverage_reports.models import CoverageFile, CoverageHistory, CoverageInfo
from coverage_reports.reports import AcceptedReport
from jobs.process_coverage import ProcessCoverageJob
from repositories.models import Branch, Commit
from tests.factories import BranchFactory, CommitFactory, RepositoryFactory

pytestmark = pytest.mark.django_db
N = linedata.NEUTRAL

TREE = {
    "lib/calc.py": "a\nb\nc\nd\n",
    "lib/util/strings.py": "a\nb\n",
    "vendor/dep.py": "x\n",
    "README.md": "# calc\n",
}


@pytest.fixture
def repository(fake_github):
    repository = RepositoryFactory(name="calc")
    fake_github.add_repo("calc", id=repository.github_id)
    return repository


@pytest.fixture
def commit_with(repository, remotes):
    def make(files=TREE, manifest=None):
        files = dict(files)
        if manifest is not None:
            files[".cocov.yaml"] = manifest
        sha = remotes.commit(repository.name, files)
        commit = CommitFactory(repository=repository, sha=sha)
        BranchFactory(repository=repository, name="master", head=commit)
        return commit

    return make


def submit(commit, parsed):
    """Accept the report as an upload would, and return the job's argument."""
    queued = accept_report(commit.repository, commit.sha, AcceptedReport.from_parsed(parsed))
    return queued.blob


def cocov(files):
    from coverage_reports.formats.base import ParsedReport

    return ParsedReport("cocov", files={path: list(lines) for path, lines in files.items()})


def run(commit, blob):
    ProcessCoverageJob.run(commit.repository_id, commit.sha, blob)
    return CoverageInfo.objects.get(commit=commit)


def coverage_statuses(fake_github):
    return [(r.path, r.json) for r in fake_github.requests if r.method == "POST" and r.json
            and r.json.get("context") == "cocov/coverage"]


def coverage_status(commit, state, description):
    return (
        f"/repos/cocov-test/calc/statuses/{commit.sha}",
        {"state": state, "context": "cocov/coverage", "description": description,
         "target_url": f"http://localhost:4000/repos/calc/commits/{commit.sha}/coverage"},
    )


def test_totals_files_branches_history_and_status(commit_with, fake_github):
    commit = commit_with()
    blob = submit(commit, cocov({"lib/calc.py": [1, 0, N, 5], "lib/util/strings.py": [2, 2]}))
    coverage = run(commit, blob)

    assert (coverage.status, coverage.lines_total, coverage.lines_covered) == ("completed", 5, 4)
    assert coverage.percent_covered == pytest.approx(80.0)
    files = {f.file: f for f in CoverageFile.objects.filter(coverage=coverage)}
    calc = files["lib/calc.py"]
    assert (calc.lines_total, calc.lines_covered, calc.lines_missed) == (3, 2, 1)
    assert calc.percent_covered == pytest.approx(66.666, abs=0.01)
    assert calc.lines == [1, 0, N, 5]  # the line view can be rebuilt
    commit.refresh_from_db()
    assert commit.coverage_percent == pytest.approx(80.0)
    assert Branch.objects.get(head=commit).coverage == pytest.approx(80.0)
    assert list(CoverageHistory.objects.values_list("branch__name", "percentage")) == [("master", 80.0)]
    assert coverage_statuses(fake_github) == [coverage_status(commit, "success", "80.0% covered")]


@pytest.mark.parametrize(
    "lines, minimum, state, description",
    [
        ({"lib/calc.py": [1, 1, 1, 0, 0, 0, 0]}, 50, "failure", "42.86% covered (at least 50% is required)"),
        ({"lib/calc.py": [1, 1, 1, 0]}, 75, "success", "75.0% covered"),
        ({"lib/calc.py": [0, 0]}, 10, "failure", "0.0% covered (at least 10% is required)"),
        ({"lib/calc.py": [3, 3]}, None, "success", "100.0% covered"),
        ({"lib/calc.py": [1] * 33 + [0] * 2}, None, "success", "94.29% covered"),
    ],
)
def test_the_status_against_the_manifests_minimum(commit_with, fake_github, lines, minimum, state, description):
    manifest = 'version: "0.1.alpha"\n' + (f"coverage:\n  min_percent: {minimum}\n" if minimum is not None else "")
    commit = commit_with(manifest=manifest)
    run(commit, submit(commit, cocov(lines)))
    assert coverage_statuses(fake_github) == [coverage_status(commit, state, description)]
    commit.refresh_from_db()
    assert commit.minimum_coverage == minimum


def test_no_manifest_means_no_minimum(commit_with, fake_github):
    commit = commit_with()
    run(commit, submit(commit, cocov({"lib/calc.py": [0, 1]})))
    assert coverage_statuses(fake_github) == [coverage_status(commit, "success", "50.0% covered")]


def test_excluded_paths_are_left_out(commit_with, fake_github):
    commit = commit_with(manifest='version: "0.1.alpha"\nexclude_paths:\n  - vendor/\n  - "**/strings.py"\n')
    coverage = run(commit, submit(commit, cocov({"lib/calc.py": [1], "vendor/dep.py": [0], "lib/util/strings.py": [0]})))
    assert list(coverage.files.values_list("file", flat=True)) == ["lib/calc.py"]
    assert coverage.percent_covered == 100.0


@pytest.mark.parametrize(
    "report_path",
    [
        "/home/runner/work/calc/calc/lib/calc.py",
        "./lib/calc.py",
        "lib\\calc.py",
        "C:\\builds\\calc\\lib\\calc.py",
        "lib//calc.py",
    ],
)
def test_report_paths_are_made_repository_relative(commit_with, fake_github, report_path):
    commit = commit_with()
    coverage = run(commit, submit(commit, cocov({report_path: [1, 0]})))
    assert list(coverage.files.values_list("file", flat=True)) == ["lib/calc.py"]
    assert coverage.dropped_paths == 0


def test_cobertura_sources_resolve_class_filenames(commit_with, fake_github):
    commit = commit_with()
    xml = b"""<?xml version="1.0" ?><coverage><sources><source>/ci/checkout/lib</source></sources><packages>
    <package name="p"><classes><class name="c" filename="util/strings.py"><lines><line number="1" hits="1"/>
    </lines></class></classes></package></packages></coverage>"""
    coverage = run(commit, submit(commit, parse_report(xml)))
    assert list(coverage.files.values_list("file", flat=True)) == ["lib/util/strings.py"]


def test_package_paths_shorter_than_the_tree_path_are_found(commit_with, fake_github):
    commit = commit_with(files={"src/main/java/com/acme/Calc.java": "x\n", "README.md": "r\n"})
    coverage = run(commit, submit(commit, cocov({"com/acme/Calc.java": [1]})))
    assert list(coverage.files.values_list("file", flat=True)) == ["src/main/java/com/acme/Calc.java"]


def test_paths_found_nowhere_are_dropped_and_counted(commit_with, fake_github):
    commit = commit_with(files={**TREE, "other/calc.py": "z\n"})
    coverage = run(commit, submit(commit, cocov({"lib/calc.py": [1], "gone.py": [0], "/tmp/build/missing/x.py": [0],
                                                 "calc.py": [0]})))  # calc.py: two files match equally
    assert list(coverage.files.values_list("file", flat=True)) == ["lib/calc.py"]
    assert coverage.dropped_paths == 3
    assert "3 file(s)" in coverage.warning
    assert coverage.percent_covered == 100.0


def test_coverage_py_reports_of_the_sample_project(repository, remotes, fake_github, coverage_py_reports):
    from tests.coverage_reports.conftest import SAMPLE_PROJECT

    project, reports = coverage_py_reports
    files = {str(p.relative_to(SAMPLE_PROJECT)): p.read_text() for p in SAMPLE_PROJECT.rglob("*") if p.is_file()}
    sha = remotes.commit(repository.name, files)
    commit = CommitFactory(repository=repository, sha=sha)
    results = {}
    for kind in ("lcov", "xml", "json"):
        coverage = run(commit, submit(commit, parse_report(reports[kind])))
        results[kind] = (coverage.lines_total, coverage.lines_covered,
                         list(coverage.files.values_list("file", flat=True)))
    assert results["lcov"] == results["xml"] == results["json"]
    total, covered, paths = results["json"]
    assert paths == ["calculator/__init__.py"] and 0 < covered < total


def test_running_the_job_twice_changes_nothing(commit_with, fake_github):
    commit = commit_with()
    blob = submit(commit, cocov({"lib/calc.py": [1, 0]}))
    first = run(commit, blob)
    file_ids = list(CoverageFile.objects.values_list("id", flat=True))
    requests = len(fake_github.requests)
    second = run(commit, blob)
    assert (second.updated_at, list(CoverageFile.objects.values_list("id", flat=True))) == (first.updated_at, file_ids)
    assert CoverageHistory.objects.count() == 1
    assert len(fake_github.requests) == requests


def test_a_superseded_report_does_nothing(commit_with, fake_github):
    commit = commit_with()
    older = submit(commit, cocov({"lib/calc.py": [0]}))
    newer = submit(commit, cocov({"lib/calc.py": [1]}))
    assert run(commit, older).status == "queued"
    assert coverage_statuses(fake_github) == []
    assert run(commit, newer).percent_covered == 100.0


def test_a_second_report_replaces_the_files_and_adds_history(commit_with, fake_github):
    commit = commit_with()
    run(commit, submit(commit, cocov({"lib/calc.py": [0, 0], "lib/util/strings.py": [1]})))
    coverage = run(commit, submit(commit, cocov({"lib/calc.py": [1, 1]})))
    assert list(coverage.files.values_list("file", flat=True)) == ["lib/calc.py"]
    assert list(CoverageHistory.objects.order_by("id").values_list("percentage", flat=True)) == [
        pytest.approx(100 / 3), 100.0
    ]


def test_an_uncloned_commit_is_cloned_first(commit_with, fake_github):
    commit = commit_with()
    assert commit.clone_status == Commit.CloneStatus.QUEUED
    run(commit, submit(commit, cocov({"lib/calc.py": [1]})))
    commit.refresh_from_db()
    assert commit.clone_status == Commit.CloneStatus.COMPLETED and commit.clone_size > 0


def test_a_failure_marks_the_coverage_errored_and_fails_the_job(repository, fake_github):
    commit = CommitFactory(repository=repository, sha="ab" * 20)  # not in any remote: cannot be cloned
    blob = submit(commit, cocov({"lib/calc.py": [1]}))
    with pytest.raises(Exception, match="Could not fetch commit"):
        ProcessCoverageJob.run(commit.repository_id, commit.sha, blob)
    coverage = CoverageInfo.objects.get(commit=commit)
    assert coverage.status == "errored" and "Could not fetch commit" in coverage.error
    assert not coverage.files.exists() and not CoverageHistory.objects.exists()
    assert coverage_statuses(fake_github) == [coverage_status(commit, "error", "Could not process the coverage report")]


def test_github_failing_leaves_the_status_to_be_sent_by_a_retry(commit_with, fake_github):
    commit = commit_with()
    blob = submit(commit, cocov({"lib/calc.py": [1]}))
    fake_github.fail("POST", r"/statuses/", status=422, times=1)
    with pytest.raises(Exception):
        ProcessCoverageJob.run(commit.repository_id, commit.sha, blob)
    assert CoverageInfo.objects.get(commit=commit).status == "completed"
    run(commit, blob)
    assert coverage_statuses(fake_github)[-1] == coverage_status(commit, "success", "100.0% covered")
    assert CoverageHistory.objects.count() == 1


def test_a_deleted_commit_ends_the_job_quietly(commit_with, fake_github):
    commit = commit_with()
    blob = submit(commit, cocov({"lib/calc.py": [1]}))
    Commit.objects.filter(pk=commit.pk).delete()
    assert ProcessCoverageJob.run(commit.repository_id, commit.sha, blob) is None


def test_a_report_whose_files_are_nowhere_in_the_commit_fails_with_the_reason(commit_with, fake_github):
    commit = commit_with()
    blob = submit(commit, cocov({"elsewhere/a.py": [1], "elsewhere/b.py": [0]}))
    with pytest.raises(Exception, match="None of the report's 2 files is in this commit"):
        ProcessCoverageJob.run(commit.repository_id, commit.sha, blob)
    coverage = CoverageInfo.objects.get(commit=commit)
    assert coverage.status == "errored" and "None of the report's 2 files" in coverage.error
    assert coverage_statuses(fake_github) == [coverage_status(commit, "error", "Could not process the coverage report")]


def test_the_minimum_is_compared_with_the_percentage_as_shown(commit_with, fake_github):
    commit = commit_with(manifest='version: "0.1.alpha"\ncoverage:\n  min_percent: 50\n')
    run(commit, submit(commit, cocov({"lib/calc.py": [1] * 12499 + [0] * 12501})))  # 49.996%
    assert coverage_statuses(fake_github) == [coverage_status(commit, "success", "50.0% covered")]


def test_a_cluster_timeout_still_leaves_the_coverage_errored(commit_with, fake_github, monkeypatch):
    # django-q2 ends a job past its timeout by raising TimeoutException, a SystemExit, inside it.
    from django_q.exceptions import TimeoutException

    commit = commit_with()
    blob = submit(commit, cocov({"lib/calc.py": [1]}))

    def timed_out(*args, **kwargs):
        raise TimeoutException("Task exceeded maximum timeout value (600 seconds)")

    monkeypatch.setattr("coverage_reports.paths.TreeIndex.of_directory", timed_out)
    with pytest.raises(TimeoutException):
        ProcessCoverageJob.run(commit.repository_id, commit.sha, blob)
    assert CoverageInfo.objects.get(commit=commit).status == "errored"


def test_long_paths_are_stored(repository, remotes, fake_github):
    deep = "/".join(["directory-with-a-long-name"] * 45) + "/file.py"
    assert len(deep) > 1024
    commit = CommitFactory(repository=repository, sha=remotes.commit(repository.name, {deep: "x\n"}))
    coverage = run(commit, submit(commit, cocov({deep: [1]})))
    assert list(coverage.files.values_list("file", flat=True)) == [deep]


@pytest.mark.django_db(transaction=True)
def test_a_held_report_survives_a_failed_hand_off(repository, webhooks, client):
    # The push commits, django-q2's queue refuses both jobs: the report stays queued with its data,
    # and RequeueStalledWorkJob queues it again.
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from jobs.requeue_stalled_work import RequeueStalledWorkJob
    from tests.conftest import push_for, queued_jobs
    from tests.coverage_reports.conftest import cocov_upload

    token = repository.issue_token()
    repository.save()
    sha = "ab" * 20
    assert client.post("/v1/reports", data=cocov_upload(sha, {"lib/calc.py": [1]}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"token {token}").status_code == 204
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_q_ormq RENAME TO django_q_ormq_away")
    try:
        assert webhooks.send("push", push_for(repository, sha)).status_code == 500
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE django_q_ormq_away RENAME TO django_q_ormq")
    coverage = CoverageInfo.objects.get(commit__sha=sha)
    assert coverage.status == "queued" and coverage.pending_report
    CoverageInfo.objects.filter(pk=coverage.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    Commit.objects.filter(sha=sha).update(created_at=timezone.now() - timedelta(minutes=20))
    RequeueStalledWorkJob.run()
    assert sorted(name for name, _ in queued_jobs()) == ["ProcessCommitJob", "ProcessCoverageJob"]
