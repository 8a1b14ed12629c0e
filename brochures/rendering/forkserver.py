"""The server PDF workers fork from: started first thing by a build, warmed up meanwhile."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
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

    forkserver.ensure_running()


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
