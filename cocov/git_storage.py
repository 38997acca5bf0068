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

This module is pure Python: no Django, no database.  :class:`LocalGitStorage`
is the only implementation; an object storage one can follow the same
interface (``mode``, ``is_stored``, ``store_commit``, ...).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import re
import shutil
import stat
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import git
import zstandard

logger = logging.getLogger(__name__)

DEFAULT_FETCH_TIMEOUT = 300  # seconds
DEFAULT_ZSTD_LEVEL = 3
_CHUNK = 1024 * 1024

_SHA_RE = re.compile(r"\A(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\Z")
# scheme://userinfo@ -> scheme://***@
_URL_USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@'\"]+@")

# Attributes that would make the extracted tree differ from the commit's blobs
# (export-ignore, export-subst, eol conversion, ident, smudge filters such as
# LFS, re-encoding).  $GIT_DIR/info/attributes has the highest precedence, so
# these override any .gitattributes inside the repository.
_RAW_TREE_ATTRIBUTES = "* -export-ignore -export-subst -text -eol -ident -filter -working-tree-encoding\n"


class CommitFetchError(Exception):
    """A commit could not be fetched or stored.  The message never contains credentials."""


class InvalidSha(ValueError):
    """The given commit id is not 40 or 64 hexadecimal characters."""


@dataclass(frozen=True)
class StoredCommit:
    path: Path  # the <sha>/ tree directory
    size: int  # bytes of tree files + tar + tar.zst + shasum


def normalize_sha(sha: object) -> str:
    """Return ``sha`` lowercased, or raise :class:`InvalidSha`."""
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise InvalidSha(f"Invalid commit sha: {sha!r}"[:200])
    return sha.lower()


def scrub_credentials(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Replace the given secrets and any ``user:pass@`` part of URLs by ``***``."""
    for secret in secrets:
        if secret:
            variants = {secret, quote(secret, safe=""), base64.b64encode(f"x-access-token:{secret}".encode()).decode()}
            for variant in sorted(variants, key=len, reverse=True):
                text = text.replace(variant, "***")
    return _URL_USERINFO_RE.sub(r"\g<scheme>***@", text)


def _url_password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        return parts.password or parts.username
    except ValueError:
        return None


def _is_http_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def clone_url_for(git_base_url: str, org: str, repo_name: str, token: str | None = None) -> str:
    """``{base}/{org}/{repo}.git``.

    With a token and an http(s) base the token is embedded as
    ``x-access-token:TOKEN@host`` (GitHub's convention for app/installation
    tokens; the base's scheme, port and path prefix are kept).  ``file://``
    bases, local paths and other schemes never take a token.
    """
    base = git_base_url.rstrip("/")
    url = f"{base}/{org}/{repo_name}.git"
    if not token or not _is_http_url(base):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"x-access-token:{quote(token, safe='')}@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _git_reason(exc: BaseException) -> str:
    """git's own explanation of a failure (its stderr), else the exception text."""
    if isinstance(exc, git.GitCommandError):
        stderr = (exc.stderr or "").strip()
        if stderr.startswith("stderr: '") and stderr.endswith("'"):
            stderr = stderr[len("stderr: '") : -1]
        stderr = stderr.strip()
        if stderr:
            return " ".join(line.strip() for line in stderr.splitlines() if line.strip())
        return f"git {exc.command[1] if len(exc.command) > 1 else ''} exited with status {exc.status}".strip()
    return str(exc) or type(exc).__name__


class _HashingWriter:
    """File-like sink that hashes and counts what goes through it."""

    def __init__(self, fh):
        self._fh = fh
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self._fh.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._fh.flush()


def _remove_path(path: Path) -> None:
    """Remove a file, symlink or directory tree if present."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path, ignore_errors=False)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class LocalGitStorage:
    """Stores commits on the local filesystem under ``base_path``."""

    mode = "local"

    def __init__(
        self,
        base_path: Path,
        *,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        zstd_level: int = DEFAULT_ZSTD_LEVEL,
    ):
        self.base_path = Path(base_path)
        self.fetch_timeout = fetch_timeout
        self.zstd_level = zstd_level

    # ----------------------------------------------------------------- paths

    def repository_dir(self, repo_name: str) -> Path:
        if not isinstance(repo_name, str) or not repo_name:
            raise ValueError("Repository name must be a non-empty string")
        return self.base_path / hashlib.sha1(repo_name.encode("utf-8")).hexdigest()

    def commit_path(self, repo_name: str, sha: str) -> Path:
        sha = normalize_sha(sha)
        return self.repository_dir(repo_name) / sha

    def _paths(self, repo_name: str, sha: str) -> dict[str, Path]:
        sha = normalize_sha(sha)
        repo_dir = self.repository_dir(repo_name)
        return {
            "tree": repo_dir / sha,
            "tar": repo_dir / f"{sha}.tar",
            "zst": repo_dir / f"{sha}.tar.zst",
            "shasum": repo_dir / f"{sha}.tar.zst.shasum",
            "lock": repo_dir / f"{sha}.lock",
        }

    # ----------------------------------------------------------------- queries

    def is_stored(self, repo_name: str, sha: str) -> bool:
        p = self._paths(repo_name, sha)
        try:
            return (
                stat.S_ISREG(p["shasum"].lstat().st_mode)
                and stat.S_ISDIR(p["tree"].lstat().st_mode)
                and stat.S_ISREG(p["tar"].lstat().st_mode)
                and stat.S_ISREG(p["zst"].lstat().st_mode)
            )
        except FileNotFoundError:
            return False

    def stored_commit(self, repo_name: str, sha: str) -> StoredCommit:
        """The :class:`StoredCommit` of a completely stored commit (FileNotFoundError otherwise)."""
        sha = normalize_sha(sha)
        if not self.is_stored(repo_name, sha):
            raise FileNotFoundError(f"Commit {sha} of {repo_name} is not stored")
        return StoredCommit(path=self.commit_path(repo_name, sha), size=self.stored_size(repo_name, sha))

    def stored_size(self, repo_name: str, sha: str) -> int:
        """Bytes of whatever output exists for the commit: tree files (regular
        files, plus symlinks counted as the length of their target, i.e. the
        size of their blob), the tar, the .tar.zst and the shasum file."""
        p = self._paths(repo_name, sha)
        total = 0
        tree = p["tree"]
        if tree.is_dir() and not tree.is_symlink():
            for root, dirs, files in os.walk(tree):
                for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                    st = os.lstat(os.path.join(root, name))
                    if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                        total += st.st_size
        for key in ("tar", "zst", "shasum"):
            try:
                total += p[key].lstat().st_size
            except FileNotFoundError:
                pass
        return total

    # ----------------------------------------------------------------- locking

    @contextmanager
    def _locked(self, lock_path: Path) -> Iterator[Callable[[], bool]]:
        """Exclusive flock on ``lock_path`` (threads and processes).

        The lock file may be unlinked by its holder (remove_commit, failed
        store), so after acquiring it we check the path still names the file we
        locked, and retry otherwise.  Yields a ``still_held()`` callable telling
        whether the path still names our lock (remove_repository may have
        removed it meanwhile).
        """
        while True:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except FileNotFoundError:  # directory removed meanwhile
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if self._names_fd(lock_path, fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # stale lock file: try again
        try:
            yield lambda: self._names_fd(lock_path, fd)
        finally:
            os.close(fd)  # releases the flock

    @staticmethod
    def _names_fd(path: Path, fd: int) -> bool:
        try:
            current = os.stat(path)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)

    # ----------------------------------------------------------------- removal

    def _remove_outputs(self, p: dict[str, Path], sha: str) -> None:
        # shasum first: output must stop looking complete before anything else goes.
        for key in ("shasum", "zst", "tar", "tree"):
            _remove_path(p[key])
        repo_dir = p["tree"].parent
        if repo_dir.is_dir():
            for leftover in repo_dir.glob(f".tmp-{sha}-*"):
                _remove_path(leftover)
            for leftover in repo_dir.glob(f".{sha}.tar.zst.shasum.*"):
                _remove_path(leftover)

    def remove_commit(self, repo_name: str, sha: str) -> None:
        sha = normalize_sha(sha)
        p = self._paths(repo_name, sha)
        if not p["tree"].parent.is_dir():
            return
        with self._locked(p["lock"]):
            self._remove_outputs(p, sha)
            _remove_path(p["lock"])

    def remove_repository(self, repo_name: str) -> None:
        """Remove everything stored for a repository.  A store running
        concurrently for that repository will fail (and clean up after itself)."""
        repo_dir = self.repository_dir(repo_name)
        if repo_dir.is_dir():
            shutil.rmtree(repo_dir, ignore_errors=True)
            _remove_path(repo_dir)  # raises if something could not be removed

    # ----------------------------------------------------------------- storing

    def store_commit(self, repo_name: str, sha: str, clone_url: str, token: str | None = None) -> StoredCommit:
        """Fetch ``sha`` of ``clone_url`` (depth 1) and store it; no-op if already stored.

        ``token``, when given, is scrubbed from error messages; and if
        ``clone_url`` is http(s) without credentials of its own, it is sent as
        ``Authorization: Basic x-access-token:TOKEN`` (via ``http.extraHeader``
        in the environment, so it never shows on a command line).
        """
        sha = normalize_sha(sha)
        p = self._paths(repo_name, sha)
        if self.is_stored(repo_name, sha):
            return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))

        secrets = (token, _url_password(clone_url))
        with self._locked(p["lock"]) as still_held:
            if self.is_stored(repo_name, sha):
                return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))
            self._remove_outputs(p, sha)  # leftovers from a crash
            try:
                self._store_locked(repo_name, sha, p, clone_url, token, secrets)
            except BaseException as exc:
                try:
                    if still_held():  # else the outputs are no longer ours to remove
                        self._remove_outputs(p, sha)
                        _remove_path(p["lock"])  # we still hold it; waiters will retry
                except OSError:
                    logger.exception("Could not clean up after failing to store %s of %s", sha, repo_name)
                if isinstance(exc, CommitFetchError):
                    raise
                if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit...
                    raise
                message = scrub_credentials(
                    f"Could not store commit {sha} of {repo_name}: {_git_reason(exc)}", secrets
                )
                raise CommitFetchError(message) from None
        return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))

    def _store_locked(self, repo_name, sha, p, clone_url, token, secrets) -> None:
        repo_dir = p["tree"].parent
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{sha}-", dir=repo_dir))
        try:
            git_dir = work / "repo"
            init_kwargs = {"object_format": "sha256"} if len(sha) == 64 else {}
            repo = git.Repo.init(git_dir, bare=True, **init_kwargs)
            try:
                (git_dir / "info").mkdir(exist_ok=True)
                (git_dir / "info" / "attributes").write_text(_RAW_TREE_ATTRIBUTES)
                logger.info("Fetching commit %s of %s from %s", sha, repo_name, scrub_credentials(clone_url, secrets))
                try:
                    self._fetch(repo, sha, clone_url, token)
                    kind = repo.git.cat_file("-t", sha)
                except git.GitCommandError as exc:
                    raise CommitFetchError(
                        scrub_credentials(f"Could not fetch commit {sha} of {repo_name}: {_git_reason(exc)}", secrets)
                    ) from None
                if kind != "commit":
                    raise CommitFetchError(f"Could not fetch commit {sha} of {repo_name}: object is a {kind}, not a commit")
                commit_time = int(repo.git.show("-s", "--format=%ct", sha, kill_after_timeout=self.fetch_timeout))
                archive = work / "archive.tar"
                with open(archive, "wb") as fh:
                    repo.git.archive("--format=tar", sha, output_stream=fh, kill_after_timeout=self.fetch_timeout)
            finally:
                repo.close()
            _remove_path(git_dir)

            tree = work / sha
            entries = self._extract_tree(archive, tree)
            archive.unlink()
            tar_path = work / f"{sha}.tar"
            self._write_tar(tar_path, tree, sha, entries, commit_time)
            zst_path = work / f"{sha}.tar.zst"
            digest = self._compress(tar_path, zst_path)

            # Move into place; the shasum file last, atomically.
            os.replace(tree, p["tree"])
            os.replace(tar_path, p["tar"])
            os.replace(zst_path, p["zst"])
            _fsync_dir(repo_dir)
            fd, tmp_shasum = tempfile.mkstemp(prefix=f".{sha}.tar.zst.shasum.", dir=repo_dir)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(f"sha256:{digest}")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp_shasum, 0o644)
                os.replace(tmp_shasum, p["shasum"])
            except BaseException:
                _remove_path(Path(tmp_shasum))
                raise
            _fsync_dir(repo_dir)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _git_env(self, clone_url: str, token: str | None) -> dict[str, str]:
        config = [
            ("remote.origin.url", clone_url),
            # Protocol v2 lets a file:// (or local path) remote serve any sha by
            # id without uploadpack.allowAnySHA1InWant; v0 refuses unadvertised
            # objects.  It is git's default since 2.26, set explicitly in case a
            # global config says otherwise.  GitHub serves reachable shas.
            ("protocol.version", "2"),
        ]
        if token and _is_http_url(clone_url) and _url_password(clone_url) is None:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            config.append(("http.extraHeader", f"Authorization: Basic {basic}"))
        env = {
            "GIT_TERMINAL_PROMPT": "0",  # fail on bad credentials instead of prompting
            "GIT_ASKPASS": "",  # empty: no askpass program either (not even core.askPass/SSH_ASKPASS)
        }
        start = 0
        try:
            start = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
        except ValueError:
            start = 0
        for i, (key, value) in enumerate(config, start=start):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        env["GIT_CONFIG_COUNT"] = str(start + len(config))
        return env

    def _fetch(self, repo: git.Repo, sha: str, clone_url: str, token: str | None) -> None:
        """Fetch exactly ``sha`` at depth 1 into ``repo`` (hook for tests)."""
        repo.git.fetch(
            *self.fetch_args(sha),
            env=self._git_env(clone_url, token),
            kill_after_timeout=self.fetch_timeout,
        )

    @staticmethod
    def fetch_args(sha: str) -> list[str]:
        return ["--depth", "1", "--no-tags", "--no-recurse-submodules", "--no-auto-gc", "origin", normalize_sha(sha)]

    # ----------------------------------------------------------------- tree / tar / zst

    @staticmethod
    def _extract_tree(archive: Path, dest: Path) -> list[tuple[str, str]]:
        """Extract ``git archive``'s tar into ``dest``; return (relpath, kind) entries.

        Only directories, regular files and symlinks are accepted; names are
        checked (no absolute paths, ``..``, ``.git``) and every parent must be a
        directory created here, so nothing is written outside ``dest`` nor
        through a symlink.  Symlinks are created as-is (never followed).
        """
        dest.mkdir()
        dirs = {""}
        entries: list[tuple[str, str]] = []
        with tarfile.open(archive, "r:") as tf:
            for member in tf:
                name = member.name.rstrip("/")
                parts = name.split("/")
                if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
                    raise ValueError(f"unsafe path in tree: {member.name!r}")
                if any(part.lower() == ".git" for part in parts):
                    continue
                parent = "/".join(parts[:-1])
                if parent not in dirs:
                    raise ValueError(f"tree entry without parent directory: {member.name!r}")
                target = dest / name
                if member.isdir():
                    target.mkdir()
                    dirs.add(name)
                    entries.append((name, "dir"))
                elif member.issym():
                    os.symlink(member.linkname, target)
                    entries.append((name, "symlink"))
                elif member.isreg():
                    executable = bool(member.mode & 0o100)
                    fd = os.open(
                        target,
                        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                        0o777 if executable else 0o666,
                    )
                    with os.fdopen(fd, "wb") as out:
                        src = tf.extractfile(member)
                        shutil.copyfileobj(src, out, _CHUNK)
                    entries.append((name, "file"))
                else:
                    raise ValueError(f"unsupported tree entry type for {member.name!r}")
        return entries

    @staticmethod
    def _write_tar(tar_path: Path, tree: Path, sha: str, entries: list[tuple[str, str]], mtime: int) -> None:
        """Deterministic tar of ``tree``: entries under ``<sha>/`` sorted by path,
        owner 0:0, mtime of the commit, modes 0755/0644 (symlinks 0777)."""

        def info(name: str, kind: str) -> tarfile.TarInfo:
            ti = tarfile.TarInfo(name)
            ti.mtime = mtime
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            ti.type = tarfile.DIRTYPE if kind == "dir" else tarfile.REGTYPE
            ti.mode = 0o755
            return ti

        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tf:
            tf.addfile(info(sha, "dir"))
            for rel, kind in sorted(entries, key=lambda e: e[0].split("/")):
                path = tree / rel
                ti = info(f"{sha}/{rel}", kind)
                if kind == "dir":
                    tf.addfile(ti)
                elif kind == "symlink":
                    ti.type = tarfile.SYMTYPE
                    ti.linkname = os.readlink(path)
                    ti.mode = 0o777
                    tf.addfile(ti)
                else:
                    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                    with os.fdopen(fd, "rb") as src:
                        st = os.fstat(src.fileno())
                        ti.size = st.st_size
                        ti.mode = 0o755 if st.st_mode & 0o100 else 0o644
                        tf.addfile(ti, src)

    def _compress(self, tar_path: Path, zst_path: Path) -> str:
        """Stream-compress the tar to zstd, hashing the output; return its sha256 hex."""
        cctx = zstandard.ZstdCompressor(level=self.zstd_level, write_checksum=True)
        size = tar_path.stat().st_size
        with open(tar_path, "rb") as src, open(zst_path, "wb") as dst:
            sink = _HashingWriter(dst)
            cctx.copy_stream(src, sink, size=size, read_size=_CHUNK, write_size=_CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        return sink.sha256.hexdigest()


def git_storage() -> LocalGitStorage:
    """The storage configured in Django settings (``COCOV_GIT_SERVICE_STORAGE_MODE``,
    ``COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH``).

    Django is imported here, lazily, so the rest of this module stays usable
    (and testable) without Django.
    """
    from django.conf import settings

    mode = getattr(settings, "COCOV_GIT_SERVICE_STORAGE_MODE", "local")
    if mode != LocalGitStorage.mode:
        raise ValueError(f"Unsupported git storage mode: {mode!r}")
    return LocalGitStorage(Path(settings.COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH))


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
