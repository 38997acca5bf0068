"""From ``git archive`` output to the stored tree, its deterministic tar and the tar's zstd."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from pathlib import Path

import zstandard

DEFAULT_ZSTD_LEVEL = 3
_CHUNK = 1024 * 1024


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


def extract_tree(archive: Path, dest: Path) -> list[tuple[str, str]]:
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


def write_tar(tar_path: Path, tree: Path, sha: str, entries: list[tuple[str, str]], mtime: int) -> None:
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


def compress(tar_path: Path, zst_path: Path, level: int) -> str:
    """Stream-compress the tar to zstd, hashing the output; return its sha256 hex."""
    cctx = zstandard.ZstdCompressor(level=level, write_checksum=True)
    size = tar_path.stat().st_size
    with open(tar_path, "rb") as src, open(zst_path, "wb") as dst:
        sink = _HashingWriter(dst)
        cctx.copy_stream(src, sink, size=size, read_size=_CHUNK, write_size=_CHUNK)
        dst.flush()
        os.fsync(dst.fileno())
    return sink.sha256.hexdigest()
