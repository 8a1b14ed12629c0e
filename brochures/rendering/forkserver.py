"""The server PDF workers fork from: started first thing by a build, warmed up meanwhile."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import multiprocessing
import os
import signal
import threading
from pathlib import Path

# Workers are forks of a clean server process that has WeasyPrint imported and warmed up
# already (rendering.warmup): they start in milliseconds, and are never forks of a process with
# threads (the progress bar's, a test runner's). Its warm-up takes about 1.1 s, so a build
# starts it before anything else and loads the project meanwhile.
START_METHOD = "forkserver"
PRELOAD = ["brochures.rendering.warmup"]
# A no-op build needs no server, and starting one slows it down (the two cores are shared): a
# build records a stamp of its files (names, sizes, modification times), and the next build
# starts the server early only when the stamp differs. A wrong guess costs time, not
# correctness: build keys decide what is rendered, and the server starts when a PDF is due.
STAMPED = ("source", "locales", "templates", "build/pdf", "build/print")
STATE = "build/.state.json"


def start() -> None:
    """Start the server now (it warms up in the background; starting it again is a no-op).
    Nothing waits for it until the first worker is needed. Only `multiprocessing` is imported
    here, so that this can be the first thing a build does."""
    multiprocessing.get_context(START_METHOD).set_forkserver_preload(PRELOAD)
    from multiprocessing import forkserver

    # The server starts ignoring Ctrl-C (an ignored signal stays ignored across exec): an
    # interrupt in its first second hit it while Python imported its modules, and it printed
    # a traceback of import internals. The build handles the interrupt and the server ends
    # with the build; warmup gives the workers the usual handler back.
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    # Blocked while it starts, so that an interrupt meanwhile reaches the build (afterwards)
    # instead of being ignored; the server inherits the block and the ignoring. The resource
    # tracker is started before: its start unblocks SIGINT (and so would drop it).
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    server = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if server is not None:
        atexit.register(_end, server)


def _end(pid: int) -> None:
    """At the build's exit: the server ends by itself when the build's pipe closes, but only
    once its warm-up is done; interrupted in its first second, it would stay that long."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)


def files_stamp(project_dir: Path) -> str:
    """A cheap fingerprint of the project's inputs and outputs and of this tool's files."""
    digest = hashlib.sha256()
    roots = [project_dir / name for name in STAMPED] + [Path(__file__).resolve().parent.parent]
    for number, root in enumerate(roots):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")  # written by any import
            where = f"{number}/{os.path.relpath(folder, root)}"
            for name in sorted(files):
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{where}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def likely_needed(project_dir: Path) -> bool:
    """False when the project's files are as the last build left them (a no-op is likely)."""
    try:
        with (project_dir / STATE).open(encoding="utf-8") as handle:
            recorded = json.load(handle).get("files")
    except (OSError, ValueError, AttributeError):
        return True
    return recorded != files_stamp(project_dir)
