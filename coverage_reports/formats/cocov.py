"""Cocov's own upload: {"commit_sha": ..., "data": {path: base64 of line data}} (coverage-reporter)."""

from coverage_reports import linedata
from coverage_reports.formats.base import ParsedReport, ReportError

NAME = "cocov"


def parse_data(data):
    if not isinstance(data, dict):
        raise ReportError("cocov: `data' must be an object of path → line data")
    report = ParsedReport(NAME)
    for path, encoded in data.items():
        if not isinstance(encoded, str):
            raise ReportError(f"cocov {path}: line data must be a string")
        try:
            report.files[path] = linedata.decode(encoded)
        except linedata.LineDataError as error:
            raise ReportError(f"cocov {path}: line data {error}") from None
    return report
