"""The storage chosen in Django settings."""

from __future__ import annotations

from pathlib import Path

from cocov.git_storage.local import LocalGitStorage


def git_storage() -> LocalGitStorage:
    """The storage configured in Django settings (``COCOV_GIT_SERVICE_STORAGE_MODE``,
    ``COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH``).

    Django is imported here, lazily, so the rest of this package stays usable
    (and testable) without Django.
    """
    from django.conf import settings

    mode = getattr(settings, "COCOV_GIT_SERVICE_STORAGE_MODE", "local")
    if mode != LocalGitStorage.mode:
        raise ValueError(f"Unsupported git storage mode: {mode!r}")
    return LocalGitStorage(Path(settings.COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH))
