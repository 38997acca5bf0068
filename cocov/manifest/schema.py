"""Parsing and validation of the manifest text and file against the schema."""

from __future__ import annotations

import errno
import os
import posixpath
import re
import stat
from pathlib import Path

from cocov.manifest.errors import (
    _UNSAFE_CHARS,
    DUPLICATED_MOUNT_DESTINATION,
    INVALID_MOUNT_SOURCE,
    MISSING_VERSION,
    ROOT_MUST_BE_MAPPING,
    VERSION_TYPE_MISMATCH,
    VERSION_UNSUPPORTED,
    ManifestError,
    _echo,
    _invalid,
)
from cocov.manifest.images import _valid_image_reference, clean_plugin_name
from cocov.manifest.limits import (
    MANIFEST_FILENAME,
    MAX_CHECKS,
    MAX_CHECKS_PAYLOAD_BYTES,
    MAX_DESTINATION_LENGTH,
    MAX_ENV_NAME_LENGTH,
    MAX_ENV_VALUE_BYTES,
    MAX_ENVS_PER_CHECK,
    MAX_EXCLUDE_PATH_LENGTH,
    MAX_EXCLUDE_PATHS,
    MAX_MANIFEST_BYTES,
    MAX_MOUNTS_PER_CHECK,
    MAX_PLUGIN_LENGTH,
    MAX_SECRET_NAME_LENGTH,
    SECRET_SOURCE_PREFIX,
    SUPPORTED_VERSION,
)
from cocov.manifest.loading import _load_yaml
from cocov.manifest.model import CheckSpec, Manifest, Mount

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
