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


# What malformed input makes the parsers' building blocks raise (int() of 5,000 digits, an XML
# encoding Python does not know, float('inf') as a count, ...): a bad report, never a crash.
_MALFORMED = (ValueError, TypeError, LookupError, OverflowError, UnicodeError, RecursionError, KeyError,
              IndexError, AttributeError)


def parse_report(data: bytes) -> ParsedReport:
    """Detect the report's format from its content and parse it (ReportError when malformed)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    head = data[:_SNIFF_BYTES]
    try:
        if head.lstrip()[:1] == b"{":
            return parse_document(load_json(data), len(data))
        for sniff, parse in _TEXT_FORMATS:
            if sniff(head):
                return parse(data)
    except ReportError:
        raise
    except _MALFORMED as error:
        raise ReportError(f"The report is malformed ({type(error).__name__})") from None
    raise UnknownFormat()


def load_json(data):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ReportError(f"The report looks like JSON but does not parse: {error}") from None


def parse_document(document, size):
    """A JSON report already decoded (`size`: its length in bytes)."""
    if not isinstance(document, dict):
        raise UnknownFormat()
    try:
        if "data" in document and ("commit_sha" in document or len(document) == 1):
            return cocov.parse_data(document["data"], size)
        if json_reports.is_coverage_py(document):
            return json_reports.parse_coverage_py(document, size)
        if json_reports.is_simplecov(document):
            return json_reports.parse_simplecov(document, size)
    except ReportError:
        raise
    except _MALFORMED as error:
        raise ReportError(f"The report is malformed ({type(error).__name__})") from None
    raise UnknownFormat()
