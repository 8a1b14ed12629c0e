"""Benchmark: what PDF/UA-1 costs per screen PDF, on the school brochure (de, ar, de+ar).

Prints median milliseconds per PDF, on one laid-out document each, for
  - writing the tagged PDF (WeasyPrint, `pdf_tags=True`, what the screen profile wrote before);
  - writing it with the `pdf/ua-1` variant while the tag-tree hooks take notes;
  - the repairs (pikepdf: open, margin boxes to artifacts, split elements joined);
  - the accessibility gate (`rendering.accessibility.check`);
  - saving with pikepdf (deterministic id);
and the sizes of the PDF before and after.
Run: `.venv/bin/python benchmarks/accessibility.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

import pikepdf

from brochures.build import BuildReport, load_catalogs, plan, select_pages
from brochures.content.project import default_templates, load_project
from brochures.rendering import accessibility, render, tagging
from brochures.rendering.pdf import PdfRenderer, quiet_weasyprint_logs


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--project", type=Path, default=Path(__file__).parent.parent)
    args = parser.parse_args()
    quiet_weasyprint_logs()
    project = load_project(args.project)
    jobs = plan(project, ["schule-eltern"], ["de", "ar"], ["single", "bilingual"])
    catalogs = load_catalogs(project, {job.lang for job in jobs})
    env = render.environment(project.template_dirs, default_templates())
    pages = select_pages(project, env, jobs, catalogs, False, BuildReport())
    renderer = PdfRenderer(project.template_dirs)
    print(f"median of {args.runs} runs, milliseconds per PDF")
    header = ("PDF", "tagged", "ua-1+notes", "repair", "gate", "save", "KB before", "KB after")
    print("{:26} {:>8} {:>11} {:>7} {:>6} {:>6} {:>10} {:>9}".format(*header))
    for page in pages:
        document = renderer.layout(page.html.html)
        tagged, before = median_ms(lambda d=document: d.write_pdf(pdf_tags=True), args.runs)

        def write(d=document):
            with tagging.hooks() as notes:
                return d.write_pdf(pdf_variant="pdf/ua-1"), notes

        ua, (data, notes) = median_ms(write, args.runs)

        def repaired(data=data, notes=notes):
            pdf = pikepdf.open(io.BytesIO(data))
            tagging.repair(pdf, notes)
            return pdf

        repair, pdf = median_ms(repaired, args.runs)
        gate, problems = median_ms(lambda pdf=pdf: accessibility.check(pdf), args.runs)
        assert problems == [], problems

        def saved(pdf=pdf):
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
            return out.getvalue()

        save, after = median_ms(saved, args.runs)
        print(
            f"{page.job.name:26} {tagged:8.1f} {ua:11.1f} {repair:7.1f} {gate:6.1f} {save:6.1f}"
            f" {len(before) / 1024:10.1f} {len(after) / 1024:9.1f}"
        )


if __name__ == "__main__":
    main()
