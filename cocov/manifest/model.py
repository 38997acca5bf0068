"""The validated, immutable manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cocov.manifest.errors import UNKNOWN_SECRET, ManifestError, _echo
from cocov.manifest.globs import _compile_glob, _normalize_relative_path
from cocov.manifest.limits import SECRET_SOURCE_PREFIX



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
