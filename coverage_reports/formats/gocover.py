"""Go cover profiles (`go test -coverprofile=cover.out`)."""

import re

from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError

NAME = "go"
_BLOCK = re.compile(r"^(?P<file>.+):(?P<l0>\d+)\.(?P<c0>\d+),(?P<l1>\d+)\.(?P<c1>\d+) (?P<stmts>\d+) (?P<count>\d+)$")


def sniff(head):
    return head.lstrip().startswith(b"mode:")


def parse(data):
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ReportError("go: the profile is not UTF-8 text") from None
    first = lines[0].strip() if lines else ""
    if first not in ("mode: set", "mode: count", "mode: atomic"):
        raise ReportError("go: the profile must start with `mode: set|count|atomic'")
    by_file = {}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        match = _BLOCK.match(line.strip())
        if not match:
            raise ReportError(f"go line {number}: malformed block")
        start, end, count = int(match["l0"]), int(match["l1"]), int(match["count"])
        if not 1 <= start <= end <= MAX_LINE_NUMBER:
            raise ReportError(f"go line {number}: line range {start}-{end} is out of range")
        hits = by_file.setdefault(match["file"], {})
        for line_no in range(start, end + 1):
            # Blocks overlap at their edges: a line is as covered as its best block.
            if hits.get(line_no, -1) < count:
                hits[line_no] = count
    report = ParsedReport(NAME)
    for path, hits in by_file.items():
        report.add_hits(path, hits)
    if not report.files:
        raise ReportError("go: the profile has no blocks")
    return report
