from dataclasses import dataclass, field

# A file longer than this is not a real source file: refusing it keeps a forged report from
# allocating gigabytes for one line number.
MAX_LINE_NUMBER = 1_000_000
# Lines a report may expand to in Cocov's per-line form (one entry per line, neutral ones included):
# real reports stay far below one line per two bytes; a forged one (`DA:999999,1` for many files)
# is refused before it is expanded.
MIN_LINE_BUDGET = 2_000_000
MAX_SOURCES = 100


def line_budget(report_size):
    return max(MIN_LINE_BUDGET, report_size // 2)


class ReportError(ValueError):
    """The report is malformed: answered 400, nothing stored."""


@dataclass
class ParsedReport:
    format: str
    files: dict = field(default_factory=dict)  # path as the report wrote it → list of lines (linedata)
    sources: list = field(default_factory=list)  # Cobertura <source> prefixes, in order
    budget: int = MIN_LINE_BUDGET  # lines the report may still expand to

    def reserve(self, lines, what):
        """Account for `lines` entries about to be allocated, or refuse the report."""
        self.budget -= lines
        if self.budget < 0:
            raise ReportError(f"{self.format} {what}: the report expands to too many lines "
                              "(line numbers far beyond what it covers)")

    def add_source(self, source):
        if len(self.sources) >= MAX_SOURCES:
            raise ReportError(f"{self.format}: more than {MAX_SOURCES} <source> entries")
        self.sources.append(source)

    def add_hits(self, path, hits_by_line, ignored=()):
        """Merge sparse line hits into `path` (a file may appear more than once in a report)."""
        from coverage_reports import linedata

        highest = max(max(hits_by_line, default=0), max(ignored, default=0))
        self.reserve(min(highest, MAX_LINE_NUMBER + 1), path)
        self.add_lines(path, linedata.from_hits(hits_by_line, ignored, what=path), reserved=True)

    def add_lines(self, path, lines, reserved=False):
        if not reserved:
            self.reserve(len(lines), path)
        existing = self.files.get(path)
        self.files[path] = lines if existing is None else merge(existing, lines)


def merge(first, second):
    """Line by line: hits add up; a counted line wins over a neutral or ignored one."""
    if len(first) < len(second):
        first, second = second, first
    merged = list(first)
    for index, hits in enumerate(second):
        current = merged[index]
        if isinstance(hits, int):
            merged[index] = hits + current if isinstance(current, int) else hits
        elif current is None:
            merged[index] = hits
    return merged


def line_number(text, what):
    if isinstance(text, (bool, float)) or (isinstance(text, str) and not 0 < len(text) <= 9):
        raise ReportError(f"{what}: `{str(text)[:40]}' is not a line number")
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise ReportError(f"{what}: `{str(text)[:40]}' is not a line number") from None
    if not 1 <= number <= MAX_LINE_NUMBER:
        raise ReportError(f"{what}: line number {number} is out of range")
    return number


def hit_count(text, what):
    if isinstance(text, bool) or (isinstance(text, str) and len(text) > 18):
        raise ReportError(f"{what}: `{str(text)[:40]}' is not a hit count")
    try:
        hits = int(text)
    except (TypeError, ValueError, OverflowError):
        try:
            hits = int(float(text))  # some tools write 1.0
        except (TypeError, ValueError, OverflowError):
            raise ReportError(f"{what}: `{str(text)[:40]}' is not a hit count") from None
    if hits < 0:
        raise ReportError(f"{what}: negative hit count {hits}")
    return hits
