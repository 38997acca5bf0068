"""Go cover profiles (`go test -coverprofile=cover.out`)."""

import re

from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError, line_budget

NAME = "go"
_BLOCK = re.compile(
    r"^(?P<file>.+):(?P<l0>\d{1,9})\.(?P<c0>\d{1,9}),(?P<l1>\d{1,9})\.(?P<c1>\d{1,9}) (?P<stmts>\d{1,9}) "
    r"(?P<count>\d{1,18})$"
)


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
    report = ParsedReport(NAME, budget=line_budget(len(data)))
    blocks_by_file, span = {}, 0
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        match = _BLOCK.match(line.strip())
        if not match:
            raise ReportError(f"go line {number}: malformed block")
        start, end, count = int(match["l0"]), int(match["l1"]), int(match["count"])
        if not 1 <= start <= end <= MAX_LINE_NUMBER:
            raise ReportError(f"go line {number}: line range {start}-{end} is out of range")
        span += end - start + 1
        if span > 2 * report.budget:
            raise ReportError(f"go line {number}: the blocks cover far more lines than the profile describes")
        blocks_by_file.setdefault(match["file"], []).append((count, start, end))
    for path, blocks in blocks_by_file.items():
        highest = max(end for _, _, end in blocks)
        report.reserve(highest, path)
        hits = [None] * highest
        # Blocks overlap at their edges: a line is as covered as its best block, so the best go last.
        for count, start, end in sorted(blocks):
            hits[start - 1 : end] = [count] * (end - start + 1)
        report.add_lines(path, hits, reserved=True)
    if not report.files:
        raise ReportError("go: the profile has no blocks")
    return report
