"""Storage of single repository commits in the layout Cocov's Worker reads.

For a repository named ``name`` and a commit ``sha``, with ``h`` the SHA-1 hex
digest of ``name`` (repository names never form paths)::

    <base>/<h>/<sha>/                 the tree of the commit (no .git)
    <base>/<h>/<sha>.tar              a tar of that tree, entries under ``<sha>/``
    <base>/<h>/<sha>.tar.zst          that tar compressed with zstd
    <base>/<h>/<sha>.tar.zst.shasum   ``sha256:<hex digest of the .tar.zst>``
    <base>/<h>/<sha>.lock             lock file serialising work on that commit

The ``.shasum`` file is written last (atomically), so its presence means the
output is complete.  Work happens in a temporary directory under ``<base>/<h>/``
and results are moved into place; any failure removes the partial output and
raises :class:`CommitFetchError`.

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
