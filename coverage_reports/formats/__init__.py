"""Coverage report formats, detected from the content, all turned into Cocov's per-line form."""

import json

from coverage_reports.formats import cobertura, cocov, gocover, jacoco, json_reports, lcov
from coverage_reports.formats.base import ParsedReport, ReportError

__all__ = ["ParsedReport", "ReportError", "UnknownFormat", "parse_report", "parse_document", "load_json", "FORMAT_NAMES"]

FORMAT_NAMES = (
    "Cocov JSON",
    "LCOV",
    "Cobertura XML",
    "JaCoCo XML",
    "Go cover profile",
    "SimpleCov JSON",
    "coverage.py JSON",
)
_SNIFF_BYTES = 64 * 1024
_TEXT_FORMATS = ((cobertura.sniff, cobertura.parse), (jacoco.sniff, jacoco.parse),
                 (gocover.sniff, gocover.parse), (lcov.sniff, lcov.parse))


class UnknownFormat(ReportError):
    def __init__(self):
        super().__init__("The report's format was not recognized; tried " + ", ".join(FORMAT_NAMES))


def parse_report(data: bytes) -> ParsedReport:
    """Detect the report's format from its content and parse it (ReportError when malformed)."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    if head.lstrip()[:1] == b"{":
        return _parse_json(data)
    for sniff, parse in _TEXT_FORMATS:
        if sniff(head):
            return parse(data)
    raise UnknownFormat()


def _parse_json(data):
    return parse_document(load_json(data))


def load_json(data):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ReportError(f"The report looks like JSON but does not parse: {error}") from None


def parse_document(document):
    """A JSON report already decoded."""
    if not isinstance(document, dict):
        raise UnknownFormat()
    if "data" in document and ("commit_sha" in document or len(document) == 1):
        return cocov.parse_data(document["data"])
    if json_reports.is_coverage_py(document):
        return json_reports.parse_coverage_py(document)
    if json_reports.is_simplecov(document):
        return json_reports.parse_simplecov(document)
    raise UnknownFormat()
