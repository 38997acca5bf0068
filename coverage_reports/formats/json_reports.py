"""JSON reports: coverage.py's `coverage json`, SimpleCov's .resultset.json and simplecov_json_formatter."""

from coverage_reports import linedata
from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError, hit_count, line_budget, line_number

COVERAGE_PY = "coverage.py json"
SIMPLECOV = "simplecov json"


def is_coverage_py(document):
    return isinstance(document.get("meta"), dict) and isinstance(document.get("files"), dict) and (
        "format" in document["meta"] or "version" in document["meta"]
    )


def parse_coverage_py(document, size):
    report = ParsedReport(COVERAGE_PY, budget=line_budget(size))
    for path, entry in document["files"].items():
        if not isinstance(entry, dict):
            raise ReportError(f"{COVERAGE_PY} {path}: not an object")
        where = f"{COVERAGE_PY} {path}"
        hits = {}
        # coverage.py records whether a line ran, not how often: 1 stands for "ran".
        for key, value in (("missing_lines", 0), ("executed_lines", 1)):
            numbers = entry.get(key, [])
            if not isinstance(numbers, list):
                raise ReportError(f"{where}: {key} must be a list")
            for number in numbers:
                hits[line_number(number, where)] = value
        excluded = entry.get("excluded_lines", [])
        if not isinstance(excluded, list):
            raise ReportError(f"{where}: excluded_lines must be a list")
        ignored = [line_number(n, where) for n in excluded if line_number(n, where) not in hits]
        report.add_hits(path, hits, ignored)
    return report


def _simplecov_coverage_maps(document):
    if isinstance(document.get("coverage"), dict) and (
        "meta" in document or "timestamp" in document or "groups" in document
    ):
        return [document["coverage"]]  # simplecov_json_formatter's coverage.json
    maps = []
    for command in document.values():  # .resultset.json: {"RSpec": {"coverage": {...}, "timestamp": ...}}
        if not (isinstance(command, dict) and isinstance(command.get("coverage"), dict)):
            return []
        maps.append(command["coverage"])
    return maps


def is_simplecov(document):
    return bool(document) and bool(_simplecov_coverage_maps(document))


def parse_simplecov(document, size):
    report = ParsedReport(SIMPLECOV, budget=line_budget(size))
    for coverage in _simplecov_coverage_maps(document):
        for path, entry in coverage.items():
            raw = entry.get("lines") if isinstance(entry, dict) else entry  # old format: a bare array
            if not isinstance(raw, list):
                raise ReportError(f"{SIMPLECOV} {path}: lines must be an array")
            if len(raw) > MAX_LINE_NUMBER:
                raise ReportError(f"{SIMPLECOV} {path}: too many lines")
            report.reserve(len(raw), path)
            report.add_lines(path, [_simplecov_line(value, path) for value in raw], reserved=True)
    return report


def _simplecov_line(value, path):
    if value is None:
        return linedata.NEUTRAL
    if value == "ignored":
        return linedata.IGNORED
    if isinstance(value, bool):
        raise ReportError(f"{SIMPLECOV} {path}: `{value}' is not a hit count")
    return hit_count(value, f"{SIMPLECOV} {path}")
