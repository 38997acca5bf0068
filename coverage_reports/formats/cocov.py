"""Cocov's own upload: {"commit_sha": ..., "data": {path: base64 of line data}} (coverage-reporter)."""

from coverage_reports import linedata
from coverage_reports.formats.base import ParsedReport, ReportError, line_budget

NAME = "cocov"


def parse_data(data, size):
    if not isinstance(data, dict):
        raise ReportError("cocov: `data' must be an object of path → line data")
    report = ParsedReport(NAME, budget=line_budget(size))
    for path, encoded in data.items():
        if not isinstance(encoded, str):
            raise ReportError(f"cocov {path}: line data must be a string")
        try:
            raw = linedata.raw_bytes(encoded)
            # A file has at most as many lines as bytes: count exactly only when that could overflow.
            expected = len(raw) if len(raw) <= report.budget else linedata.count_lines(raw)
            report.reserve(expected, path)
            lines = linedata.decode_raw(raw)
            report.budget += expected - len(lines)
            report.files[path] = lines
        except linedata.LineDataError as error:
            raise ReportError(f"cocov {path}: line data {error}") from None
    return report
