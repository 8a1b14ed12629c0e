"""The build: plan jobs, render their HTML, skip up-to-date jobs, write PDFs in parallel."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment

from brochures.content.brochure import BrochureContent
from brochures.content.project import Project, default_templates, load_project
from brochures.errors import ConfigError, EnvironmentProblem, OutputError, Problem
from brochures.files import build_lock, write_problem
from brochures.i18n import N_, _
from brochures.languages import (
    SOURCE_LANGUAGE,
    document_stacks,
    language,
    not_among,
    spelled,
)
from brochures.publishing import keys, printreport, publish
from brochures.rendering import checks, forkserver, render
from brochures.rendering import workers as pdf_workers
from brochures.rendering.jobs import Job, JobResult, Status
from brochures.translation.catalogs import (
    USABLE,
    CatalogTexts,
    Lag,
    Lookup,
    State,
    key_of,
    lag,
    load_texts,
    po_path,
)

EDITIONS = ("single", "bilingual")
PROFILES = ("screen", "print")
T = TypeVar("T")
PROFILE_DIRS = {"screen": "pdf", "print": "print"}  # build/<dir>/<brochure>/<brochure>.<tag>.pdf


@dataclass
class BuildReport:
    results: list[JobResult] = field(default_factory=list)  # every job built, up to date or failed
    skipped: list[tuple[str, str]] = field(default_factory=list)  # left out: (job, why)
    workers: int = 0  # processes that wrote PDFs (0: none needed)
    pooled: bool = False  # in worker processes (else in the build process)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, wall clock
    published: publish.Published | None = None
    warnings: list[str] = field(default_factory=list)  # worth fixing, not stopping the build
    behind: list[Lag] = field(default_factory=list)  # catalogs behind the sources
    printed: list[PrintRow] = field(default_factory=list)  # the print PDFs, read back
    pdfx_missing: str | None = None  # why the print PDFs are not PDF/X

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def built(self) -> list[JobResult]:
        return [r for r in self.results if r.status is Status.BUILT]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.status is Status.UP_TO_DATE]


@dataclass
class Page:
    """A job ready for the PDF stage: its HTML, its texts, its key and (later) its result."""

    job: Job
    html: render.RenderedHtml
    texts: CatalogTexts
    content: BrochureContent
    result: JobResult


def holding_build_lock(function: Callable[..., T]) -> Callable[..., T]:
    """Run a command that writes a project's build/ under its lock (`files.build_lock`)."""

    @functools.wraps(function)
    def locked(root: Path, *args, **kwargs) -> T:
        with build_lock(Path(root)):
            return function(root, *args, **kwargs)

    return locked


@holding_build_lock
def build(
    root: Path,
    brochures: list[str] | None = None,
    langs: list[str] | None = None,
    editions: list[str] | None = None,
    reviewed_only: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
    *,
    profiles: list[str] | None = None,
    force: bool = False,
    workers: int | None = None,
    on_plan: Callable[[list[Job], list[JobResult]], None] | None = None,
) -> BuildReport:
    """Load the project, plan the jobs, skip jobs whose key and output are unchanged, render the
    other jobs' HTML (input errors surface before any PDF), write their PDFs in parallel, then
    publish the manifest and the download page."""
    clock = Stopwatch()
    allowed = workers or os.cpu_count() or 1
    if allowed > 1 and (force or forkserver.likely_needed(root)):  # it starts beside the loading
        forkserver.start()
    project = load_project(root)
    jobs = plan(project, brochures or [], langs or [], editions or list(EDITIONS), profiles)
    contact_warnings = check_contacts(project, jobs)
    catalogs = load_catalogs(project, {job.lang for job in jobs})
    check_output_dir(project)
    env = render.environment(project.template_dirs, default_templates())
    render.check_templates(env, project.template_dirs)
    publish.check_tools()
    clock.lap("load")
    report = BuildReport(warnings=contact_warnings, behind=lag(project, catalogs, catalogs))
    previous = publish.read_manifest(project.build_dir)
    fingerprints = keys.Fingerprints(project, env)
    current = {} if force else unchanged(project, fingerprints, jobs, catalogs, previous)
    if reviewed_only:  # such jobs are rendered: the reason they are left out needs their texts
        current = {job: r for job, r in current.items() if r.fully_reviewed}
    clock.lap("up to date")
    rest = [job for job in jobs if job not in current]
    pages = select_pages(project, env, rest, catalogs, reviewed_only, report)
    clock.lap("html")
    todo = outdated(project, fingerprints, pages, previous, force)
    report.results = in_plan_order(jobs, current, pages)
    clock.lap("keys")
    check_glyphs(todo)
    clock.lap("glyphs")
    if on_plan:
        on_plan([page.job for page in todo], report.up_to_date)
    report.workers = pdf_workers.how_many(allowed, len(todo))
    report.pooled = allowed > 1 and bool(todo)
    if todo and (problem := write_problem(project.build_dir, "build", len(todo))) is not None:
        raise EnvironmentProblem(problem)  # still before any job: nothing written
    publish.withdraw(project, [page.job.output for page in todo])  # until they are checked
    with publish.Thumbnailer(project, allowed) as thumbnails:
        write_pdfs(project, todo, allowed, thumbnails, on_result)
    clock.lap("pdf")
    try:
        report.published = publish.publish(
            project,
            report.results,
            previous,
            possible_outputs(project),
            report.workers or 1,
            thumbnails,
        )
        keys.write_state(
            project.build_dir,
            {publish.relative(project, r.job.output): r for r in report.results},
            report.published.entries,
            forkserver.files_stamp(root),
        )
    except OSError as exc:  # a full disk after the jobs: one line, and the manifest vouches
        where = Path(exc.filename) if exc.filename else project.build_dir  # for nothing new
        shown = where.relative_to(project.root) if where.is_relative_to(project.root) else where
        raise OutputError(
            Problem(
                shown,
                None,
                f"cannot be written: {exc.strerror or exc}; the PDFs built are in place, the "
                "manifest and download page are not up to date (build again when it can be "
                "written)",
            )
        ) from None
    clock.lap("publish")
    if any(r.job.profile == "print" for r in report.results):
        report.printed = print_rows(project, report.results)
        if not project.settings.print_color_profile:
            report.pdfx_missing = NO_PROFILE
        clock.lap("print report")
    report.seconds = clock.laps
    return report


@dataclass
class PrintRow:
    """A print PDF of the build and what it is (for the print report)."""

    result: JobResult
    facts: printreport.PrintFacts
    booklet: bool


NO_PROFILE = N_(
    "no print_color_profile in source/project.yaml: set it to the CMYK ICC profile your print "
    "shop names (usually PSO Coated v3 / FOGRA51 or ISO Coated v2 / FOGRA39, from the print "
    "shop or www.eci.org); see `brochures doctor`"
)


def print_rows(project: Project, results: list[JobResult]) -> list[PrintRow]:
    """Every print PDF of the build that exists, read back (kept by its SHA-256)."""
    rows = []
    for result in results:
        if result.job.profile != "print" or result.status is Status.FAILED:
            continue
        if not result.job.output.exists():
            continue
        brochure = project.brochures[result.job.brochure]
        fmt = brochure.format or project.settings.default_format
        booklet = result.job.edition == "bilingual" or fmt.endswith("booklet")
        facts = printreport.read_facts(result.job.output, result.sha256)
        rows.append(PrintRow(result, facts, booklet))
    return rows


def plan(
    project: Project,
    brochures: list[str],
    langs: list[str],
    editions: list[str],
    profiles: list[str] | None = None,
) -> list[Job]:
    """One job per brochure × language × edition × profile; unknown ids are input errors."""
    profiles = profiles or ["screen"]
    problems = [project.unknown_brochure(b) for b in brochures if b not in project.brochures]
    langs = [spelled(code) for code in langs]  # fa_AF is fa-AF
    for code in langs:
        languages = project.settings.languages
        wrong = not_among(code, languages, where="source/project.yaml")
        if wrong:
            problems.append(Problem(None, None, wrong))
    problems += [
        Problem(
            None,
            None,
            _("unknown edition '{id}' (known: {known})").format(id=e, known=", ".join(EDITIONS)),
        )
        for e in editions
        if e not in EDITIONS
    ]
    problems += [
        Problem(
            None,
            None,
            _("unknown profile '{id}' (known: {known})").format(id=p, known=", ".join(PROFILES)),
        )
        for p in profiles
        if p not in PROFILES
    ]
    if problems:
        raise ConfigError(problems)
    jobs = []
    for b in brochures or list(project.brochures):
        for code in langs or project.languages_of(project.brochures[b]):
            if code not in project.languages_of(project.brochures[b]):
                continue
            for profile in profiles:
                for edition in editions:
                    if edition == "bilingual" and code == SOURCE_LANGUAGE:
                        continue  # German beside German: no such edition
                    tag = f"{SOURCE_LANGUAGE}+{code}" if edition == "bilingual" else code
                    output = project.build_dir / PROFILE_DIRS[profile] / b / f"{b}.{tag}.pdf"
                    jobs.append(Job(b, code, edition, output, profile))
    return jobs


def check_contacts(project: Project, jobs: list[Job]) -> list[str]:
    """A print run nobody can call back is a costly mistake: print jobs of a brochure whose
    contact has no phone, e-mail or address are refused before any job (naming the file whose
    contact applies); screen jobs are built with a warning."""
    problems = {}
    for job in jobs:
        if job.brochure not in problems:
            problems[job.brochure] = project.contact_problem(job.brochure)
    printed = {job.brochure for job in jobs if job.profile == "print"}
    refused = [p for b, p in problems.items() if p is not None and b in printed]
    if refused:
        raise ConfigError(
            [Problem(p.path, p.line, f"{p.message}; print PDFs refused") for p in refused]
        )
    return [str(p) for p in problems.values() if p is not None]


def load_catalogs(project: Project, codes: set[str]) -> dict[str, CatalogTexts]:
    """Every language's catalog, read and checked (msgfmt) side by side."""
    ordered = sorted(codes)
    with ThreadPoolExecutor(max(1, min(8, len(ordered)))) as pool:
        loaded = pool.map(lambda code: load_texts(project, code), ordered)
        return dict(zip(ordered, loaded, strict=True))


def possible_outputs(project: Project) -> set[Path]:
    """Every PDF the project can make (a manifest entry for any other is dropped)."""
    return {job.output for job in plan(project, [], [], list(EDITIONS), list(PROFILES))}


def check_output_dir(project: Project) -> None:
    """`build/` must be a folder (or creatable)."""
    build_dir = project.build_dir
    if build_dir.exists() and not build_dir.is_dir():
        raise EnvironmentProblem(Problem("build", None, "is not a folder (remove or rename it)"))
    problem = write_problem(build_dir, "build")
    if problem is not None:
        raise EnvironmentProblem(problem)


def select_pages(
    project: Project,
    env: Environment,
    jobs: list[Job],
    catalogs: dict[str, CatalogTexts],
    reviewed_only: bool,
    report: BuildReport,
) -> list[Page]:
    """Render the HTML of every job (template errors surface before any PDF is written);
    leave out languages without any usable translation and, with `reviewed_only`, languages
    with anything not reviewed."""
    pages = []
    contents: dict[str, BrochureContent] = {}
    lookups: dict[str, dict] = {code: {} for code in catalogs}
    for job in jobs:
        if job.lang != SOURCE_LANGUAGE and not catalogs[job.lang].has_translations:
            report.skipped.append((job.name, no_translations(project, job.lang)))
            continue
        if job.brochure not in contents:
            contents[job.brochure] = project.content(job.brochure)
        content = contents[job.brochure]
        texts = SharedTexts(catalogs[job.lang], lookups[job.lang])
        html = render.render_html(
            env, content, language(job.lang), texts, job.edition, profile=job.profile
        )
        counts = texts.counts()
        if job.lang != SOURCE_LANGUAGE and not any(counts[s] for s in USABLE):
            report.skipped.append((job.name, no_translations(project, job.lang)))
        elif reviewed_only and not texts.complete:
            missing = [f"{counts[s]} {s}" for s in State if s != State.REVIEWED and counts[s]]
            failing = sum(1 for v in texts.seen.values() if v.errors)
            missing += [f"{failing} failing message checks"] if failing else []
            report.skipped.append((job.name, f"not fully reviewed ({', '.join(missing)})"))
        else:
            title = catalogs[job.lang].fresh().lookup(content.title.context, content.title.source)
            result = JobResult(job, counts=counts, fallbacks=texts.fallbacks(), title=title.text)
            result.failures = [
                f"reviewed translation of {ctx or msgid} fails a message check: "
                + "; ".join(str(i) for i in looked.errors)
                for (ctx, msgid), looked in texts.seen.items()
                if looked.errors and looked.state is State.REVIEWED
            ]
            pages.append(Page(job, html, texts, content, result))
    return pages


def no_translations(project: Project, lang: str) -> str:
    """Why a language is left out, with the next step."""
    path = po_path(project, lang)
    if not path.exists():
        return _("no catalog yet: run `brochures catalog update`")
    return _(
        "no translations yet: translate {path} (a translation tool, "
        "`brochures translate --lang {lang}` or `brochures catalog export --lang {lang}`)"
    ).format(path=path.relative_to(project.root), lang=lang)


class SharedTexts(CatalogTexts):
    """One job's view of a language's catalog, like `CatalogTexts.fresh()`; a lookup (with its
    message checks) is computed once per build and shared by all jobs of the language."""

    def __init__(self, catalog: CatalogTexts, shared: dict[tuple[str | None, str], Lookup]):
        super().__init__(catalog.lang, None)
        self.entries = catalog.entries
        self.shared = shared

    def lookup(self, context: str | None, msgid: str) -> Lookup:
        looked = self.shared.get((context, msgid))
        if looked is None:
            looked = self.shared[(context, msgid)] = super().lookup(context, msgid)
        self.seen[key_of(context, msgid)] = looked
        return looked


def unchanged(
    project: Project,
    fingerprints: keys.Fingerprints,
    jobs: list[Job],
    catalogs: dict[str, CatalogTexts],
    previous: dict[str, dict],
) -> dict[Job, JobResult]:
    """Jobs up to date without rendering their HTML: keyed with the catalog entries their last
    build looked up (a job looks up the same entries again while all its inputs, those entries
    included, are unchanged), the key and the output are as the last build left them."""
    saved = keys.read_state(project.build_dir)
    contents: dict[str, BrochureContent] = {}
    current = {}
    for job in jobs:
        path = publish.relative(project, job.output)
        entry, last = previous.get(path), saved.get(path)
        if entry is None or last is None or last["key"] != entry["build_key"]:
            continue
        if job.brochure not in contents:
            contents[job.brochure] = project.content(job.brochure)
        inputs = fingerprints.inputs(
            contents[job.brochure],
            job.lang,
            job.edition,
            job.profile,
            catalogs[job.lang],
            last["looked_up"],
        )
        key = keys.key_of(inputs)
        if key != entry["build_key"] or output_reason(job, entry):
            continue
        result = JobResult(job, Status.UP_TO_DATE, key=key, inputs=inputs)
        result.looked_up = [tuple(k) for k in last["looked_up"]]
        result.fallbacks, result.title = last["fallbacks"], entry["title"]
        result.counts = {state: entry["review"].get(str(state), 0) for state in State}
        result.pages, result.size, result.sha256 = entry["pages"], entry["bytes"], entry["sha256"]
        result.accessibility = publish.accessibility_of(entry)
        current[job] = result
    return current


def outdated(
    project: Project,
    fingerprints: keys.Fingerprints,
    pages: list[Page],
    previous: dict[str, dict],
    force: bool,
) -> list[Page]:
    """Key every rendered job; the jobs to build are those whose key or output changed (all with
    `force`). The others are up to date and need no WeasyPrint work."""
    todo = []
    for page in pages:
        job, result = page.job, page.result
        result.looked_up = sorted(page.texts.seen)
        result.inputs = fingerprints.inputs(
            page.content, job.lang, job.edition, job.profile, page.texts, result.looked_up
        )
        result.key = keys.key_of(result.inputs)
        entry = previous.get(publish.relative(project, job.output))
        result.reason = "forced" if force else stale_reason(job, result, entry) or ""
        if result.reason:
            todo.append(page)
        else:
            assert entry is not None
            result.status = Status.UP_TO_DATE
            result.pages, result.size = entry["pages"], entry["bytes"]
            result.sha256 = entry["sha256"]
            result.accessibility = publish.accessibility_of(entry)
    return todo


def check_glyphs(pages: list[Page]) -> None:
    """Every character of a job's text must be in a font of its stacks (its language's, and
    German's for notices and fallbacks). Only jobs about to be built: an up-to-date job passed
    with the same HTML and fonts, and a failed job is never up to date."""
    for page in pages:
        page.result.failures += glyph_problems(page)


def glyph_problems(page: Page) -> list[str]:
    """The gates on a job's HTML: glyph coverage and doubled punctuation."""
    html, lang = page.html.html, page.job.lang
    return checks.glyph_coverage(html, lang, document_stacks(lang)) + checks.doubled_punctuation(
        html, lang
    )


def stale_reason(job: Job, result: JobResult, entry: dict | None) -> str | None:
    """Why a job must be built, or None when its key and its output are unchanged."""
    if entry is None:
        return "new"
    if entry["build_key"] != result.key:
        changed = keys.changed_inputs(entry.get("inputs"), result.inputs)
        return f"changed: {', '.join(changed)}" if changed else "changed"
    return output_reason(job, entry)


def output_reason(job: Job, entry: dict) -> str | None:
    """Why a job's output no longer is what the manifest says, or None."""
    output = job.output
    if not output.is_file():
        return "output missing"
    if output.stat().st_size != entry["bytes"] or keys.file_sha256(output) != entry["sha256"]:
        return "output changed on disk"
    return None


def in_plan_order(
    jobs: list[Job], current: dict[Job, JobResult], pages: list[Page]
) -> list[JobResult]:
    """The results of the jobs up to date and of those rendered, in the order of the plan."""
    rendered = {page.job: page.result for page in pages}
    return [current.get(job) or rendered[job] for job in jobs if job in current or job in rendered]


def write_pdfs(
    project: Project,
    pages: list[Page],
    allowed: int,
    thumbnails: publish.Thumbnailer,
    on_result: Callable[[JobResult], None] | None,
) -> None:
    """The PDF stage (rendering.workers); each page's result is filled in, and its thumbnail
    started, as its PDF is done. While workers render, the build process loads what the download
    page needs."""
    if allowed > 1 and pages:
        threading.Thread(target=publish.prepare, args=(project,), daemon=True).start()
    results = {page.job.output: page.result for page in pages}
    tasks = [task_of(page) for page in pages]
    langs = {page.job.lang for page in pages}
    for task, outcome in pdf_workers.write_pdfs(project.template_dirs, tasks, allowed, langs):
        finish(results[task.output], outcome)
        thumbnails.add(results[task.output])
        if on_result:
            on_result(results[task.output])


def task_of(page: Page) -> pdf_workers.Task:
    html, job = page.html, page.job
    return pdf_workers.Task(
        job.output,
        html.html,
        job.profile,
        html.format,
        html.max_pages,
        tuple(page.result.failures),
        checks.stack_fonts(document_stacks(job.lang)),
    )


def finish(result: JobResult, outcome: pdf_workers.Outcome) -> None:
    result.failures = outcome.failures
    result.pages, result.size, result.sha256 = outcome.pages, outcome.size, outcome.sha256
    result.seconds, result.error, result.worker_rss = outcome.seconds, outcome.error, outcome.rss
    result.accessibility = outcome.accessibility
    if outcome.failures:
        result.status = Status.FAILED
        result.job.output.unlink(missing_ok=True)  # a stale PDF must not look current
    else:
        result.status = Status.BUILT


class Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


@dataclass
class GateRow:
    """One finding of `brochures check`: a quality gate that failed on one job."""

    job: str
    severity: str  # "error" or "warning" (the accessibility gate's findings)
    gate: str
    detail: str


@dataclass
class PdfRow:
    """`brochures check`'s account of one PDF: what it is and where its figures come from."""

    job: str
    language: str
    pages: int
    bytes: int
    review: dict[str, int]  # review state -> texts in it
    german: int  # texts shown in German (outdated or missing, or failing a message check)
    checked: str  # "last build": its gates passed in the build that made it, with these inputs;
    # "now": laid out by this check; "changed": inputs changed since the last build, not checked
    accessibility: list[str] | None = None  # screen PDFs: the gate's findings ([]: PDF/UA-1)


@dataclass
class CheckReport:
    gates: list[GateRow] = field(default_factory=list)  # failed gates
    pdfs: list[PdfRow] = field(default_factory=list)  # in the plan's order
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (job, why), checked now


def check_project(root: Path) -> CheckReport:
    """The quality gates of the project's PDFs, without writing anything. A PDF the last build
    made whose inputs and output are unchanged passed them with exactly these inputs: its figures
    come from build/manifest.json (as a no-op build finds it up to date). Every other
    screen job is checked now: glyph coverage on its HTML, page fit, markup and accessibility on
    the laid-out PDF. Print PDFs whose inputs changed are reported as changed."""
    project = load_project(root)
    jobs = plan(project, [], [], list(EDITIONS), list(PROFILES))
    catalogs = load_catalogs(project, {job.lang for job in jobs})
    env = render.environment(project.template_dirs, default_templates())
    render.check_templates(env, project.template_dirs)
    previous = publish.read_manifest(project.build_dir)
    fingerprints = keys.Fingerprints(project, env)
    current = unchanged(project, fingerprints, jobs, catalogs, previous)
    report = CheckReport()
    checked_now = {}
    rest = [job for job in jobs if job not in current and job.profile == "screen"]
    skipped = BuildReport()
    pages = select_pages(project, env, rest, catalogs, False, skipped)
    report.left_out = skipped.skipped
    if pages:
        from brochures.rendering.pdf import PdfRenderer, quiet_weasyprint_logs

        quiet_weasyprint_logs()
        renderer = PdfRenderer(project.template_dirs)
    for page in pages:
        name = page.job.name
        found = [GateRow(name, "error", "glyphs", p) for p in glyph_problems(page)]
        pdf = renderer.render(page.html.html, profile="screen")
        found += [
            GateRow(name, "error", "page fit", p)
            for p in checks.page_fit(pdf, page.html.max_pages, page.html.format)
        ]
        found += [GateRow(name, "error", "html as text", p) for p in checks.markup_in_text(pdf)]
        found += [GateRow(name, "error", "message check", p) for p in page.result.failures]
        report.gates += found
        page.result.accessibility = pdf.accessibility
        checked_now[page.job] = (page.result, pdf.pages, len(pdf.data), "now")
    for job in jobs:
        if job in current:
            result = current[job]
            row = (result, result.pages, result.size, "last build")
        elif job in checked_now:
            row = checked_now[job]
        elif publish.relative(project, job.output) in previous:
            entry = previous[publish.relative(project, job.output)]
            result = JobResult(job, counts={s: entry["review"].get(str(s), 0) for s in State})
            row = (result, entry["pages"], entry["bytes"], "changed")
        else:
            continue
        result, pages_, size, how = row
        if how != "changed":
            report.gates += accessibility_rows(job.name, result.accessibility)
        report.pdfs.append(
            PdfRow(
                job.name,
                job.lang,
                pages_,
                size,
                {str(state): count for state, count in result.counts.items()},
                len(result.fallbacks),
                how,
                result.accessibility,
            )
        )
    return report


def accessibility_rows(name: str, found: list[str] | None) -> list[GateRow]:
    """The accessibility gate's findings on one PDF, as warnings (the PDF is written, without
    the PDF/UA-1 claim); none when it passed or was not checked (print PDFs)."""
    return [GateRow(name, "warning", "accessibility", problem) for problem in found or []]
