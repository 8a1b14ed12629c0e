"""The job list, per-job rendering with its gates, atomic outputs, and the one `build()`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from brochures import checks, render
from brochures.errors import ConfigError, EnvironmentProblem, Problem
from brochures.files import write_atomic
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.project import Project, default_templates, load_project

if TYPE_CHECKING:
    from brochures.pdf import PdfRenderer


@dataclass(frozen=True)
class Job:
    brochure: str
    lang: str
    output: Path

    @property
    def name(self) -> str:
        return f"{self.brochure}.{self.lang}"


@dataclass
class JobResult:
    job: Job
    failures: list[str] = field(default_factory=list)
    pages: int = 0
    size: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class BuildReport:
    results: list[JobResult]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


def build(
    root: Path,
    brochures: list[str] | None = None,
    langs: list[str] | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> BuildReport:
    """Load the project, plan the jobs, check templates and build/, then render every job."""
    project = load_project(root)
    jobs = plan(project, brochures or [], langs or [])
    env = render.environment(project.template_dirs, default_templates())
    render.check_templates(env, project.template_dirs)
    check_output_dir(project)
    pages = {job: render_job(project, env, job) for job in jobs}  # template errors: before any PDF

    from brochures.pdf import PdfRenderer, quiet_weasyprint_logs  # WeasyPrint: only when building

    quiet_weasyprint_logs()
    renderer = PdfRenderer(project.template_dirs)
    results = []
    for job, page in pages.items():
        result = write_pdf(renderer, job, page)
        results.append(result)
        if on_result:
            on_result(result)
    return BuildReport(results)


def plan(project: Project, brochures: list[str], langs: list[str]) -> list[Job]:
    """One job per brochure and language; unknown ids are input errors."""
    problems = [
        Problem(None, None, f"unknown brochure '{b}' (known: {', '.join(project.brochures)})")
        for b in brochures
        if b not in project.brochures
    ]
    selected = brochures or list(project.brochures)
    wanted = langs or [SOURCE_LANGUAGE]
    for code in wanted:
        if not any(code in project.languages_of(project.brochures[b])
                   for b in selected if b in project.brochures):
            problems.append(Problem(None, None, f"unknown language '{code}' (project languages: "
                                    f"{', '.join(project.settings.languages)})"))
        elif code != SOURCE_LANGUAGE:
            problems.append(Problem(None, None, f"no translations for '{code}' yet: this version "
                                    "builds the German source edition only"))
    if problems:
        raise ConfigError(problems)
    return [
        Job(b, code, project.build_dir / "pdf" / b / f"{b}.{code}.pdf")
        for b in selected
        for code in wanted
        if code in project.languages_of(project.brochures[b])
    ]


def check_output_dir(project: Project) -> None:
    """`build/` must be a folder we can write to (or creatable)."""
    build_dir = project.build_dir
    if build_dir.exists() and not build_dir.is_dir():
        raise EnvironmentProblem(Problem(build_dir, None, "is not a folder (remove or rename it)"))


def render_job(project: Project, env: Environment, job: Job) -> render.RenderedHtml:
    """The HTML of one job: the brochure's German content through its format's template."""
    return render.render_html(env, project.content(job.brochure), language(job.lang))


def write_pdf(renderer: PdfRenderer, job: Job, page: render.RenderedHtml) -> JobResult:
    """Lay out one job's HTML, run its gates, and write the PDF only if all pass."""
    started = time.perf_counter()
    result = JobResult(job)
    renderer.fetcher.refused.clear()
    pdf = renderer.render(page.html)
    result.failures += checks.refused_resources(renderer.fetcher.refused)
    result.failures += checks.page_fit(pdf, page.max_pages, page.format)
    result.pages, result.size = pdf.pages, len(pdf.data)
    if result.ok:
        write_atomic(job.output, pdf.data)
    else:
        job.output.unlink(missing_ok=True)  # a stale PDF must not look current
    result.seconds = time.perf_counter() - started
    return result
