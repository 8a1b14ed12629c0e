"""Proof sheets: every page of a brochure's PDFs as labelled thumbnails in build/proof/."""

from __future__ import annotations

import base64
import subprocess
import tempfile
from html import escape
from pathlib import Path

from brochures.build import build
from brochures.files import write_atomic
from brochures.rendering.jobs import JobResult


def page_images(pdf: Path, resolution: int = 28) -> list[bytes]:
    """Every page of a PDF as a small PNG (poppler's pdftoppm)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(resolution), "-png", str(pdf), f"{tmp}/page"], check=True
        )
        return [p.read_bytes() for p in sorted(Path(tmp).glob("page-*.png"), key=_number)]


def _number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def sheet_html(brochure: str, results: list[JobResult]) -> str:
    """A landscape A4 document: one section per PDF (language and edition), its pages in a row
    of thumbnails, each labelled with the PDF and the page number."""
    sections = []
    for result in results:
        name = result.job.output.name
        thumbs = "".join(
            f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
            f'alt="{escape(name)}, Seite {i}"><figcaption>{i}</figcaption></figure>'
            for i, png in enumerate(page_images(result.job.output), start=1)
        )
        sections.append(f"<section><h2>{escape(name)}</h2><div>{thumbs}</div></section>")
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Andruck {escape(brochure)}</title><style>"
        "@page { size: A4 landscape; margin: 10mm; } body { font-family: 'Noto Sans'; }"
        "h1 { font-size: 14pt; } h2 { font-size: 9pt; margin: 3mm 0 1mm; }"
        "section { break-inside: avoid; } section > div { display: flex; flex-wrap: wrap; }"
        "figure { margin: 0 2mm 2mm 0; } img { height: 38mm; border: 0.3pt solid #888; }"
        "figcaption { font-size: 7.5pt; text-align: center; }</style></head><body>"
        f"<h1>Andruck: {escape(brochure)}</h1>{''.join(sections)}</body></html>"
    )


def proof(root: Path, brochures: list[str] | None = None) -> list[Path]:
    """Build what is out of date (screen profile, single and bilingual editions), then write
    build/proof/<brochure>.pdf for each brochure."""
    import weasyprint

    report = build(root, brochures or [], profiles=["screen"])
    written = []
    by_brochure: dict[str, list[JobResult]] = {}
    for result in report.results:
        if result.ok and result.job.output.exists():
            by_brochure.setdefault(result.job.brochure, []).append(result)
    for brochure, results in by_brochure.items():
        path = root.resolve() / "build" / "proof" / f"{brochure}.pdf"
        pdf = weasyprint.HTML(string=sheet_html(brochure, results)).write_pdf()
        write_atomic(path, pdf)
        written.append(path)
    return written
