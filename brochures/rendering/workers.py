"""The PDF stage: lay out, check and write jobs' PDFs in this process or in a pool of workers."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochures.files import read_signed, user_cache, write_atomic, write_signed
from brochures.languages import language
from brochures.rendering import checks, forkserver

if TYPE_CHECKING:
    from concurrent.futures import Future

    from brochures.rendering.pdf import PdfRenderer


@dataclass(frozen=True)
class Task:
    """What a worker needs for one PDF (picklable)."""

    output: Path
    html: str
    profile: str
    format: str
    max_pages: int | None
    failures: tuple[str, ...] = ()  # found before layout (message checks)
    fonts: tuple[str, ...] = ()  # the fonts the PDF may embed (empty: not checked)


@dataclass
class Outcome:
    pages: int = 0
    size: int = 0
    sha256: str = ""
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # traceback of a bug
    rss: int = 0  # bytes, resident memory of the process after the job
    accessibility: list[str] | None = None  # the accessibility gate's findings (screen PDFs)


def how_many(allowed: int, tasks: int) -> int:
    """Processes for `tasks` PDFs, at most `allowed` (0: nothing to render). Even one PDF is
    done sooner by a worker forked warm than by a build process that would still have to import
    and warm up WeasyPrint, so only `allowed` 1 renders in the build process."""
    return min(allowed, tasks)


def write_pdfs(
    template_dirs: list[Path], tasks: list[Task], allowed: int, langs: Iterable[str] = ()
) -> Iterator[tuple[Task, Outcome]]:
    """Every task's PDF, in this process (`allowed` 1) or in a pool of workers; one task failing
    does not stop the others. Largest documents first, so the last to finish is a short one."""
    tasks = sorted(tasks, key=lambda t: len(t.html), reverse=True)
    if not tasks:
        return
    if allowed <= 1:
        renderer = new_renderer(template_dirs, langs)
        for task in tasks:
            yield task, run_task(renderer, task)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    forkserver.start()
    pool = ProcessPoolExecutor(
        how_many(allowed, len(tasks)),
        initializer=init_worker,
        initargs=(template_dirs, sorted(langs), os.getpid()),
        mp_context=multiprocessing.get_context(forkserver.START_METHOD),
    )
    try:
        futures: dict[Future[Outcome], Task] = {pool.submit(work, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = Outcome(failures=["the worker process died (out of memory? a crash?)"])
            yield futures[future], outcome
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def new_renderer(template_dirs: list[Path], langs: Iterable[str] = ()) -> PdfRenderer:
    from brochures.rendering.pdf import (  # WeasyPrint: only when building
        PdfRenderer,
        quiet_weasyprint_logs,
    )

    quiet_weasyprint_logs()
    warm_hyphenation(langs)
    return PdfRenderer(template_dirs)


def run_task(renderer: PdfRenderer, task: Task) -> Outcome:
    """Lay out one job's HTML, run its gates, and write the PDF (atomically) only if all pass."""
    from brochures.rendering.pdf import LOAD_FAILURES  # imported with the renderer

    started = time.perf_counter()
    try:
        renderer.fetcher.refused.clear()
        LOAD_FAILURES.messages.clear()
        pdf = renderer.render(task.html, profile=task.profile, max_pages=task.max_pages)
        failures = [
            *task.failures,
            *checks.refused_resources(renderer.fetcher.refused),
            *LOAD_FAILURES.messages,
            *checks.page_fit(pdf, task.max_pages, task.format),
            *checks.markup_in_text(pdf),
            *(checks.foreign_fonts(pdf.data, task.fonts) if task.fonts else ()),
        ]
        if not failures:
            write_atomic(task.output, pdf.data)
        outcome = Outcome(pdf.pages, len(pdf.data), hashlib.sha256(pdf.data).hexdigest(), failures)
        outcome.accessibility = pdf.accessibility
    except OSError as exc:  # the output cannot be written (disk full, permissions)
        outcome = Outcome(failures=[f"cannot write {task.output}: {exc.strerror or exc}"])
    except Exception:  # a bug: this job fails and shows its traceback; the others go on
        outcome = Outcome(failures=["internal error (a bug)"], error=traceback.format_exc())
    outcome.seconds = time.perf_counter() - started
    outcome.rss = resident_memory()
    return outcome


# ---- a worker process ----

_renderer: PdfRenderer | None = None  # one per worker process, for its whole life


def init_worker(template_dirs: list[Path], langs: list[str], build_pid: int) -> None:
    global _renderer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build process's to handle
    threading.Thread(target=_exit_without, args=(build_pid,), daemon=True).start()
    _renderer = new_renderer(template_dirs, langs)


def work(task: Task) -> Outcome:
    assert _renderer is not None, "init_worker did not run"
    return run_task(_renderer, task)


def _exit_without(build_pid: int) -> None:
    """A worker whose build was killed would wait on the pool's queue forever: it exits."""
    while True:
        time.sleep(1)
        try:
            os.kill(build_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # it exists (as another user)


def resident_memory() -> int:
    """Resident set size of this process in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# ---- hyphenation dictionaries ----


def hyphenation_cache() -> Path:
    return user_cache("hyphenation")


def _hyph_dict(patterns: dict):
    """Pyphen's parsed patterns back from their authenticated cache entry."""
    import pyphen

    hyph = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hyph.patterns, hyph.cache, hyph.maxlen = patterns, {}, max(len(k) for k in patterns)
    return hyph


def warm_hyphenation(langs: Iterable[str]) -> None:
    """Give Pyphen the dictionaries of these languages (and German) from the user's cache
    (files.read_signed: marshal, authenticated): Pyphen parses German's patterns in 1.3 s, the
    entry loads in 0.03-0.05 s. A missing or unverified entry is made again from the
    dictionary; nothing here can fail a build."""
    from importlib import metadata

    import pyphen

    folder = hyphenation_cache()
    version = getattr(pyphen, "__version__", None) or metadata.version("pyphen")
    for lang in dict.fromkeys(["de", *langs]):
        name = language(lang).hyphenation  # the dictionary the templates name; None: none
        path = pyphen.LANGUAGES.get(name) if name else None
        if path is None or path in pyphen.hdcache:
            continue
        # by content, not modification time: every fresh install of Pyphen would parse again
        content = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
        cached = folder / f"{path.stem}-{content}-{version}.marshal"
        kept = read_signed(cached, dict)
        patterns = _hyph_dict(kept) if kept else None
        if patterns is None:
            patterns = pyphen.HyphDict(path)
            if all(type(n) is int for _, v in patterns.patterns.values() for n in v):
                write_signed(cached, patterns.patterns)  # plain: no alternative hyphenation
        pyphen.hdcache[path] = patterns
