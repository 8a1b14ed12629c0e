"""Benchmark: full, forced, no-op and one-string builds, the WeasyPrint floor, pool and memory.

Works on a copy of the repository's project (source/, locales/, templates/) in a temporary
folder and prints, in one run:
  - cold full build (`brochures build`: every brochure, language and edition, screen profile),
    warm full rebuild (`--force`), no-op rebuild, rebuild after one changed Arabic string;
    each a fresh CLI process, wall clock;
  - the floor: the same job list rendered by bare WeasyPrint in one process, on the same final
    HTML with the same options, against the build's own PDF stage in one process (`--jobs 1`),
    job by job, best of three each;
    gates (message checks, page fit) and thumbnails measured separately;
  - `--jobs 1` against `--jobs 2` (forced full builds, fresh processes);
  - resident memory of one pool worker across 200 renders.

Run: `.venv/bin/python benchmarks/build.py [--project DIR] [--renders N]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHANGED_MESSAGE = "eltern-schulsystem/beratungsangebot"  # used by the school brochure only
# A child process runs one build through the library and prints its report as JSON.
CHILD = """
import json, sys, time
from pathlib import Path
from brochures.build import build
started = time.perf_counter()
report = build(Path(sys.argv[1]), force=sys.argv[2] == "force", workers=int(sys.argv[3]))
print(json.dumps({
    "wall": time.perf_counter() - started,
    "stages": report.seconds,
    "built": len(report.built),
    "up_to_date": len(report.up_to_date),
    "failed": len(report.failed),
    "workers": report.workers,
    "job_seconds": sum(r.seconds for r in report.built),
    "thumbnails": report.published.thumbnail_seconds if report.published else 0,
}))
"""


def copy_project(source: Path, target: Path) -> Path:
    for folder in ("source", "locales", "templates"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    return target


def cli(project: Path, *args: str) -> float:
    """Wall-clock seconds of one `brochures build` process."""
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "brochures", "--project", str(project), "build", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"build failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return seconds


def import_seconds() -> float:
    """Wall clock of a fresh process importing WeasyPrint: how fast the machine is right now
    (0.62-0.69 s when the figures in the README were taken on a quiet machine)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
    return time.perf_counter() - started


def child(project: Path, force: bool, workers: int) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(project), "force" if force else "-", str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.splitlines()[-1])


def build_keys(project: Path) -> dict[str, str]:
    manifest = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))
    return {e["path"]: e["build_key"] for e in manifest["pdfs"]}


def change_one_arabic_string(project: Path) -> None:
    import polib

    path = project / "locales/ar/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    [entry] = [e for e in catalog if e.msgctxt == CHANGED_MESSAGE]
    entry.msgstr = entry.msgstr.rstrip(".") + " جدا."
    catalog.save(str(path))


def floor(project_dir: Path) -> dict:
    """In one process, on the build's own jobs: bare WeasyPrint on the final HTML (the floor), the
    renderer (`PdfRenderer.render`: padding, overflow check, tags) and the build's PDF stage
    (renderer, gates, hash, atomic write); plus HTML and gates on their own."""
    import weasyprint

    from brochures import build as pipeline
    from brochures.content.project import default_templates, load_project
    from brochures.rendering import checks, render
    from brochures.rendering import workers as pdf_workers
    from brochures.rendering.pdf import notes_html
    from brochures.translation import messages
    from brochures.translation.catalogs import load_texts

    project = load_project(project_dir)
    jobs = pipeline.plan(project, [], [], list(pipeline.EDITIONS))
    catalogs = {code: load_texts(project, code) for code in {job.lang for job in jobs}}
    env = render.environment(project.template_dirs, default_templates())
    started = time.perf_counter()
    pages = pipeline.select_pages(project, env, jobs, catalogs, False, pipeline.BuildReport())
    html_seconds = time.perf_counter() - started
    renderer = pdf_workers.new_renderer(project.template_dirs, {job.lang for job in jobs})
    base_url = project.template_dirs[0].as_uri() + "/"

    def layout(html: str) -> weasyprint.Document:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=renderer.fetcher).render(
            font_config=renderer.fonts
        )

    def final_html(html: str) -> tuple[str, str | None]:
        """The HTML WeasyPrint lays out: the brochure's, and for a booklet short of whole sheets
        the notes pages' (laid out on their own, appended)."""
        return html, notes_html(html, len(layout(html).pages))

    finals = [final_html(page.html.html) for page in pages]  # also warms every path up
    out = Path(tempfile.mkdtemp(prefix="floor-"))
    tasks = [
        pdf_workers.Task(out / t.output.name, t.html, t.profile, t.format, t.max_pages)
        for t in (pipeline.task_of(p) for p in pages)
    ]

    def bare(job: int) -> None:
        html, notes = finals[job]
        document = layout(html)
        if notes is not None:
            document = document.copy([*document.pages, *layout(notes).pages])
        document.write_pdf(pdf_tags=True)  # the screen profile's option

    def renderer_only(job: int) -> None:
        renderer.render(tasks[job].html, profile=tasks[job].profile)

    def stage(job: int) -> None:
        outcome = pdf_workers.run_task(renderer, tasks[job])
        assert not outcome.failures, outcome.failures

    # Job by job, the three ways in turn, best of three each: the machine is a shared VM whose
    # speed drifts over minutes, and this way a drift hits all three alike.
    ways = {"bare": bare, "renderer": renderer_only, "stage": stage}
    best: dict[str, list[float]] = {name: [] for name in ways}
    for job in range(len(tasks)):
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(3):
            for name, fn in ways.items():
                gc.collect()  # the previous way's garbage is not collected on this one's time
                started = time.perf_counter()
                fn(job)
                times[name].append(time.perf_counter() - started)
        for name in ways:
            best[name].append(min(times[name]))
    runs = {name: [sum(values)] for name, values in best.items()}

    started = time.perf_counter()  # the message checks behind every lookup of every job
    for page in pages:
        for key in page.texts.seen:
            entry = page.texts.entries.get(key)
            if entry is not None and entry.msgstr:
                messages.message_issues(entry.msgid, entry.msgstr)
    message_seconds = time.perf_counter() - started
    pdfs = [renderer.render(task.html) for task in tasks[:5]]
    started = time.perf_counter()
    for pdf in pdfs * 20:
        checks.page_fit(pdf, 2, "a4-flyer")
    page_fit_seconds = (time.perf_counter() - started) / (len(pdfs) * 20) * len(tasks)
    shutil.rmtree(out)
    return {
        "jobs": len(pages),
        "html": html_seconds,
        **{name: min(values) for name, values in runs.items()},
        "message_checks": message_seconds,
        "page_fit": page_fit_seconds,
        "tasks": tasks,
        "template_dirs": project.template_dirs,
    }


def worker_memory(template_dirs: list[Path], tasks: list, renders: int) -> list[tuple[int, int]]:
    """(render number, resident MB) of one pool worker across `renders` renders."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from brochures.rendering import workers as pdf_workers

    out = Path(tempfile.mkdtemp(prefix="memory-"))
    from brochures.rendering import forkserver

    forkserver.start()
    context = multiprocessing.get_context(forkserver.START_METHOD)
    with ProcessPoolExecutor(
        1,
        mp_context=context,
        initializer=pdf_workers.init_worker,
        initargs=(template_dirs, [], os.getpid()),
    ) as pool:
        samples = []
        for n in range(1, renders + 1):
            task = tasks[(n - 1) % len(tasks)]
            task = pdf_workers.Task(
                out / task.output.name, task.html, task.profile, task.format, task.max_pages
            )
            outcome = pool.submit(pdf_workers.work, task).result()
            samples.append((n, outcome.rss // (1024 * 1024)))
    shutil.rmtree(out)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO, help="project to copy")
    parser.add_argument("--renders", type=int, default=200, help="renders for the memory figure")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        project = copy_project(args.project, tmp / "project")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        calibration = [import_seconds() for _ in range(3)]
        cold = cli(project)
        manifest = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))
        pdfs = len(manifest["pdfs"])
        warm = cli(project, "--force")
        noop = [cli(project) for _ in range(3)]
        one = []  # five times: a 1-2 s figure on a shared machine needs more than one sample
        for _ in range(5):
            keys_before = build_keys(project)
            change_one_arabic_string(project)
            one.append(cli(project))
            rebuilt = sorted(p for p, k in build_keys(project).items() if keys_before.get(p) != k)
        shutil.rmtree(project / "build" / "thumbs")  # the next build draws every thumbnail
        serial = child(project, force=True, workers=1)
        parallel = child(project, force=True, workers=2)
        measured = floor(project)
        memory = worker_memory(measured["template_dirs"], measured["tasks"], args.renders)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        ("calibration: `import weasyprint`, fresh process", f"{min(calibration):.2f} s"),
        ("cold full build (CLI, empty build/)", f"{cold:.1f} s ({pdfs} PDFs)"),
        ("warm full rebuild (--force)", f"{warm:.1f} s"),
        ("no-op rebuild (median of 3)", f"{statistics.median(noop):.2f} s"),
        (
            "rebuild after one changed Arabic string (median, range of 5)",
            f"{statistics.median(one):.2f} s ({min(one):.2f}-{max(one):.2f})",
        ),
        ("  PDFs rebuilt by it", ", ".join(Path(p).name for p in rebuilt)),
        ("--jobs 1, forced (library, fresh process)", f"{serial['wall']:.1f} s"),
        ("--jobs 2, forced (library, fresh process)", f"{parallel['wall']:.1f} s"),
        ("  speed-up", f"{serial['wall'] / parallel['wall']:.2f}x"),
        ("  PDF stage only", f"{serial['stages']['pdf'] / parallel['stages']['pdf']:.2f}x"),
        ("floor: bare WeasyPrint, one process", f"{measured['bare']:.1f} s"),
        ("  jobs in it", str(measured["jobs"])),
        ("PdfRenderer.render, same jobs", f"{measured['renderer']:.1f} s"),
        ("  over the floor", f"{measured['renderer'] / measured['bare']:.3f}x"),
        ("build's PDF stage (+ gates, hash, write)", f"{measured['stage']:.1f} s"),
        ("  over the floor", f"{measured['stage'] / measured['bare']:.3f}x"),
        ("  over PdfRenderer.render", f"{measured['stage'] / measured['renderer']:.3f}x"),
        ("whole --jobs 1 build over the floor", f"{serial['wall'] / measured['bare']:.2f}x"),
        ("HTML of every job (Jinja2, with lookups)", f"{measured['html']:.2f} s"),
        ("gates: message checks of every lookup", f"{measured['message_checks']:.3f} s"),
        ("gates: page fit of every PDF", f"{measured['page_fit'] * 1000:.2f} ms"),
        ("thumbnails, all drawn (pdftoppm, time spent)", f"{serial['thumbnails']:.2f} s"),
        ("thumbnails on a rebuild", "reused by build key (0 drawn)"),
    ]
    for n, mb in memory:
        if n in (1, 10, 50, 100, args.renders):
            rows.append((f"worker resident memory after render {n}", f"{mb} MB"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
