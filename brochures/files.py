"""Atomic file writes (a reader sees the old file or the new one, never half) and the user cache."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import marshal
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from brochures.errors import BrochuresError, Problem

T = TypeVar("T")


def user_cache(name: str) -> Path:
    """A folder of this tool's cache for the user (`$XDG_CACHE_HOME/brochures/<name>`): things
    worth keeping between runs that are derived from inputs and safe to delete."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochures" / name


# The process's umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)

# Cache entries are JSON: reading one can never run code (a pickle can), whoever wrote it.
CACHE_SUFFIX = ".json"


def cache_folder_trusted(folder: Path) -> bool:
    """Whether a user-cache folder may be used: it and the tool's folder above it are real
    folders owned by this user and writable by nobody else (a shared XDG_CACHE_HOME, a CI cache
    restored from someone's pull request). Missing folders are made owner-only. Told once."""
    key = str(folder)
    if key not in _TRUSTED:
        _TRUSTED[key] = _check_trusted(folder)
    return _TRUSTED[key]


_TRUSTED: dict[str, bool] = {}


def _check_trusted(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
    for each in (folder.parent, folder):
        try:
            each.mkdir(mode=0o700, exist_ok=True)
            info = each.lstat()
        except OSError:
            return False
        if (
            not stat.S_ISDIR(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            print(
                f"warning: user cache {each} is not used: it must be a folder owned by you "
                "and writable by nobody else",
                file=sys.stderr,
            )
            return False
    return True


def read_cached(path: Path, decode: Callable[[Any], T]) -> T | None:
    """A value kept in the user cache by `write_cached`: its JSON (after a line with its
    digest), turned into the value by `decode`. A missing, damaged or foreign entry (bad JSON,
    a wrong digest, or `decode` raises) counts as none: the caller makes the value again.
    Nothing is read from a folder others could write."""
    if not cache_folder_trusted(path.parent):
        return None
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            digest, _, text = handle.read().partition(b"\n")
            if digest.decode("ascii") != _digest(path, text):
                return None  # damaged, or an entry of another name
            value = decode(json.loads(text))
    except Exception:  # any damage is a miss, never an error
        return None
    used(path)
    return value


def _digest(path: Path, text: bytes) -> str:
    """The check line of a cache entry: SHA-256 over its name and JSON text (a flipped bit or an
    entry copied under another name is a miss)."""
    return hashlib.sha256(path.name.encode() + b"\0" + text).hexdigest()


def write_cached(path: Path, data: object) -> None:
    """Keep plain data (JSON: dicts, lists, strings, numbers) in the user cache, atomically; a
    cache that cannot be written is no error. Entries of the same folder that were not used for
    CACHE_DAYS are removed meanwhile."""
    if not cache_folder_trusted(path.parent):
        return
    with contextlib.suppress(OSError, ValueError, TypeError):
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomic(path, f"{_digest(path, text)}\n".encode() + text, mode=0o600)
        prune_cache(path.parent)


def read_signed(path: Path, kind: type[T]) -> T | None:
    """A large value kept by `write_signed` (marshal: 10x quicker to load than JSON, for
    Pyphen's 66,000 German patterns 0.03 s against 0.8 s), if its HMAC-SHA256 with the user's
    secret verifies: marshal is only ever run on bytes this user's tool wrote. Else none."""
    secret = cache_secret()
    if secret is None or not cache_folder_trusted(path.parent):
        return None
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            raw = handle.read()
    except OSError:
        return None
    mac, data = raw[:32], raw[32:]
    expected = hmac.new(secret, path.name.encode() + b"\0" + data, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        return None  # damaged, or not written by this user's tool
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError):  # another Python's marshal format
        return None
    if not isinstance(value, kind):
        return None
    used(path)
    return value


def write_signed(path: Path, value: object) -> None:
    """Keep plain data (dicts, lists, tuples, strings, numbers) for `read_signed`: marshalled,
    with an HMAC over its name and bytes. Without a secret nothing is kept."""
    secret = cache_secret()
    if secret is None or not cache_folder_trusted(path.parent):
        return
    with contextlib.suppress(OSError, ValueError):
        data = marshal.dumps(value)
        mac = hmac.new(secret, path.name.encode() + b"\0" + data, hashlib.sha256).digest()
        write_atomic(path, mac + data, mode=0o600)
        prune_cache(path.parent)


def cache_secret() -> bytes | None:
    """A per-user secret that authenticates cache entries which are code by nature (Jinja2's
    compiled templates): 32 random bytes in `$XDG_STATE_HOME/brochures/cache.key`, outside the
    cache folder (a restored or shared cache does not bring it along), owner-only. None when it
    cannot be made or is not safe: such entries are then not cached at all."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    path = Path(base) / "brochures" / "cache.key"
    if str(path) not in _SECRET:
        _SECRET[str(path)] = _read_or_make_secret(path)
    return _SECRET[str(path)]


_SECRET: dict[str, bytes | None] = {}


def _read_or_make_secret(path: Path) -> bytes | None:
    folder = path.parent
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder)  # owner-only
            try:
                os.write(fd, os.urandom(32))
                os.fsync(fd)
                os.close(fd)
                with contextlib.suppress(FileExistsError):  # another process made one first
                    os.link(tmp, path)
            finally:
                os.unlink(tmp)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            info = os.fstat(fd)
            secret = os.read(fd, 64)
        finally:
            os.close(fd)
    except OSError:
        return None
    if (
        not stat.S_ISREG(info.st_mode)
        or info.st_uid != os.geteuid()
        or info.st_mode & 0o077
        or len(secret) != 32
    ):
        return None
    return secret


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


def write_atomic(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`. The
    file gets the permissions a plain write would give it (readable by a web server), not the
    temporary file's owner-only ones."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            exc.filename = str(path)  # the file meant, not its temporary twin
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# ---- project files: inside the project, regular, bounded ----

# Folders outside a project that its files may name or link to: colour profiles (the print
# profile in project.yaml) and fonts. The packaged default templates are added by the caller.
SYSTEM_FOLDERS = (
    Path("/usr/share/color"),
    Path("/usr/local/share/color"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)
PROJECT_FOLDERS = ("source", "templates", "locales", "build")


def inside(path: Path | str, folders: Iterable[Path | str]) -> bool:
    """Whether `path` (resolved: every link followed) lies in one of `folders` (compared as
    strings of real paths: Path.resolve made this a tenth of a no-op build's template work)."""
    real = os.path.realpath(path)
    for folder in folders:
        base = _real_folder(str(folder))
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def links_leaving(
    root: Path, names: Iterable[str] = PROJECT_FOLDERS, allowed: Iterable[Path] = ()
) -> list[Problem]:
    """Every symbolic link in the project's folders (`names`, themselves included) whose target
    lies outside the project and outside `allowed` folders: a template linked to /etc/passwd, a
    build/thumbs linked elsewhere, a catalog folder linked out. Links that stay inside are
    followed and their targets looked through as well. (os.scandir: the file type comes with
    the listing, so a project of a few hundred files takes about a millisecond.)"""
    root = root.resolve()
    folders = [str(root), *(str(a.resolve()) for a in allowed)]
    problems: list[Problem] = []
    seen: set[str] = set()

    def leaves(target: str) -> bool:
        return not any(target == f or target.startswith(f + os.sep) for f in folders)

    def link(path: str) -> None:
        target = os.path.realpath(path)
        if leaves(target):
            shown = os.path.relpath(path, root) if path.startswith(str(root) + os.sep) else path
            problems.append(
                Problem(
                    shown,
                    None,
                    f"is a symbolic link to {target}, outside the project "
                    "(links in a project must stay inside it)",
                )
            )
        elif os.path.isdir(target):
            walk(target)

    def walk(folder: str) -> None:
        if folder in seen:
            return
        seen.add(folder)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_symlink():
                    link(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path)
            except OSError:
                continue

    for name in names:
        top = os.path.join(root, name)
        if os.path.islink(top):
            link(top)
        elif os.path.isdir(top):
            walk(top)
    return sorted(problems, key=str)


MiB = 1024 * 1024
MAX_YAML_BYTES = 2 * MiB  # a source file (ruamel.yaml parses about 0.1 MB/s in pure Python)
MAX_CATALOG_BYTES = 10 * MiB  # a gettext catalog
MAX_TEMPLATE_BYTES = 1 * MiB  # a template


class InputFileError(BrochuresError):
    """A project file that cannot be read as one: missing, a folder, a pipe, too large."""


def read_input(path: Path, display: str, limit: int) -> bytes:
    """The bytes of a project file, read only if it is a regular file of at most `limit` bytes
    (a FIFO would block forever, a device never end); anything else is an InputFileError."""

    def fail(message: str) -> InputFileError:
        return InputFileError(Problem(display, None, message))

    try:
        # O_NONBLOCK: opening a FIFO without a writer does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise fail("file not found") from None
    except PermissionError:
        raise fail("cannot be read: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail("is a folder, expected a file")
        raise fail("is not a regular file (a pipe, socket or device); refused")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise fail(
                f"is {info.st_size / MiB:.1f} MB; files of this kind are limited to "
                f"{limit / MiB:.0f} MB"
            )
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise fail(f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:
        raise fail(f"is larger than {limit / MiB:.0f} MB; files of this kind are limited to that")
    return data


# ---- room to write: checked before any job ----

MIN_FREE_BYTES = 20 * MiB  # a build always wants this much free on the disk of build/
FREE_PER_PDF = 2 * MiB  # and this much per PDF it writes (temporary file, thumbnail, pages)


def existing_ancestor(path: Path) -> Path:
    """`path`, or the nearest folder above it that exists (where it would be created)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def write_problem(folder: Path, display: str, pdfs: int = 0) -> Problem | None:
    """Why `folder` (made if missing) cannot take this build's output, found without writing:
    a read-only file system or no permission, or less free space than MIN_FREE_BYTES plus
    FREE_PER_PDF per PDF. None if it can."""
    where = existing_ancestor(folder)
    try:
        read_only = bool(os.statvfs(where).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if read_only:
        return Problem(display, None, "cannot be written: the file system is read-only")
    if not os.access(where, os.W_OK | os.X_OK):
        return Problem(display, None, "cannot be written: permission denied")
    need = MIN_FREE_BYTES + FREE_PER_PDF * pdfs
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return None
    if free < need:
        return Problem(
            display,
            None,
            f"only {free / MiB:.0f} MB free on its disk; this build needs about "
            f"{need / MiB:.0f} MB (free some space and build again)",
        )
    return None


# ---- locks: one writer at a time for build/ and for each catalog ----

LOCK_WAIT = 60.0  # seconds a second writer waits before it gives up (exit status 2)


class Locked(BrochuresError):
    """Another process holds the lock on what this command would write."""


_HELD: dict[str, int] = {}  # folders a thread holds locked, with how often (locks nest)


@contextlib.contextmanager
def locked(
    folder: Path,
    what: str,
    wait: float | None = None,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (`flock` on the folder itself: no lock file is written,
    so a command that stops with an input error leaves nothing behind) while the block writes
    `what`. If another process holds it, say so once (`waiting`, default stderr), wait up to
    `wait` seconds, then raise `Locked` naming that process. The lock ends with the block or
    with the process (also when it is killed); nesting in one process is allowed."""
    wait = LOCK_WAIT if wait is None else wait
    # per thread: the review server saves from several threads, which must exclude each other
    key = f"{threading.get_ident()}:{os.path.realpath(folder)}"
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise Locked(Problem(folder, None, f"cannot lock {what}: {exc.strerror}")) from None
    try:
        deadline = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = lock_holder(fd)
                if deadline is None:
                    deadline = time.monotonic() + wait
                    say = waiting or (lambda text: print(text, file=sys.stderr, flush=True))
                    say(f"{what} is in use by {holder}; waiting up to {wait:.0f} s")
                if time.monotonic() >= deadline:
                    raise Locked(
                        Problem(
                            None,
                            None,
                            f"{what} is in use by {holder} (waited {wait:.0f} s); "
                            "try again when it has finished",
                        )
                    ) from None
                time.sleep(0.1)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
    finally:
        os.close(fd)  # releases the lock


def lock_holder(fd: int) -> str:
    """Which process holds the flock on the file of `fd` ("process 1234"), from /proc/locks."""
    info = os.fstat(fd)
    try:
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return "another process"
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":
            continue  # a waiter, or another kind of lock
        try:
            major, minor, inode = fields[5].split(":")
            pid = int(fields[4])
            same = (int(major, 16), int(minor, 16), int(inode)) == (
                os.major(info.st_dev),
                os.minor(info.st_dev),
                info.st_ino,
            )
        except ValueError:
            continue
        if same and pid != os.getpid():
            return f"process {pid}"
    return "another process"


def build_lock(root: Path, wait: float | None = None) -> contextlib.AbstractContextManager:
    """The lock every command that writes a project's build/ holds (build, impose, proof)."""
    return locked(root, f"{root / 'build'}/", wait)


def catalog_lock(catalog: Path, wait: float | None = None) -> contextlib.AbstractContextManager:
    """The lock every writer of one catalog holds while it reads, changes and writes it (catalog
    update and import, translate, review saves). Locks the catalog's folder (made if missing)."""
    with contextlib.suppress(OSError):
        catalog.parent.mkdir(parents=True, exist_ok=True)
    return locked(catalog.parent, f"catalog {catalog}", wait)
