"""The job list, per-job rendering with its gates, atomic outputs, and the one `build()`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from brochures import checks, render
from brochures.catalogs import USABLE, CatalogTexts, State, load_texts
from brochures.errors import ConfigError, EnvironmentProblem, Problem
from brochures.files import write_atomic
from brochures.languages import SOURCE_LANGUAGE, check_code, language
from brochures.project import Project, default_templates, load_project

if TYPE_CHECKING:
    from brochures.pdf import PdfRenderer

EDITIONS = ("single", "bilingual")


@dataclass(frozen=True)
class Job:
    brochure: str
    lang: str
    edition: str
    output: Path

    @property
    def name(self) -> str:
        tag = f"de+{self.lang}" if self.edition == "bilingual" else self.lang
        return f"{self.brochure}.{tag}"


@dataclass
class JobResult:
    job: Job
    failures: list[str] = field(default_factory=list)
    counts: dict[State, int] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)  # message ids shown in German
    pages: int = 0
    size: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class BuildReport:
    results: list[JobResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (job or language, why)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


@dataclass
class Page:
    """A job ready for the PDF stage: its HTML and what its texts were."""

    job: Job
    html: render.RenderedHtml
    texts: CatalogTexts


def build(
    root: Path,
    brochures: list[str] | None = None,
    langs: list[str] | None = None,
    editions: list[str] | None = None,
    reviewed_only: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
) -> BuildReport:
    """Load the project, plan the jobs, load catalogs, render HTML, then write every PDF."""
    project = load_project(root)
    jobs = plan(project, brochures or [], langs or [], editions or list(EDITIONS))
    catalogs = {code: load_texts(project, code) for code in {job.lang for job in jobs}}
    env = render.environment(project.template_dirs, default_templates())
    render.check_templates(env, project.template_dirs)
    check_output_dir(project)
    report = BuildReport()
    pages = select_pages(project, env, jobs, catalogs, reviewed_only, report)

    from brochures.pdf import PdfRenderer, quiet_weasyprint_logs  # WeasyPrint: only when building

    quiet_weasyprint_logs()
    renderer = PdfRenderer(project.template_dirs)
    for page in pages:
        result = write_pdf(renderer, page)
        report.results.append(result)
        if on_result:
            on_result(result)
    return report


def plan(
    project: Project, brochures: list[str], langs: list[str], editions: list[str]
) -> list[Job]:
    """One job per brochure × language × edition; unknown ids are input errors."""
    problems = [
        Problem(None, None, f"unknown brochure '{b}' (known: {', '.join(project.brochures)})")
        for b in brochures
        if b not in project.brochures
    ]
    for code in langs:
        wrong = check_code(code) if "/" not in code else f"invalid language code '{code}'"
        if wrong:
            problems.append(Problem(None, None, wrong))
        elif code not in project.settings.languages:
            problems.append(
                Problem(
                    None,
                    None,
                    f"'{code}' is not one of the project's languages "
                    f"({', '.join(project.settings.languages)})",
                )
            )
    for edition in editions:
        if edition not in EDITIONS:
            problems.append(
                Problem(None, None, f"unknown edition '{edition}' (known: {', '.join(EDITIONS)})")
            )
    if problems:
        raise ConfigError(problems)
    jobs = []
    for b in brochures or list(project.brochures):
        for code in langs or project.languages_of(project.brochures[b]):
            if code not in project.languages_of(project.brochures[b]):
                continue
            for edition in editions:
                if edition == "bilingual" and code == SOURCE_LANGUAGE:
                    continue  # German beside German: no such edition
                tag = f"{SOURCE_LANGUAGE}+{code}" if edition == "bilingual" else code
                jobs.append(Job(b, code, edition, project.build_dir / "pdf" / b / f"{b}.{tag}.pdf"))
    return jobs


def check_output_dir(project: Project) -> None:
    """`build/` must be a folder (or creatable)."""
    build_dir = project.build_dir
    if build_dir.exists() and not build_dir.is_dir():
        raise EnvironmentProblem(Problem("build", None, "is not a folder (remove or rename it)"))


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
    for job in jobs:
        texts = catalogs[job.lang].fresh()
        content = project.content(job.brochure)
        html = render.render_html(env, content, language(job.lang), texts, job.edition)
        counts = texts.counts()
        if job.lang != SOURCE_LANGUAGE and not any(counts[s] for s in USABLE):
            report.skipped.append((job.name, "no translations yet"))
        elif reviewed_only and not texts.complete:
            missing = [f"{counts[s]} {s}" for s in State if s != State.REVIEWED and counts[s]]
            failing = sum(1 for v in texts.seen.values() if v.errors)
            missing += [f"{failing} failing message checks"] if failing else []
            report.skipped.append((job.name, f"not fully reviewed ({', '.join(missing)})"))
        else:
            pages.append(Page(job, html, texts))
    return pages


def write_pdf(renderer: PdfRenderer, page: Page) -> JobResult:
    """Lay out one job's HTML, run its gates, and write the PDF only if all pass."""
    started = time.perf_counter()
    job = page.job
    result = JobResult(job, counts=page.texts.counts(), fallbacks=page.texts.fallbacks())
    result.failures += [
        f"reviewed translation of {ctx or msgid} fails a message check: "
        + "; ".join(str(i) for i in looked.errors)
        for (ctx, msgid), looked in page.texts.seen.items()
        if looked.errors and looked.state is State.REVIEWED
    ]
    renderer.fetcher.refused.clear()
    pdf = renderer.render(page.html.html)
    result.failures += checks.refused_resources(renderer.fetcher.refused)
    result.failures += checks.page_fit(pdf, page.html.max_pages, page.html.format)
    result.pages, result.size = pdf.pages, len(pdf.data)
    if result.ok:
        write_atomic(job.output, pdf.data)
    else:
        job.output.unlink(missing_ok=True)  # a stale PDF must not look current
    result.seconds = time.perf_counter() - started
    return result
