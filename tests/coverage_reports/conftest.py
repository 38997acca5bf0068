import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE_PROJECT = ROOT / "demo" / "sample_project"
SHARED_COVERAGE = ROOT.parent / "shared" / "fixtures" / "coverage"
SAMPLES = ROOT / "tests" / "fixtures" / "coverage"


@pytest.fixture(scope="session")
def coverage_py_reports(tmp_path_factory):
    """The sample project's tests run under coverage.py; its LCOV, Cobertura and JSON reports.

    Returns (project directory, {"lcov": bytes, "xml": bytes, "json": bytes}).
    """
    project = tmp_path_factory.mktemp("coverage-py") / "calculator-project"
    shutil.copytree(SAMPLE_PROJECT, project)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    def coverage(*args):
        subprocess.run([sys.executable, "-m", "coverage", *args], cwd=project, env=env, check=True,
                       capture_output=True, timeout=120)

    coverage("run", "--source=calculator", "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider",
             "tests")
    coverage("lcov", "-o", "coverage.lcov")
    coverage("xml", "-o", "coverage.xml")
    coverage("json", "-o", "coverage.json")
    reports = {kind: (project / f"coverage.{kind}").read_bytes() for kind in ("lcov", "xml", "json")}
    return project, reports


@pytest.fixture(scope="session")
def coverage_py_truth(coverage_py_reports):
    """What coverage.py itself says: {relative path: (executed lines, missing lines)}."""
    _, reports = coverage_py_reports
    document = json.loads(reports["json"])
    return {
        path: (set(entry["executed_lines"]), set(entry["missing_lines"]))
        for path, entry in document["files"].items()
    }


def cocov_upload(sha, files):
    """Cocov's coverage-reporter body for {path: lines} (lines: int hits, None neutral)."""
    from coverage_reports import linedata

    return json.dumps({
        "commit_sha": sha,
        "data": {path: base64.b64encode(linedata.encode(lines)).decode() for path, lines in files.items()},
    }).encode()


def gzipped(data):
    return gzip.compress(data)
