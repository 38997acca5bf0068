"""What happens to an accepted coverage report: ProcessCoverageJob's domain."""

import logging

from django.db import transaction
from django.utils import timezone

from cocov.manifest import ManifestError, load_manifest
from coverage_reports import linedata
from coverage_reports.formats.base import merge
from coverage_reports.models import CoverageFile, CoverageHistory, CoverageInfo
from coverage_reports.paths import TreeIndex
from coverage_reports.reports import AcceptedReport
from repositories import statuses
from repositories.cloning import clone_commit
from repositories.models import Branch, Commit

log = logging.getLogger(__name__)


class CoverageFailed(Exception):
    pass


FAILED_DESCRIPTION = "Could not process the coverage report"


def process_coverage(repository, sha, blob):
    report = AcceptedReport.from_blob(blob)
    commit = Commit.objects.select_related("repository").get(repository=repository, sha=sha)
    coverage, _ = CoverageInfo.objects.get_or_create(commit=commit)
    if coverage.report_id is not None and coverage.report_id != report.id:
        log.info("Coverage report superseded by a newer upload", extra={"commit_id": commit.id})
        return coverage
    if coverage.processed_report_id != report.id:
        coverage = _compute(commit, coverage, report)
        if coverage is None:
            return None
    if coverage.reported_report_id != report.id:
        _report_status(commit, coverage)
        CoverageInfo.objects.filter(pk=coverage.pk).update(reported_report_id=report.id)
    return coverage


def _compute(commit, coverage, report):
    CoverageInfo.objects.filter(pk=coverage.pk).update(status=CoverageInfo.Status.IN_PROGRESS, error="")
    try:
        stored = clone_commit(commit)
        try:
            manifest = load_manifest(stored.path)
        except ManifestError as error:
            raise CoverageFailed(f"The commit's .cocov.yaml is invalid: {error}") from None
        files, dropped = _resolve_files(report, TreeIndex.of_directory(stored.path), manifest)
        if dropped and dropped == len(report.data):
            raise CoverageFailed(f"None of the report's {dropped} files is in this commit")
        return _store(commit, report, files, dropped, manifest)
    except BaseException as error:  # the cluster's timeout is a SystemExit: still leave a clear state
        CoverageInfo.objects.filter(pk=coverage.pk, report_id=report.id).update(
            status=CoverageInfo.Status.ERRORED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        _report_failure(commit)
        raise


def _report_failure(commit):
    try:
        statuses.report_coverage(commit, "error", FAILED_DESCRIPTION)
    except Exception:
        log.warning("Could not report the coverage failure to GitHub", extra={"commit_id": commit.id})


def _resolve_files(report, tree, manifest):
    """{tree path: lines} for the report's files that are in the tree and not excluded."""
    files, dropped = {}, 0
    for report_path in report.data:
        path = tree.resolve(report_path, report.sources)
        if path is None:
            dropped += 1
            continue
        if manifest is not None and manifest.is_path_excluded(path):
            continue
        lines = report.lines_of(report_path)
        files[path] = lines if path not in files else merge(files[path], lines)
    return files, dropped


def _store(commit, report, files, dropped, manifest):
    with transaction.atomic():
        coverage = CoverageInfo.objects.select_for_update().get(commit=commit)
        if coverage.report_id is not None and coverage.report_id != report.id:
            return None  # a newer upload arrived meanwhile; its own job takes over
        if coverage.processed_report_id == report.id:
            return coverage  # another run of this job got here first
        coverage.files.all().delete()
        rows, lines_total, lines_covered = [], 0, 0
        for path, lines in sorted(files.items()):
            totals = linedata.totals(lines)
            lines_total += totals.lines_total
            lines_covered += totals.lines_covered
            rows.append(CoverageFile(
                coverage=coverage, file=path, lines_total=totals.lines_total, lines_covered=totals.lines_covered,
                lines_missed=totals.lines_missed, percent_covered=totals.percent_covered,
                raw_data=linedata.encode(lines),
            ))
        CoverageFile.objects.bulk_create(rows, batch_size=500)
        percent = linedata.percentage(lines_covered, lines_total)
        coverage.lines_total, coverage.lines_covered, coverage.percent_covered = lines_total, lines_covered, percent
        coverage.status = CoverageInfo.Status.COMPLETED
        coverage.format, coverage.dropped_paths, coverage.error = report.format, dropped, ""
        coverage.processed_report_id = report.id
        coverage.pending_report = None
        coverage.save()

        commit.coverage_percent = percent
        commit.minimum_coverage = manifest.min_percent if manifest is not None else None
        commit.save(update_fields=["coverage_percent", "minimum_coverage", "updated_at"])
        for branch in Branch.objects.filter(repository=commit.repository, head=commit):
            branch.coverage = percent
            branch.save(update_fields=["coverage", "updated_at"])
            CoverageHistory.objects.get_or_create(
                branch=branch, report_id=report.id,
                defaults={"repository": commit.repository, "percentage": percent},
            )
    log.info("Coverage processed", extra={"commit_id": commit.id, "percent": percent, "files": len(rows),
                                          "dropped_paths": dropped, "at": timezone.now().isoformat()})
    return coverage


def _report_status(commit, coverage):
    shown = round(coverage.percent_covered, 2)
    minimum = commit.minimum_coverage
    # Compared as shown, so a status never says "50.0% covered (at least 50% is required)".
    if minimum is not None and shown < minimum:
        statuses.report_coverage(commit, "failure", f"{float(shown)}% covered (at least {minimum}% is required)")
    else:
        statuses.report_coverage(commit, "success", f"{float(shown)}% covered")
