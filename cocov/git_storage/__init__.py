"""Storage of single repository commits in the layout Cocov's Worker reads (`local.py` describes the
layout: the tree, its .tar, .tar.zst and .tar.zst.shasum under a hash of the repository name).

Only the requested commit is fetched, at depth 1.  The remote URL (which may
carry a token) is handed to git through ``GIT_CONFIG_*`` environment variables
as ``remote.origin.url``: it never appears on a command line (visible in ``ps``)
nor in a file on disk.  Error messages are scrubbed of credentials.

This package is pure Python: no Django, no database.  :class:`LocalGitStorage`
is the only implementation; an object storage one can follow the same
interface (``mode``, ``is_stored``, ``store_commit``, ...).

Layout (each module imports only from those listed before it): ``errors``
(CommitFetchError, InvalidSha, sha validation, credential scrubbing), ``urls``
(clone_url_for, credentials in URLs), ``model`` (StoredCommit), ``fetching``
(the GitPython fetch, its environment and config), ``archive`` (safe extraction of
``git archive`` output, the deterministic tar, the zstd and its hash), ``local``
(LocalGitStorage: layout, locking, store and remove), ``backends`` (git_storage(),
the storage chosen in settings).
"""

from cocov.git_storage.backends import git_storage
from cocov.git_storage.errors import CommitFetchError, InvalidSha, normalize_sha, scrub_credentials
from cocov.git_storage.local import LocalGitStorage
from cocov.git_storage.model import StoredCommit
from cocov.git_storage.urls import clone_url_for

__all__ = [
    "CommitFetchError",
    "InvalidSha",
    "LocalGitStorage",
    "StoredCommit",
    "clone_url_for",
    "git_storage",
    "normalize_sha",
    "scrub_credentials",
]
