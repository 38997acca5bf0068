"""What a storage returns for a stored commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredCommit:
    path: Path  # the <sha>/ tree directory
    size: int  # bytes of tree files + tar + tar.zst + shasum
