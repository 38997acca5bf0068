"""Manifest errors: their kinds and public descriptions, and the helpers that keep
every message safe to store and display."""

from __future__ import annotations

import re
import reprlib
from datetime import date

from cocov.manifest.limits import ECHO_LIMIT

# Error kinds and their descriptions, exactly as reported by Cocov.
ROOT_MUST_BE_MAPPING = "manifest_root_must_be_mapping"
MISSING_VERSION = "manifest_missing_version"
VERSION_TYPE_MISMATCH = "manifest_version_type_mismatch"
VERSION_UNSUPPORTED = "manifest_version_unsupported"
INVALID_OR_MISSING_DATA = "manifest_invalid_or_missing_data"
DUPLICATED_MOUNT_DESTINATION = "manifest_duplicated_mount_destination"
INVALID_MOUNT_SOURCE = "manifest_invalid_mount_source"
UNKNOWN_SECRET = "manifest_unknown_secret"

DESCRIPTIONS = {
    ROOT_MUST_BE_MAPPING: "Invalid manifest: Root should be a mapping",
    MISSING_VERSION: "Failure: Invalid manifest",
    VERSION_TYPE_MISMATCH: "Failure: Invalid manifest",
    VERSION_UNSUPPORTED: "Failure: Unsupported manifest version",
    INVALID_OR_MISSING_DATA: "Failure: Invalid or Missing Data in Manifest",
    DUPLICATED_MOUNT_DESTINATION: "Failure: Duplicated mount destination",
    INVALID_MOUNT_SOURCE: "Failure: Invalid mount source",
    UNKNOWN_SECRET: "Failure: Unknown secret",
}


# ------------------------------------------------------------------- safe text

# C0/C1 controls, lone surrogates, line/paragraph separators, bidirectional-text
# controls and the BOM: nothing a stored or displayed message should carry raw.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_MAX_EXTRA_LENGTH = 2000
_echo_repr = reprlib.Repr()
_echo_repr.maxstring = _echo_repr.maxother = ECHO_LIMIT


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _safe_text(text: str) -> str:
    """``text`` with unsafe characters escaped (lone surrogates become U+FFFD)."""
    if _UNSAFE_CHARS.search(text) is None:
        return text
    return _UNSAFE_CHARS.sub(_escape_char, text)


def _echo(value: object) -> str:
    """A user-supplied value as it may appear in a message: at most about ECHO_LIMIT
    characters, escaped. Never fails (huge integers have no decimal form)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value) if value.bit_length() <= 4 * ECHO_LIMIT else f"<{value.bit_length()}-bit integer>"
    elif value is None or isinstance(value, (bool, float, date)):
        text = str(value)
    else:
        text = _echo_repr.repr(value)
    if len(text) > ECHO_LIMIT:
        text = text[:ECHO_LIMIT] + "…"
    return _safe_text(text)


class ManifestError(Exception):
    """A manifest problem. ``kind`` is machine-readable, ``description`` is the
    short public message, ``extra`` an optional human explanation (always safe to
    store and display: see :func:`_safe_text`)."""

    def __init__(self, kind: str, message: str, extra: str | None = None):
        if isinstance(extra, str):
            extra = _safe_text(extra[:_MAX_EXTRA_LENGTH])[:_MAX_EXTRA_LENGTH]
        super().__init__(kind, message, extra)
        self.kind = kind
        self.description = message
        self.extra = extra

    def __str__(self) -> str:
        if self.extra:
            return f"{self.description} ({self.extra})"
        return self.description

    @classmethod
    def of(cls, kind: str, extra: str | None = None) -> ManifestError:
        return cls(kind, DESCRIPTIONS[kind], extra)


def _invalid(path: str, message: str) -> ManifestError:
    return ManifestError.of(INVALID_OR_MISSING_DATA, f"{path}: {message}")
