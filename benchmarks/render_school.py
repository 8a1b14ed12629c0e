"""Benchmark: warm rendering of the school brochure, against bare WeasyPrint on the same HTML.

Prints median seconds per PDF for
  - the project's path: Jinja2 HTML + WeasyPrint layout (plus, when the booklet is short of a
    multiple of four pages, its notes pages laid out on their own and appended; kept between
    renders) + tagged PDF with element languages + gates;
  - the floor: bare WeasyPrint laying out the same HTML (and the same notes pages) and writing
    them as one PDF with the same options
    (same FontConfiguration, same URL fetcher, same base URL, pdf_tags) in one pass;
and, separately, the cost of the gates and of laying out the notes pages.
Run: `.venv/bin/python benchmarks/render_school.py [--runs N] [--lang de]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import weasyprint

from brochures.content.project import default_templates, load_project
from brochures.languages import document_stacks, language
from brochures.rendering import checks, render
from brochures.rendering.pdf import PdfRenderer, notes_html, quiet_weasyprint_logs
from brochures.translation.catalogs import load_texts


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
    parser.add_argument("--lang", default="de")
    args = parser.parse_args()

    quiet_weasyprint_logs()
    project = load_project(args.project)
    env = render.environment(project.template_dirs, default_templates())
    renderer = PdfRenderer(project.template_dirs)
    content = project.content(args.brochure)
    lang = language(args.lang)
    catalog = load_texts(project, args.lang)
    stacks = document_stacks(args.lang)

    def html_only() -> render.RenderedHtml:
        return render.render_html(env, content, lang, catalog.fresh())

    def gates(page: render.RenderedHtml, pdf) -> None:
        checks.page_fit(pdf, page.max_pages, page.format)
        checks.glyph_coverage(page.html, lang.code, stacks)

    def project_path() -> None:
        page = html_only()
        gates(page, renderer.render(page.html))

    page = html_only()
    first = renderer.render(page.html)
    notes = notes_html(page.html, len(renderer._layout(page.html).pages))
    base_url = project.template_dirs[0].as_uri() + "/"

    def layout(html: str) -> weasyprint.Document:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=renderer.fetcher).render(
            font_config=renderer.fonts
        )

    def floor() -> None:
        document = layout(page.html)
        if notes is not None:
            document = document.copy([*document.pages, *layout(notes).pages])
        document.write_pdf(pdf_tags=True)

    def padding_pass() -> None:
        if notes is not None:
            layout(notes)

    cold = timed(project_path, 1)[0]
    for fn in (project_path, floor):
        timed(fn, 3)
    ours, bare = [], []
    for _ in range(args.runs):  # interleaved, so background load hits both alike
        ours += timed(project_path, 1)
        bare += timed(floor, 1)
    html = timed(html_only, args.runs)
    gate = timed(lambda: gates(page, first), args.runs)
    padded = notes is not None
    pad = timed(padding_pass, args.runs) if padded else [0.0]
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    print(
        f"brochure: {args.brochure}.{args.lang} ({first.pages} pages, "
        f"{len(first.data) / 1024:.1f} KB), runs: {args.runs}"
    )
    print(f"first render in process:          {cold:.3f} s")
    print(f"project path, median warm:        {med_ours:.4f} s per PDF")
    print(f"  of which Jinja2 HTML:           {statistics.median(html):.4f} s")
    print(f"  of which gates (fit, glyphs):   {statistics.median(gate):.4f} s")
    print(
        f"  notes pages, laid out alone:    {statistics.median(pad):.4f} s "
        f"({'needed' if padded else 'not needed'})"
    )
    print(f"bare WeasyPrint floor, median:    {med_bare:.4f} s per PDF")
    print(f"overhead over floor:              {med_ours / med_bare:.3f}x")
    print(f"per page (project path):          {med_ours / first.pages:.4f} s")


if __name__ == "__main__":
    main()
