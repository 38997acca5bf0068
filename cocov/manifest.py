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
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
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


class ManifestError(Exception):
    """A manifest problem. ``kind`` is machine-readable, ``description`` is the
    short public message, ``extra`` an optional human explanation."""

    def __init__(self, kind: str, message: str, extra: str | None = None):
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
        return any(_compile_glob(pattern).fullmatch(path) for pattern in self.exclude_paths)

    def secret_names(self) -> set[str]:
        """Names of every secret mounted by some check (defaults included once merged)."""
        return {name for name in self._secret_names_in_order()}

    def require_secrets(self, known: Iterable[str]) -> None:
        """Raise ``manifest_unknown_secret`` for the first referenced secret (in manifest
        order) that is not in ``known``."""
        known = known if isinstance(known, (set, frozenset)) else set(known)
        for name in self._secret_names_in_order():
            if name not in known:
                raise ManifestError.of(UNKNOWN_SECRET, f"Unknown secret `{name}'")

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


# ------------------------------------------------------------------------- globs


def _normalize_relative_path(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


@lru_cache(maxsize=1024)
def _compile_glob(pattern: str) -> re.Pattern[str]:
    pattern = _normalize_relative_path(pattern)
    if pattern.endswith("/"):
        regex = _translate_glob(pattern.rstrip("/")) + "/.*"
    else:
        regex = _translate_glob(pattern)
    return re.compile(f"(?s:{regex})")


def _translate_glob(pat: str) -> str:
    """fnmatch-style translation where ``*``, ``?`` and ``[...]`` never match ``/``;
    ``**`` matches across directories and ``**/`` also matches zero directories."""
    out: list[str] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "*":
            j = i + 1
            while j < n and pat[j] == "*":
                j += 1
            if j - i == 1:
                out.append("[^/]*")
                i = j
            elif (i == 0 or pat[i - 1] == "/") and j < n and pat[j] == "/":
                out.append("(?:.*/)?")
                i = j + 1
            else:
                out.append(".*")
                i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pat[j] == "!":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            while j < n and pat[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
                i += 1
                continue
            body = pat[i + 1 : j]
            i = j + 1
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            parts: list[str] = []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    lo, hi = body[k], body[k + 2]
                    if lo <= hi:
                        parts.append(f"{re.escape(lo)}-{re.escape(hi)}")
                    k += 3
                else:
                    parts.append(re.escape(body[k]))
                    k += 1
            if negate:
                out.append(f"[^/{''.join(parts)}]")
            elif parts:
                out.append(f"(?!/)[{''.join(parts)}]")
            else:
                out.append("(?!)")
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# ------------------------------------------------------------------------ parser


def parse_manifest(text: str | bytes) -> Manifest:
    """Parse and validate manifest text. Raises :class:`ManifestError`."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MANIFEST_BYTES:
        raise _invalid(MANIFEST_FILENAME, f"file is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, UnicodeError, ValueError):
        raise ManifestError.of(ROOT_MUST_BE_MAPPING) from None
    if not isinstance(data, dict):
        raise ManifestError.of(ROOT_MUST_BE_MAPPING)

    version = data.get("version")
    if version is None:
        raise ManifestError.of(MISSING_VERSION)
    if not isinstance(version, str):
        raise ManifestError.of(VERSION_TYPE_MISMATCH)
    if version != SUPPORTED_VERSION:
        raise ManifestError.of(VERSION_UNSUPPORTED)

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


def _reject_unknown_keys(mapping: dict, path: str, allowed: set[str]) -> None:
    for key in mapping:
        if key not in allowed:
            raise _invalid(path, f"unknown key `{key}'")


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
    patterns = []
    for index, pattern in enumerate(_list(value, "exclude_paths")):
        if not isinstance(pattern, str) or not pattern.strip():
            raise _invalid(f"exclude_paths[{index}]", "must be a non-empty string")
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
    envs: dict[str, str] = {}
    for key, raw in _mapping(value, path).items():
        if not isinstance(key, str) or not key or "=" in key or "\0" in key:
            raise _invalid(path, f"invalid environment variable name `{key}'")
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        elif isinstance(raw, (str, int, float)):
            text = str(raw)
        else:
            raise _invalid(f"{path}.{key}", "must be a string, number or boolean")
        if "\0" in text:
            raise _invalid(f"{path}.{key}", "must not contain NUL characters")
        envs[key] = text
    return envs


def _destination_key(destination: str) -> str:
    normalized = posixpath.normpath(destination)
    return "/" + normalized.lstrip("/")


def _parse_mounts(value, path: str, where: str) -> tuple[Mount, ...]:
    """Validate a list of mounts; ``where`` names the owner in duplicate messages."""
    if value is None:
        return ()
    mounts: list[Mount] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(value, path)):
        item_path = f"{path}[{index}]"
        item = _mapping(item, item_path)
        _reject_unknown_keys(item, item_path, {"source", "destination"})
        for key in ("source", "destination"):
            if item.get(key) is None:
                raise _invalid(f"{item_path}.{key}", "required")
            if not isinstance(item[key], str):
                raise _invalid(f"{item_path}.{key}", "must be a string")
        source, destination = item["source"], item["destination"]
        if not destination.startswith("/") or "\0" in destination:
            raise _invalid(f"{item_path}.destination", "must be an absolute path")
        if not source.startswith(SECRET_SOURCE_PREFIX) or not source[len(SECRET_SOURCE_PREFIX) :]:
            raise ManifestError.of(INVALID_MOUNT_SOURCE, f"Invalid mount source `{source}'")
        key = _destination_key(destination)
        if key in seen:
            raise ManifestError.of(
                DUPLICATED_MOUNT_DESTINATION, f"Duplicated mount destination `{destination}' {where}"
            )
        seen.add(key)
        mounts.append(Mount(secret_name=source[len(SECRET_SOURCE_PREFIX) :], destination=destination))
    return tuple(mounts)


def _valid_image_reference(plugin: str) -> bool:
    # Refuse what can never be an image reference and could be misread by a CLI.
    return not plugin.startswith("-") and not any(ch.isspace() or not ch.isprintable() for ch in plugin)


def _parse_checks(value, default_envs: dict[str, str], default_mounts: tuple[Mount, ...]) -> tuple[CheckSpec, ...]:
    if value is None:
        return ()
    checks: list[CheckSpec] = []
    names: dict[str, int] = {}
    for index, item in enumerate(_list(value, "checks")):
        item_path = f"checks[{index}]"
        item = _mapping(item, item_path)
        _reject_unknown_keys(item, item_path, {"plugin", "envs", "mounts"})
        plugin = item.get("plugin")
        if plugin is None:
            raise _invalid(f"{item_path}.plugin", "required")
        if not isinstance(plugin, str):
            raise _invalid(f"{item_path}.plugin", "must be a string")
        name = clean_plugin_name(plugin)
        if not name or not _valid_image_reference(plugin):
            raise _invalid(f"{item_path}.plugin", f"invalid image reference `{plugin}'")
        if name in names:
            raise _invalid(
                f"{item_path}.plugin",
                f"duplicated plugin `{name}' (already used by checks[{names[name]}])",
            )
        names[name] = index

        envs = {**default_envs, **_parse_envs(item.get("envs"), f"{item_path}.envs")}
        own_mounts = _parse_mounts(item.get("mounts"), f"{item_path}.mounts", f"in check {plugin}")
        taken = {_destination_key(m.destination) for m in own_mounts}
        mounts = own_mounts + tuple(m for m in default_mounts if _destination_key(m.destination) not in taken)
        checks.append(CheckSpec(plugin=plugin, name=name, envs=envs, mounts=mounts))
    return tuple(checks)
