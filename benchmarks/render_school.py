"""Benchmark: warm rendering of the school brochure, against bare WeasyPrint on the same HTML.

Prints median seconds per PDF for
  - the project's path (Jinja2 HTML + WeasyPrint layout + PDF + gates), and
  - the floor: bare WeasyPrint writing the same final HTML with the same options
    (same FontConfiguration reused, same URL fetcher, same base URL),
and their ratio. Run: `.venv/bin/python benchmarks/render_school.py [--runs N] [--project DIR]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import weasyprint

from brochures import checks, render
from brochures.languages import language
from brochures.pdf import PdfRenderer, quiet_weasyprint_logs
from brochures.project import default_templates, load_project


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--brochure", default="schule-eltern")
    args = parser.parse_args()

    quiet_weasyprint_logs()
    project = load_project(args.project)
    env = render.environment(project.template_dirs, default_templates())
    renderer = PdfRenderer(project.template_dirs)
    content = project.content(args.brochure)
    lang = language("de")

    def project_path() -> None:
        page = render.render_html(env, content, lang)
        pdf = renderer.render(page.html)
        assert not checks.page_fit(pdf, page.max_pages, page.format)

    page = render.render_html(env, content, lang)
    base_url = project.template_dirs[0].as_uri() + "/"

    def floor() -> None:
        weasyprint.HTML(
            string=page.html, base_url=base_url, url_fetcher=renderer.fetcher
        ).write_pdf(font_config=renderer.fonts)

    def html_only() -> None:
        render.render_html(env, content, lang)

    cold = timed(project_path, 1)[0]  # first render in this process: Pyphen, font discovery
    for fn in (project_path, floor):  # warm both
        timed(fn, 3)
    ours, bare = [], []
    for _ in range(args.runs):  # interleaved, so background load hits both alike
        ours += timed(project_path, 1)
        bare += timed(floor, 1)
    html = timed(html_only, args.runs)
    pdf = renderer.render(page.html)
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    print(
        f"brochure: {args.brochure} ({pdf.pages} pages, {len(pdf.data) / 1024:.1f} KB), "
        f"runs: {args.runs}"
    )
    print(f"first render in process:          {cold:.3f} s")
    print(f"project path, median warm:        {med_ours:.4f} s per PDF")
    print(f"  of which Jinja2 HTML (median):  {statistics.median(html):.4f} s")
    print(f"bare WeasyPrint floor, median:    {med_bare:.4f} s per PDF")
    print(f"overhead over floor:              {med_ours / med_bare:.3f}x")
    print(f"per page (project path):          {med_ours / pdf.pages:.4f} s")


if __name__ == "__main__":
    main()
