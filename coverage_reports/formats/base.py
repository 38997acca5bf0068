from dataclasses import dataclass, field

# A file longer than this is not a real source file: refusing it keeps a forged report from
# allocating gigabytes for one line number.
MAX_LINE_NUMBER = 1_000_000


class ReportError(ValueError):
    """The report is malformed: answered 400, nothing stored."""


@dataclass
class ParsedReport:
    format: str
    files: dict = field(default_factory=dict)  # path as the report wrote it → list of lines (linedata)
    sources: list = field(default_factory=list)  # Cobertura <source> prefixes, in order

    def add_hits(self, path, hits_by_line, ignored=()):
        """Merge sparse line hits into `path` (a file may appear more than once in a report)."""
        from coverage_reports import linedata

        self.add_lines(path, linedata.from_hits(hits_by_line, ignored, what=path))

    def add_lines(self, path, lines):
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
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise ReportError(f"{what}: `{str(text)[:40]}' is not a line number") from None
    if not 1 <= number <= MAX_LINE_NUMBER:
        raise ReportError(f"{what}: line number {number} is out of range")
    return number


def hit_count(text, what):
    try:
        hits = int(text)
    except (TypeError, ValueError):
        try:
            hits = int(float(text))  # some tools write 1.0
        except (TypeError, ValueError):
            raise ReportError(f"{what}: `{str(text)[:40]}' is not a hit count") from None
    if hits < 0:
        raise ReportError(f"{what}: negative hit count {hits}")
    return hits
