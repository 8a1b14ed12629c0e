"""Atomic file writes (a reader sees the old file or the new one, never half) and the user cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def user_cache(name: str) -> Path:
    """A folder of this tool's cache for the user (`$XDG_CACHE_HOME/brochures/<name>`): things
    worth keeping between runs that are derived from inputs and safe to delete."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochures" / name


# The process's umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`. The
    file gets the permissions a plain write would give it (readable by a web server), not the
    temporary file's owner-only ones."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
