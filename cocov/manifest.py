"""Parsing and validation of a repository's ``.cocov.yaml`` manifest (version "0.1.alpha").

Pure Python: no Django, no database. The parser either returns a fully validated,
immutable :class:`Manifest` or raises :class:`ManifestError` whose ``kind`` and
``description`` are the exact strings Cocov reports on a commit status.

Schema::

    version: "0.1.alpha"                 # required string
    coverage:
      min_percent: 80                    # int 0..100
    exclude_paths: ["vendor/", "**/*.min.js"]
    defaults:
      checks:
        envs: {KEY: value}               # scalar values, stringified
        mounts:
          - source: secrets:NAME
            destination: /path
    checks:
      - plugin: cocov/rubocop:v0.1       # required
        envs: {...}
        mounts: [...]

Unknown keys anywhere are rejected. An optional key whose value is null is treated
as absent.

The manifest comes from an untrusted repository, so besides the schema it is held to
limits (all violations are ``manifest_invalid_or_missing_data``):

* the YAML document, with every reference of an alias counted again, has at most
  MAX_DOCUMENT_NODES values and MAX_DOCUMENT_CHARS characters of scalar text, and no
  recursive aliases; no string anywhere may contain NUL or a lone surrogate;
* at most MAX_CHECKS checks; per check (defaults included) at most MAX_ENVS_PER_CHECK
  environment variables and MAX_MOUNTS_PER_CHECK mounts; env names match
  ``[A-Za-z_][A-Za-z0-9_]*`` (at most 255 characters), env values are at most
  MAX_ENV_VALUE_BYTES bytes; the checks' env names and values and mount sources and
  destinations add up to at most MAX_CHECKS_PAYLOAD_BYTES bytes;
* ``plugin`` is a container image reference of at most 255 characters;
* a mount ``destination`` is a clean absolute path (no ``.``/``..``/empty components,
  not ``/``) of at most 1024 characters; ``secrets:NAME`` has NAME matching
  ``[A-Za-z0-9_][A-Za-z0-9_.-]*`` (at most 255 characters);
* at most MAX_EXCLUDE_PATHS ``exclude_paths`` patterns of at most 1024 characters.

Every ``extra`` message is safe to store and display: control characters, lone
surrogates and bidirectional-text controls are escaped, and echoed user values are cut
to about 100 characters.
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import reprlib
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = [
    "MANIFEST_FILENAME",
    "MAX_MANIFEST_BYTES",
    "SUPPORTED_VERSION",
    "CheckSpec",
    "Manifest",
    "ManifestError",
    "Mount",
    "clean_plugin_name",
    "load_manifest",
    "parse_manifest",
]

MANIFEST_FILENAME = ".cocov.yaml"
SUPPORTED_VERSION = "0.1.alpha"
MAX_MANIFEST_BYTES = 1024 * 1024
SECRET_SOURCE_PREFIX = "secrets:"

# Limits on what an untrusted manifest may ask for.
MAX_DOCUMENT_NODES = 100_000  # YAML values, every reference of an alias counted again
MAX_DOCUMENT_CHARS = 1024 * 1024  # characters of scalar text, aliases counted again
MAX_CHECKS = 100
MAX_ENVS_PER_CHECK = 200
MAX_MOUNTS_PER_CHECK = 50
MAX_ENV_NAME_LENGTH = 255
MAX_ENV_VALUE_BYTES = 32 * 1024
MAX_CHECKS_PAYLOAD_BYTES = 1024 * 1024  # env names + values + mount strings, all checks
MAX_PLUGIN_LENGTH = 255
MAX_SECRET_NAME_LENGTH = 255
MAX_DESTINATION_LENGTH = 1024
MAX_EXCLUDE_PATHS = 200
MAX_EXCLUDE_PATH_LENGTH = 1024
ECHO_LIMIT = 100  # characters of a user value echoed in an error message

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


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Mount:
    secret_name: str
    destination: str

    @property
    def source(self) -> str:
        return f"{SECRET_SOURCE_PREFIX}{self.secret_name}"


@dataclass(frozen=True)
class CheckSpec:
    plugin: str  # the image exactly as written in the manifest
    name: str  # clean_plugin_name(plugin); unique within a manifest
    envs: dict[str, str] = field(default_factory=dict, hash=False)
    mounts: tuple[Mount, ...] = ()


@dataclass(frozen=True)
class Manifest:
    version: str
    min_percent: int | None = None
    exclude_paths: tuple[str, ...] = ()
    checks: tuple[CheckSpec, ...] = ()

    @property
    def has_checks(self) -> bool:
        return bool(self.checks)

    def is_path_excluded(self, relative_path: str) -> bool:
        path = _normalize_relative_path(relative_path)
        return any(_compile_glob(pattern).matches(path) for pattern in self.exclude_paths)

    def secret_names(self) -> set[str]:
        """Names of every secret mounted by some check (defaults included once merged)."""
        return {name for name in self._secret_names_in_order()}

    def require_secrets(self, known: Iterable[str]) -> None:
        """Raise ``manifest_unknown_secret`` for the first referenced secret (in manifest
        order) that is not in ``known``."""
        known = known if isinstance(known, (set, frozenset)) else set(known)
        for name in self._secret_names_in_order():
            if name not in known:
                raise ManifestError.of(UNKNOWN_SECRET, f"Unknown secret `{_echo(name)}'")

    def _secret_names_in_order(self) -> Iterable[str]:
        for check in self.checks:
            for mount in check.mounts:
                yield mount.secret_name


# ------------------------------------------------------------------ plugin names


def clean_plugin_name(image: str) -> str:
    """The plugin name Cocov shows for an image reference: no registry host, no tag,
    no digest. ``ghcr.io:443/org/img:tag`` -> ``org/img``."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.find(":", slash + 1)
    if colon != -1:
        name = name[:colon]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts)


# An image reference (distribution/reference grammar), restricted so that a registry
# host is recognised exactly when clean_plugin_name strips it: the first component is a
# host when it has a dot or a port, is ``localhost``, or is a bracketed IPv6 address.
# Repository path components are lowercase; the tag may have uppercase letters.
_HOST_PART = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_REGISTRY = (
    rf"(?:localhost(?::[0-9]+)?"
    rf"|{_HOST_PART}(?:\.{_HOST_PART})+(?::[0-9]+)?"
    rf"|{_HOST_PART}:[0-9]+"
    rf"|\[[0-9A-Fa-f:]+\](?::[0-9]+)?)"
)
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REFERENCE = re.compile(
    rf"(?:{_REGISTRY}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    rf"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?"
    rf"(?:@sha256:[0-9a-f]{{64}})?"
)


def _valid_image_reference(plugin: str) -> bool:
    return len(plugin) <= MAX_PLUGIN_LENGTH and _IMAGE_REFERENCE.fullmatch(plugin) is not None


# ------------------------------------------------------------------------- globs
#
# ``*``, ``?`` and ``[...]`` never match ``/``; a run of two or more ``*`` matches
# anything (``.*``), and at the start of a component and followed by ``/`` it also
# matches zero directories (``(?:.*/)?``); a trailing ``/`` means "everything below".
#
# Matching never backtracks catastrophically. A pattern is cut at its ``**`` wildcards
# into pieces, and each piece at its ``*`` into fixed-length chunks. In the regular
# expression built from it every ``*`` but a piece's last one matches lazily inside an
# atomic group, ``(?>[^/]*?CHUNK)``, and every ``**`` but the last one, together with
# the piece after it, is an atomic group too: each is committed to its earliest end.
# That keeps the language unchanged: after ``*CHUNK`` the reachable end positions all
# lie in one slash-free stretch of the path (or are a single position, when the chunk
# has a ``/``), so whatever can follow from a later end can follow from the earliest
# one; and the piece before a ``**`` (which can swallow anything) or a ``**/`` (which
# only comes after a ``/``) is best ended as early as possible, which the leftmost
# successful start achieves. The work is then O(starts x span x chunk length): the
# pathological ``*a*a*a*a*a*a*a*a*a*a*a*a`` is linear. For the rare path and pattern
# pairs where that bound is too high, a bit-parallel NFA (O(path x pattern / 30)) is
# used instead.

_LIT, _ANY, _CLASS, _STAR, _DSTAR, _DSLASH = range(6)
_REGEX_COST_LIMIT = 200_000
_MASK_CACHE_SIZE = 512
_LEADING_DOT_SLASHES = re.compile(r"(?:\./)*")


def _normalize_relative_path(path: str) -> str:
    return path[_LEADING_DOT_SLASHES.match(path).end() :].lstrip("/")


def _tokenize_glob(pat: str) -> list[tuple]:
    tokens: list[tuple] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "*":
            j = i + 1
            while j < n and pat[j] == "*":
                j += 1
            if j - i == 1:
                tokens.append((_STAR,))
                i = j
            elif (i == 0 or pat[i - 1] == "/") and j < n and pat[j] == "/":
                tokens.append((_DSLASH,))
                i = j + 1
            else:
                tokens.append((_DSTAR,))
                i = j
        elif c == "?":
            tokens.append((_ANY,))
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pat[j] == "!":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            j = pat.find("]", j)
            if j == -1:
                tokens.append((_LIT, c))
                i += 1
                continue
            body = pat[i + 1 : j]
            i = j + 1
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            ranges: list[tuple[str, str]] = []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    lo, hi = body[k], body[k + 2]
                    if lo <= hi:
                        ranges.append((lo, hi))
                    k += 3
                else:
                    ranges.append((body[k], body[k]))
                    k += 1
            tokens.append((_CLASS, negate, tuple(ranges)))
        else:
            tokens.append((_LIT, c))
            i += 1
    return tokens


def _char_regex(token: tuple) -> str:
    if token[0] == _LIT:
        return re.escape(token[1])
    if token[0] == _ANY:
        return "[^/]"
    _, negate, ranges = token
    parts = "".join(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in ranges)
    if negate:
        return f"[^/{parts}]"
    return f"(?!/)[{parts}]" if parts else "(?!)"


def _char_matches(token: tuple, c: str) -> bool:
    if token[0] == _LIT:
        return token[1] == c
    if c == "/":
        return False
    if token[0] == _ANY:
        return True
    _, negate, ranges = token
    return any(lo <= c <= hi for lo, hi in ranges) != negate


class _Piece:
    """Tokens between two ``**`` wildcards: fixed-length chunks separated by ``*``."""

    def __init__(self, tokens: list[tuple]):
        self.chunks: list[list[tuple]] = [[]]
        for token in tokens:
            if token[0] == _STAR:
                self.chunks.append([])
            else:
                self.chunks[-1].append(token)
        self.has_star = len(self.chunks) > 1
        self.has_slash = any(token == (_LIT, "/") for token in tokens)
        self.length = len(tokens)
        self.longest_chunk = max(len(chunk) for chunk in self.chunks)

    def regex(self, anchored_end: bool) -> str:
        """Matches at a fixed start; committed to the earliest end unless ``anchored_end``
        (then the last ``*`` is free so that the piece can end where the path does)."""
        out = ["".join(map(_char_regex, self.chunks[0]))]
        last = len(self.chunks) - 1
        for index in range(1, last + 1):
            chunk = "".join(map(_char_regex, self.chunks[index]))
            out.append(f"[^/]*{chunk}" if anchored_end and index == last else f"(?>[^/]*?{chunk})")
        return "".join(out)

    def cost(self, length: int, longest_component: int) -> int:
        """Upper bound on the regex engine's work for one start position."""
        if not self.has_star:
            return self.length + 1
        span = length if self.has_slash else longest_component
        return 2 * span * (self.longest_chunk + 1) + self.length + 1


class _Glob:
    """A compiled exclude pattern; see the comment above."""

    def __init__(self, pattern: str):
        pattern = _normalize_relative_path(pattern)
        if pattern.endswith("/"):
            tokens = _tokenize_glob(pattern.rstrip("/")) + [(_LIT, "/"), (_DSTAR,)]
        else:
            tokens = _tokenize_glob(pattern)
        self._tokens = tokens
        # Cut at the ** wildcards: first piece, then (wildcard kind, piece) groups.
        pieces: list[list[tuple]] = [[]]
        kinds: list[int] = []
        for token in tokens:
            if token[0] in (_DSTAR, _DSLASH):
                kinds.append(token[0])
                pieces.append([])
            else:
                pieces[-1].append(token)
        self._first = _Piece(pieces[0])
        self._groups = [(kind, _Piece(piece)) for kind, piece in zip(kinds, pieces[1:])]
        regex = [self._first.regex(anchored_end=not self._groups)]
        for index, (kind, piece) in enumerate(self._groups):
            wildcard = ".*?" if kind == _DSTAR else "(?:.*?/)??"
            if index == len(self._groups) - 1:
                regex.append(wildcard + piece.regex(anchored_end=True))
            else:
                regex.append(f"(?>{wildcard}{piece.regex(anchored_end=False)})")
        self._regex = re.compile("".join(regex) + r"\Z", re.DOTALL)
        # Paths up to this length are always cheap enough for the regex.
        low, high = 0, 1 << 20
        while low < high:
            mid = (low + high + 1) // 2
            if self._regex_cost(mid, mid + 1, mid) <= _REGEX_COST_LIMIT:
                low = mid
            else:
                high = mid - 1
        self._regex_safe_length = low
        self._nfa: _GlobNFA | None = None

    def _regex_cost(self, length: int, components: int, longest_component: int) -> int:
        cost = length + self._first.cost(length, longest_component)
        for kind, piece in self._groups:
            starts = length + 1 if kind == _DSTAR else components
            cost += starts * piece.cost(length, longest_component)
        return cost

    def matches(self, path: str) -> bool:
        length = len(path)
        if length <= self._regex_safe_length:
            return self._regex.match(path) is not None
        components = path.count("/") + 1
        longest = max(map(len, path.split("/")))
        if self._regex_cost(length, components, longest) <= _REGEX_COST_LIMIT:
            return self._regex.match(path) is not None
        return self._nfa_matches(path)

    def _regex_matches(self, path: str) -> bool:
        return self._regex.match(path) is not None

    def _nfa_matches(self, path: str) -> bool:
        if self._nfa is None:
            self._nfa = _GlobNFA(self._tokens)
        return self._nfa.matches(path)


class _GlobNFA:
    """Bit-parallel simulation of the pattern's automaton: bit ``p`` set means "the
    tokens before position p have matched". Single-character tokens shift their bit
    left on a match; ``*`` and ``**`` loop on their bit; ``**/`` is two bits, "at a
    component start" (a, exits to the next token) and "inside a skipped component" (b),
    for ``(?:[^/]*/)*``, which is the same language as ``(?:.*/)?``."""

    def __init__(self, tokens: list[tuple]):
        # ``**/**/`` is ``**/``, and ``**/**`` is ``**``: collapsing them keeps every
        # chain of empty moves at most two long (a -> * -> next).
        collapsed: list[tuple] = []
        for token in tokens:
            if collapsed and collapsed[-1][0] == _DSLASH and token[0] in (_DSLASH, _DSTAR):
                collapsed[-1] = token
            else:
                collapsed.append(token)
        self._literals: dict[str, int] = {}
        self._any = 0
        self._classes: list[tuple[int, tuple]] = []
        self._loop_any = self._loop_not_slash = self._ds_a = self._ds_b = self._exit_next = 0
        position = 0
        for token in collapsed:
            bit = 1 << position
            kind = token[0]
            if kind == _LIT:
                self._literals[token[1]] = self._literals.get(token[1], 0) | bit
            elif kind == _ANY:
                self._any |= bit
            elif kind == _CLASS:
                self._classes.append((bit, token))
            elif kind == _STAR:
                self._loop_not_slash |= bit
                self._exit_next |= bit
            elif kind == _DSTAR:
                self._loop_any |= bit
                self._exit_next |= bit
            else:  # _DSLASH
                self._ds_a |= bit
                self._ds_b |= bit << 1
                position += 1
            position += 1
        self._accept = 1 << position
        self._masks: dict[str, int] = {}

    def _mask(self, c: str) -> int:
        mask = self._masks.get(c)
        if mask is None:
            mask = self._literals.get(c, 0)
            if c != "/":
                mask |= self._any
                for bit, token in self._classes:
                    if _char_matches(token, c):
                        mask |= bit
            if len(self._masks) < _MASK_CACHE_SIZE:
                self._masks[c] = mask
        return mask

    def _closure(self, states: int) -> int:
        states |= (states & self._ds_a) << 2
        return states | (states & self._exit_next) << 1

    def matches(self, path: str) -> bool:
        loop_slash = self._loop_any | self._ds_a
        loop_other = self._loop_any | self._loop_not_slash | self._ds_b
        ds_a, ds_b = self._ds_a, self._ds_b
        states = self._closure(1)
        for c in path:
            if c == "/":
                states = ((states & self._mask(c)) << 1) | (states & loop_slash) | ((states & ds_b) >> 1)
            else:
                states = ((states & self._mask(c)) << 1) | (states & loop_other) | ((states & ds_a) << 1)
            if not states:
                return False
            states = self._closure(states)
        return bool(states & self._accept)


@lru_cache(maxsize=1024)
def _compile_glob(pattern: str) -> _Glob:
    return _Glob(pattern)


# ------------------------------------------------------------------------ parser


def parse_manifest(text: str | bytes) -> Manifest:
    """Parse and validate manifest text. Raises :class:`ManifestError`."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MANIFEST_BYTES:
        raise _invalid(MANIFEST_FILENAME, f"file is larger than {MAX_MANIFEST_BYTES} bytes")
    data, bad_text = _load_yaml(text)
    if not isinstance(data, dict):
        raise ManifestError.of(ROOT_MUST_BE_MAPPING)

    version = data.get("version")
    if version is None:
        raise ManifestError.of(MISSING_VERSION)
    if not isinstance(version, str):
        raise ManifestError.of(VERSION_TYPE_MISMATCH)
    if version != SUPPORTED_VERSION:
        raise ManifestError.of(VERSION_UNSUPPORTED)
    if bad_text is not None:
        raise bad_text

    _reject_unknown_keys(data, "(root)", {"version", "coverage", "exclude_paths", "defaults", "checks"})
    min_percent = _parse_coverage(data.get("coverage"))
    exclude_paths = _parse_exclude_paths(data.get("exclude_paths"))
    default_envs, default_mounts = _parse_defaults(data.get("defaults"))
    checks = _parse_checks(data.get("checks"), default_envs, default_mounts)
    return Manifest(
        version=version,
        min_percent=min_percent,
        exclude_paths=exclude_paths,
        checks=checks,
    )


def load_manifest(tree_root: Path | str) -> Manifest | None:
    """Read and parse ``<tree_root>/.cocov.yaml``; None when there is no such file.

    The file must be a regular file (symlinks are refused: the tree is untrusted) of
    at most MAX_MANIFEST_BYTES; it is never read beyond that limit."""
    path = Path(tree_root) / MANIFEST_FILENAME
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _invalid(MANIFEST_FILENAME, "must be a regular file, not a symbolic link") from None
        raise
    too_large = _invalid(MANIFEST_FILENAME, f"file is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _invalid(MANIFEST_FILENAME, "must be a regular file")
        if st.st_size > MAX_MANIFEST_BYTES:
            raise too_large
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        content = fh.read(MAX_MANIFEST_BYTES + 1)
    if len(content) > MAX_MANIFEST_BYTES:
        raise too_large
    return parse_manifest(content)


# ------------------------------------------------------------------ YAML loading

_YAML_ERRORS = (yaml.YAMLError, RecursionError, UnicodeError, ValueError)


def _load_yaml(text: str | bytes) -> tuple[object, ManifestError | None]:
    """``yaml.safe_load``, with the composed node graph checked before anything is
    constructed from it (see :func:`_scan_document`). Returns the data and the first
    string problem (NUL or lone surrogate), which the caller reports once the root and
    version are known to be fine."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, None
        bad_text = _scan_document(node)
        return loader.construct_document(node), bad_text
    except _YAML_ERRORS:
        raise ManifestError.of(ROOT_MUST_BE_MAPPING) from None
    finally:
        if loader is not None:
            loader.dispose()


_EXIT = object()  # stack marker: a collection's children are all walked
_KEY = object()  # path step: "a key of the mapping at the parent path"


def _scan_document(root: yaml.Node) -> ManifestError | None:
    """Walk the YAML node graph the way construction would expand it (every reference
    of an alias again), stopping as soon as it holds more than MAX_DOCUMENT_NODES values
    or MAX_DOCUMENT_CHARS characters of scalar text, or refers to itself. The work is
    bounded by the limits, whatever the aliases multiply to.

    Raises those problems; returns (the first, in document order) string containing a
    NUL or a lone surrogate, as an error to raise, or None."""
    nodes, chars = 1, 0
    bad_text: ManifestError | None = None
    open_collections: set[int] = set()
    stack: list[tuple[object, object]] = [(root, None)]  # (node, path link)
    while stack:
        node, link = stack.pop()
        if node is _EXIT:
            open_collections.discard(link)  # type: ignore[arg-type]
            continue
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            chars += len(value)
            if chars > MAX_DOCUMENT_CHARS:
                raise _invalid(
                    _render_path(link)[0],
                    f"the document is too large once aliases are expanded "
                    f"(more than {MAX_DOCUMENT_CHARS} characters of text)",
                )
            if bad_text is None:
                if "\0" in value:
                    bad_text = _bad_text(link, value, "must not contain NUL characters")
                elif _SURROGATES.search(value):
                    bad_text = _bad_text(link, value, "must not contain lone surrogates (invalid Unicode)")
            continue
        if id(node) in open_collections:
            raise _invalid(_render_path(link)[0], "recursive aliases are not allowed")
        items = node.value
        nodes += 2 * len(items) if isinstance(node, yaml.MappingNode) else len(items)
        if nodes > MAX_DOCUMENT_NODES:
            raise _invalid(
                _render_path(link)[0],
                f"the document is too large once aliases are expanded (more than {MAX_DOCUMENT_NODES} values)",
            )
        open_collections.add(id(node))
        stack.append((_EXIT, id(node)))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(items):
                stack.append((value_node, (link, key_node)))
                stack.append((key_node, (link, _KEY)))
        else:
            for index in range(len(items) - 1, -1, -1):
                stack.append((items[index], (link, index)))
    return bad_text


def _bad_text(link: object, value: str, problem: str) -> ManifestError:
    path, is_key = _render_path(link)
    if is_key:
        return _invalid(path, f"key `{_echo(value)}' {problem}")
    return _invalid(path, problem)


def _render_path(link: object) -> tuple[str, bool]:
    """``checks[0].envs.A`` for a path link; whether it designates a mapping key."""
    steps = []
    while link is not None:
        link, step = link  # type: ignore[misc]
        steps.append(step)
    steps.reverse()
    is_key = bool(steps) and steps[-1] is _KEY
    if is_key:
        steps.pop()
    parts: list[str] = []
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            name = _echo(step.value) if isinstance(step, yaml.ScalarNode) else "?"
            parts.append(f".{name}" if parts else name)
    path = "".join(parts) or "(root)"
    if len(path) > 3 * ECHO_LIMIT:
        path = path[:ECHO_LIMIT] + "…" + path[-2 * ECHO_LIMIT :]
    return path, is_key


# ------------------------------------------------------------------------ schema

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _reject_unknown_keys(mapping: dict, path: str, allowed: set[str]) -> None:
    for key in mapping:
        if key not in allowed:
            raise _invalid(path, f"unknown key `{_echo(key)}'")


def _mapping(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise _invalid(path, "must be a mapping")
    return value


def _list(value, path: str) -> list:
    if not isinstance(value, list):
        raise _invalid(path, "must be a list")
    return value


def _parse_coverage(value) -> int | None:
    if value is None:
        return None
    coverage = _mapping(value, "coverage")
    _reject_unknown_keys(coverage, "coverage", {"min_percent"})
    min_percent = coverage.get("min_percent")
    if min_percent is None:
        return None
    if isinstance(min_percent, bool) or not isinstance(min_percent, int) or not 0 <= min_percent <= 100:
        raise _invalid("coverage.min_percent", "must be an integer between 0 and 100")
    return min_percent


def _parse_exclude_paths(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _list(value, "exclude_paths")
    if len(items) > MAX_EXCLUDE_PATHS:
        raise _invalid("exclude_paths", f"at most {MAX_EXCLUDE_PATHS} patterns are allowed")
    patterns = []
    for index, pattern in enumerate(items):
        if not isinstance(pattern, str) or not pattern.strip():
            raise _invalid(f"exclude_paths[{index}]", "must be a non-empty string")
        if len(pattern) > MAX_EXCLUDE_PATH_LENGTH:
            raise _invalid(f"exclude_paths[{index}]", f"must be at most {MAX_EXCLUDE_PATH_LENGTH} characters")
        patterns.append(pattern)
    return tuple(patterns)


def _parse_defaults(value) -> tuple[dict[str, str], tuple[Mount, ...]]:
    if value is None:
        return {}, ()
    defaults = _mapping(value, "defaults")
    _reject_unknown_keys(defaults, "defaults", {"checks"})
    checks = defaults.get("checks")
    if checks is None:
        return {}, ()
    checks = _mapping(checks, "defaults.checks")
    _reject_unknown_keys(checks, "defaults.checks", {"envs", "mounts"})
    envs = _parse_envs(checks.get("envs"), "defaults.checks.envs")
    mounts = _parse_mounts(checks.get("mounts"), "defaults.checks.mounts", "in defaults")
    return envs, mounts


def _parse_envs(value, path: str) -> dict[str, str]:
    if value is None:
        return {}
    mapping = _mapping(value, path)
    if len(mapping) > MAX_ENVS_PER_CHECK:
        raise _invalid(path, f"at most {MAX_ENVS_PER_CHECK} environment variables are allowed")
    envs: dict[str, str] = {}
    for key, raw in mapping.items():
        if isinstance(key, str) and len(key) > MAX_ENV_NAME_LENGTH:
            raise _invalid(
                path, f"invalid environment variable name `{_echo(key)}' (longer than {MAX_ENV_NAME_LENGTH} characters)"
            )
        if not isinstance(key, str) or not _ENV_NAME.fullmatch(key):
            raise _invalid(path, f"invalid environment variable name `{_echo(key)}'")
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        elif isinstance(raw, int):
            try:
                text = str(raw)
            except ValueError:  # more digits than Python converts
                raise _invalid(f"{path}.{key}", "number is too large") from None
        elif isinstance(raw, (str, float)):
            text = str(raw)
        else:
            raise _invalid(f"{path}.{key}", "must be a string, number or boolean")
        if "\0" in text:
            raise _invalid(f"{path}.{key}", "must not contain NUL characters")
        if len(text) > MAX_ENV_VALUE_BYTES // 4 and _utf8_size(text) > MAX_ENV_VALUE_BYTES:
            raise _invalid(f"{path}.{key}", f"must be at most {MAX_ENV_VALUE_BYTES} bytes")
        envs[key] = text
    return envs


def _destination_key(destination: str) -> str:
    normalized = posixpath.normpath(destination)
    return "/" + normalized.lstrip("/")


def _destination_problem(destination: str) -> str | None:
    if not destination.startswith("/"):
        return "must be an absolute path"
    if len(destination) > MAX_DESTINATION_LENGTH:
        return f"must be at most {MAX_DESTINATION_LENGTH} characters"
    if _UNSAFE_CHARS.search(destination):
        return "must not contain control characters"
    body = destination[1:-1] if destination.endswith("/") else destination[1:]
    if not body:
        return "must not be the root directory"
    components = body.split("/")
    if "" in components:
        return "must not contain empty path components"
    if "." in components or ".." in components:
        return "must not contain `.' or `..' components"
    return None


def _parse_mounts(value, path: str, where: str) -> tuple[Mount, ...]:
    """Validate a list of mounts; ``where`` names the owner in duplicate messages."""
    if value is None:
        return ()
    items = _list(value, path)
    if len(items) > MAX_MOUNTS_PER_CHECK:
        raise _invalid(path, f"at most {MAX_MOUNTS_PER_CHECK} mounts are allowed")
    mounts: list[Mount] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        item = _mapping(item, item_path)
        _reject_unknown_keys(item, item_path, {"source", "destination"})
        for key in ("source", "destination"):
            if item.get(key) is None:
                raise _invalid(f"{item_path}.{key}", "required")
            if not isinstance(item[key], str):
                raise _invalid(f"{item_path}.{key}", "must be a string")
        source, destination = item["source"], item["destination"]
        problem = _destination_problem(destination)
        if problem is not None:
            raise _invalid(f"{item_path}.destination", problem)
        secret_name = source[len(SECRET_SOURCE_PREFIX) :]
        if (
            not source.startswith(SECRET_SOURCE_PREFIX)
            or len(secret_name) > MAX_SECRET_NAME_LENGTH
            or not _SECRET_NAME.fullmatch(secret_name)
        ):
            raise ManifestError.of(INVALID_MOUNT_SOURCE, f"Invalid mount source `{_echo(source)}'")
        key = _destination_key(destination)
        if key in seen:
            raise ManifestError.of(
                DUPLICATED_MOUNT_DESTINATION, f"Duplicated mount destination `{_echo(destination)}' {where}"
            )
        seen.add(key)
        mounts.append(Mount(secret_name=secret_name, destination=destination))
    return tuple(mounts)


def _env_sizes(envs: dict[str, str]) -> dict[str, int]:
    return {name: len(name) + _utf8_size(value) for name, value in envs.items()}


def _mount_size(mount: Mount) -> int:
    return len(SECRET_SOURCE_PREFIX) + len(mount.secret_name) + _utf8_size(mount.destination)


def _parse_checks(value, default_envs: dict[str, str], default_mounts: tuple[Mount, ...]) -> tuple[CheckSpec, ...]:
    if value is None:
        return ()
    items = _list(value, "checks")
    if len(items) > MAX_CHECKS:
        raise _invalid("checks", f"at most {MAX_CHECKS} checks are allowed")
    default_env_sizes = _env_sizes(default_envs)
    payload = 0
    checks: list[CheckSpec] = []
    names: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path = f"checks[{index}]"
        item = _mapping(item, item_path)
        _reject_unknown_keys(item, item_path, {"plugin", "envs", "mounts"})
        plugin = item.get("plugin")
        if plugin is None:
            raise _invalid(f"{item_path}.plugin", "required")
        if not isinstance(plugin, str):
            raise _invalid(f"{item_path}.plugin", "must be a string")
        if len(plugin) > MAX_PLUGIN_LENGTH:
            raise _invalid(
                f"{item_path}.plugin",
                f"invalid image reference `{_echo(plugin)}' (longer than {MAX_PLUGIN_LENGTH} characters)",
            )
        name = clean_plugin_name(plugin)
        if not name or not _valid_image_reference(plugin):
            raise _invalid(f"{item_path}.plugin", f"invalid image reference `{_echo(plugin)}'")
        if name in names:
            raise _invalid(
                f"{item_path}.plugin",
                f"duplicated plugin `{_echo(name)}' (already used by checks[{names[name]}])",
            )
        names[name] = index

        own_envs = _parse_envs(item.get("envs"), f"{item_path}.envs")
        envs = {**default_envs, **own_envs}
        if len(envs) > MAX_ENVS_PER_CHECK:
            raise _invalid(
                f"{item_path}.envs",
                f"at most {MAX_ENVS_PER_CHECK} environment variables are allowed per check (defaults included)",
            )
        own_mounts = _parse_mounts(item.get("mounts"), f"{item_path}.mounts", f"in check {_echo(plugin)}")
        taken = {_destination_key(m.destination) for m in own_mounts}
        mounts = own_mounts + tuple(m for m in default_mounts if _destination_key(m.destination) not in taken)
        if len(mounts) > MAX_MOUNTS_PER_CHECK:
            raise _invalid(
                f"{item_path}.mounts", f"at most {MAX_MOUNTS_PER_CHECK} mounts are allowed per check (defaults included)"
            )

        own_env_sizes = _env_sizes(own_envs)
        payload += sum(own_env_sizes.values())
        payload += sum(size for env, size in default_env_sizes.items() if env not in own_env_sizes)
        payload += sum(map(_mount_size, mounts))
        if payload > MAX_CHECKS_PAYLOAD_BYTES:
            raise _invalid(
                item_path,
                f"the checks' environment variables and mounts add up to more than {MAX_CHECKS_PAYLOAD_BYTES} bytes",
            )
        checks.append(CheckSpec(plugin=plugin, name=name, envs=envs, mounts=mounts))
    return tuple(checks)
