"""LCOV tracefiles (`lcov`, `genhtml` input; also coverage.py's `coverage lcov`, c8, llvm-cov, ...)."""

import re

from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError, line_budget

NAME = "lcov"
_RECORD_START = re.compile(rb"^(TN|SF):", re.M)
_SOURCE_FILE = re.compile(rb"^SF:(.*?)\r?$", re.M)
_DA_LINE = re.compile(rb"^DA:", re.M)
_DA = re.compile(rb"^DA:(\d{1,9},-?\d{1,18})(?:,[^\r\n]*)?\r?$", re.M)
_END = re.compile(rb"^end_of_record[ \t]*\r?$", re.M)


def sniff(head):
    return bool(_RECORD_START.search(head)) and head.lstrip()[:1] not in (b"{", b"<")


def parse(data):
    # Record by record with regexes over the bytes: no list of a million line strings in memory.
    report = ParsedReport(NAME, budget=line_budget(len(data)))
    records = _END.split(data)
    for index, record in enumerate(records):
        sources = _SOURCE_FILE.findall(record)
        last = index == len(records) - 1
        if last:
            if sources or _DA_LINE.search(record):
                where = sources[0].decode(errors="replace") if sources else "DA lines"
                raise ReportError(f"lcov: record for {where} has no end_of_record")
            break
        if len(sources) != 1:
            raise ReportError(f"lcov record {index + 1}: {'SF before end_of_record' if sources else 'no SF'}")
        try:
            path = sources[0].decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ReportError(f"lcov record {index + 1}: SF is not UTF-8") from None
        if not path:
            raise ReportError(f"lcov record {index + 1}: empty SF")
        pairs = _DA.findall(record)
        if len(pairs) != len(_DA_LINE.findall(record)):
            raise ReportError(f"lcov record for {path}: malformed DA line")
        report.add_lines(path, _lines(pairs, path, report), reserved=True)
    if not report.files:
        raise ReportError("lcov: no SF records")
    return report


def _lines(pairs, path, report):
    """b"line,hits" pairs → the file's lines, converted in bulk (this runs once per reported line)."""
    if not pairs:
        return []
    numbers = list(map(int, b",".join(pairs).split(b",")))
    line_numbers, counts = numbers[0::2], numbers[1::2]
    lowest, highest = min(line_numbers), max(line_numbers)
    if lowest < 1 or highest > MAX_LINE_NUMBER:
        raise ReportError(f"lcov record for {path}: line number {lowest if lowest < 1 else highest} is out of range")
    report.reserve(highest, path)
    if min(counts) < 0:
        counts = [max(count, 0) for count in counts]  # some gcov versions write -1 for "unexecuted block"
    lines = [None] * highest
    if len(set(line_numbers)) == len(line_numbers):
        for number, count in zip(line_numbers, counts):
            lines[number - 1] = count
    else:
        for number, count in zip(line_numbers, counts):  # a line listed twice adds up
            current = lines[number - 1]
            lines[number - 1] = count if current is None else current + count
    return lines
