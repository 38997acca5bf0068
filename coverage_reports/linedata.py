"""Cocov's line data: the one per-line form every report format is turned into.

A file's data is a byte string read left to right, one line at a time: ASCII digits are a hit count
(0x1E separates two counts), 0x00 is a neutral line (not counted), 0x1B an ignored line, 0x15 a missed
line. In memory a file is a list with one entry per line: an int (hits), NEUTRAL or IGNORED.
"""

import base64
import binascii
import re
from dataclasses import dataclass

NEUTRAL = None
IGNORED = "ignored"

SEPARATOR, NEUTRAL_BYTE, IGNORED_BYTE, MISSED_BYTE = 0x1E, 0x00, 0x1B, 0x15
_TOKEN = re.compile(rb"[0-9]+|[\x00\x1b\x15\x1e]|(.)", re.S)
_CONTROL = re.compile(rb"[\x00-\x09\x0c\x0e-\x1f]")


class LineDataError(ValueError):
    pass


def raw_bytes(data):
    """The raw line data of `data` (base64-decoded unless it already holds control bytes)."""
    if isinstance(data, str):
        try:
            data = data.encode()
        except UnicodeEncodeError:
            raise LineDataError("is not valid text") from None
    if not _CONTROL.search(data):
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise LineDataError("is neither line data nor base64 of it") from None
    return data


_LINE_TOKEN = re.compile(rb"[0-9]+|[\x00\x1b\x15]")


def count_lines(raw):
    """How many lines `decode_raw(raw)` would give, without building them."""
    return sum(1 for _ in _LINE_TOKEN.finditer(raw))


def decode(data):
    """Cocov line data (raw, or base64 when it holds no control byte) → list of lines."""
    return decode_raw(raw_bytes(data))


def decode_raw(data):
    lines = []
    append = lines.append
    for match in _TOKEN.finditer(data):
        token = match.group()
        if match.group(1) is not None:
            raise LineDataError(f"has an unexpected byte 0x{token[0]:02x} at offset {match.start()}")
        first = token[0]
        if first == NEUTRAL_BYTE:
            append(NEUTRAL)
        elif first == MISSED_BYTE:
            append(0)
        elif first == IGNORED_BYTE:
            append(IGNORED)
        elif first != SEPARATOR:
            if len(token) > 18:
                raise LineDataError(f"has a hit count of {len(token)} digits at offset {match.start()}")
            append(int(token))
    return lines


def encode(lines):
    """List of lines → Cocov line data (raw bytes)."""
    parts = []
    append = parts.append
    for hits in lines:
        if hits is NEUTRAL:
            append("\x00")
        elif hits is IGNORED or hits == IGNORED:
            append("\x1b")
        elif hits == 0:
            append("\x15")
        else:
            append(f"{hits}\x1e")
    return "".join(parts).encode("ascii")


@dataclass(frozen=True)
class Totals:
    lines_total: int
    lines_covered: int

    @property
    def lines_missed(self):
        return self.lines_total - self.lines_covered

    @property
    def percent_covered(self):
        return percentage(self.lines_covered, self.lines_total)


def totals(lines):
    counted = [hits for hits in lines if hits is not NEUTRAL and hits != IGNORED]
    return Totals(lines_total=len(counted), lines_covered=sum(1 for hits in counted if hits > 0))


def percentage(covered, total):
    return (covered / total) * 100 if total else 0.0


def from_hits(hits_by_line, ignored=(), what="file"):
    """Sparse {line number: hits} (and ignored line numbers) → the dense list of lines."""
    from coverage_reports.formats.base import MAX_LINE_NUMBER, ReportError

    numbers = list(hits_by_line)
    numbers.extend(ignored)
    if not numbers:
        return []
    highest, lowest = max(numbers), min(numbers)
    if lowest < 1 or highest > MAX_LINE_NUMBER:
        raise ReportError(f"{what}: line number {lowest if lowest < 1 else highest} is out of range")
    lines = [NEUTRAL] * highest
    for number in ignored:
        lines[number - 1] = IGNORED
    for number, hits in hits_by_line.items():
        lines[number - 1] = hits
    return lines
