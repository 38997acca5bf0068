"""Reports written by real tools (tests/fixtures/coverage/README.md says which and how), processed
against the tree of the project they measured."""

import pytest

from coverage_reports.formats import parse_report
from coverage_reports.holding import accept_report
from coverage_reports.models import CoverageInfo
from coverage_reports.reports import AcceptedReport
from jobs.process_coverage import ProcessCoverageJob
from tests.coverage_reports.conftest import SAMPLES
from tests.factories import CommitFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

CASES = {
    "go set": ("go/cover.out", "go", "go", {
        "calc/calc.go": (6, 5), "calc/internal/mathx/mathx.go": (5, 5), "main.go": (3, 8)}),
    "go count": ("go/cover-count.out", "go", "go", {
        "calc/calc.go": (6, 5), "calc/internal/mathx/mathx.go": (5, 5), "main.go": (3, 8)}),
    "simplecov": ("simplecov/resultset.json", "simplecov", "simplecov json", {
        "lib/shop.rb": (7, 1), "lib/shop/cart.rb": (11, 2), "lib/shop/util/money.rb": (8, 3)}),
    "jacoco": ("jacoco/jacoco.xml", "jacoco", "jacoco", {
        "src/main/java/com/example/calc/Calculator.java": (9, 2),
        "src/main/java/com/example/calc/util/MathUtil.java": (1, 3)}),
    "lcov c8": ("lcov-js/lcov.info", "lcov-js", "lcov", {"src/calc.js": (18, 2), "src/util/numbers.js": (12, 5)}),
    "lcov nyc": ("lcov-js/lcov-nyc.info", "lcov-js", "lcov", {"src/calc.js": (6, 1), "src/util/numbers.js": (5, 2)}),
    "cobertura c8": ("cobertura-js/cobertura-coverage.xml", "lcov-js", "cobertura", {
        "src/calc.js": (18, 2), "src/util/numbers.js": (12, 5)}),
    "cobertura nyc": ("cobertura-js/cobertura-coverage-nyc.xml", "lcov-js", "cobertura", {
        "src/calc.js": (6, 1), "src/util/numbers.js": (5, 2)}),
}


@pytest.mark.parametrize("case", CASES)
def test_a_real_tools_report_lands_on_the_files_it_measured(case, remotes, fake_github):
    report_file, project, expected_format, expected = CASES[case]
    project_dir = SAMPLES / project / "project"
    repository = RepositoryFactory(name=f"sample-{project}")
    fake_github.add_repo(repository.name, id=repository.github_id)
    files = {str(p.relative_to(project_dir)): p.read_text() for p in project_dir.rglob("*") if p.is_file()}
    commit = CommitFactory(repository=repository, sha=remotes.commit(repository.name, files))

    parsed = parse_report((SAMPLES / report_file).read_bytes())
    assert parsed.format == expected_format
    queued = accept_report(repository, commit.sha, AcceptedReport.from_parsed(parsed))
    ProcessCoverageJob.run(repository.id, commit.sha, queued.blob)

    coverage = CoverageInfo.objects.get(commit=commit)
    got = {f.file: (f.lines_covered, f.lines_missed) for f in coverage.files.all()}
    assert got == expected
    assert coverage.dropped_paths == 0
    assert coverage.lines_covered == sum(c for c, _ in expected.values())
