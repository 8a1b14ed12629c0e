"""Atomic file writes (a reader sees the old file or the new one, never half) and the user cache."""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
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
    if not isinstance(value, kind):
        return None
    used(path)
    return value


def write_cached(path: Path, value: object) -> None:
    """Keep a value in the user cache, atomically; a cache that cannot be written is no error.
    Entries of the same folder that were not used for CACHE_DAYS are removed meanwhile."""
    with contextlib.suppress(OSError):
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        prune_cache(path.parent)


# Every distinct input leaves an entry in the user cache (each edit of the concept, each test
# project's paths), so entries no build used for this long are removed. An entry's modification
# time is its last use: a hit touches it.
CACHE_DAYS = 30
PRUNE_EVERY = 24 * 3600  # seconds: a folder is looked through at most once a day


def used(path: Path) -> None:
    """Mark a cache entry as used now (it is kept by prune_cache)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune_cache(folder: Path, now: float | None = None) -> None:
    """Remove the entries of a user-cache folder not used for CACHE_DAYS, at most once a day
    (a marker beside the folder records when); anything that cannot be removed stays."""
    now = time.time() if now is None else now
    marker = folder.parent / f".{folder.name}.pruned"
    try:
        if now - marker.stat().st_mtime < PRUNE_EVERY:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    with contextlib.suppress(OSError):
        marker.touch()
        for entry in folder.iterdir():
            with contextlib.suppress(OSError):
                if entry.is_file() and now - entry.stat().st_mtime > CACHE_DAYS * 24 * 3600:
                    entry.unlink()


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
