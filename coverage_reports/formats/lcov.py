"""LCOV tracefiles (`lcov`, `genhtml` input; also coverage.py's `coverage lcov`, c8, llvm-cov, ...)."""

import re

from coverage_reports.formats.base import ParsedReport, ReportError

NAME = "lcov"
_RECORD_START = re.compile(rb"^(TN|SF):", re.M)


def sniff(head):
    return bool(_RECORD_START.search(head)) and head.lstrip()[:1] not in (b"{", b"<")


def parse(data):
    report = ParsedReport(NAME)
    path, hits = None, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReportError("lcov: the file is not UTF-8 text") from None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("DA:"):
            if hits is None:
                raise ReportError(f"lcov line {number}: DA outside a SF record")
            fields = line[3:].split(",")
            try:
                line_no, count = int(fields[0]), int(fields[1])
            except (IndexError, ValueError):
                raise ReportError(f"lcov line {number}: malformed DA record") from None
            if count < 0:
                count = 0  # some gcov versions write -1 for "unexecuted block"
            hits[line_no] = hits.get(line_no, 0) + count
        elif line.startswith("SF:"):
            if path is not None:
                raise ReportError(f"lcov line {number}: SF before end_of_record")
            path, hits = line[3:].strip(), {}
            if not path:
                raise ReportError(f"lcov line {number}: empty SF")
        elif line.startswith("end_of_record"):
            if path is None:
                raise ReportError(f"lcov line {number}: end_of_record without SF")
            report.add_hits(path, hits)
            path, hits = None, None
    if path is not None:
        raise ReportError(f"lcov: record for {path} has no end_of_record")
    if not report.files:
        raise ReportError("lcov: no SF records")
    return report
