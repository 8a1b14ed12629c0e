"""Atomic file writes (a reader sees the old file or the new one, never half) and the user cache."""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def user_cache(name: str) -> Path:
    """A folder of this tool's cache for the user (`$XDG_CACHE_HOME/brochures/<name>`): things
    worth keeping between runs that are derived from inputs and safe to delete."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochures" / name


# The process's umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def read_cached(path: Path, kind: type[T]) -> T | None:
    """A value kept in the user cache by `write_cached`, if it is there, readable and of `kind`;
    a damaged or foreign file counts as none (the caller makes the value again)."""
    try:
        value = pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return None
    return value if isinstance(value, kind) else None


def write_cached(path: Path, value: object) -> None:
    """Keep a value in the user cache, atomically; a cache that cannot be written is no error."""
    with contextlib.suppress(OSError):
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


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
