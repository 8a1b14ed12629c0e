"""Helpers to inspect rendered PDFs: text, page boxes, fonts, metadata."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

MM_PER_PT = 25.4 / 72


def text(path: Path, page: int | None = None) -> str:
    """The text of the PDF (or of one page) as pdftotext (poppler) extracts it, in logical
    order, whitespace normalised."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # WeasyPrint's automatic hyphenation ends a line with U+2010: join the word again
    out = out.replace("\u00ad", "").replace("\u2010\n", "")
    # poppler marks directional runs with embedding controls: not part of the text
    out = re.sub("[\u202a-\u202e\u2066-\u2069]", "", out)
    return " ".join(out.split())


def page_sizes_mm(path: Path) -> list[tuple[float, float]]:
    reader = PdfReader(path)
    return [
        (round(float(p.mediabox.width) * MM_PER_PT), round(float(p.mediabox.height) * MM_PER_PT))
        for p in reader.pages
    ]


def fonts(path: Path) -> dict[str, bool]:
    """Base font name → embedded, for every font of every page."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def metadata(path: Path) -> dict[str, str]:
    reader = PdfReader(path)
    info = {k: str(v) for k, v in (reader.metadata or {}).items()}
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        info["/Lang"] = str(lang)
    info["pages"] = str(len(reader.pages))
    return info


# Design measures (issue 14), shared by tests/test_design_measures.py and benchmarks/design.py.
# The usable height of a page or panel by format (mm): the page less its top and bottom margins.
USABLE_MM = {"a5-booklet": 210 - 15 - 17, "dl-trifold": 210 - 11 - 9, "a4-flyer": 297 - 14 - 16}
MARGIN_TOP_MM = {"a5-booklet": 15, "dl-trifold": 11, "a4-flyer": 14}
PARAGRAPH_GAP_PT = 16  # blank space up to this height between two blocks still counts as text
HYPHENS = ("\u2010", "\u00ad")  # inserted by hyphenation; a "-" ends "Erziehungs- und"


def _columns(page, fmt: str) -> list[tuple[float, float]]:
    width = float(page.width)
    if fmt == "dl-trifold":  # 100 + 100 + 97 mm (or mirrored): thirds are close enough
        return [(i * width / 3, (i + 1) * width / 3) for i in range(3)]
    return [(0.0, width)]


def _union(intervals: list[tuple[float, float]], gap: float) -> float:
    total, start, end = 0.0, None, None
    for top, bottom in sorted(intervals):
        if start is None or top > end + gap:
            if start is not None:
                total += end - start
            start, end = top, bottom
        else:
            end = max(end, bottom)
    if start is not None:
        total += end - start
    return total


def design_measures(path: Path, fmt: str, rtl: bool = False) -> dict:
    """Per page (booklets, flyers) or panel (trifolds): the share of its usable height that
    carries content — text lines, figures and boxes, paragraph gaps bridged, the running
    footer left out; covers are not measured ("cover"). Also notes pages, words hyphenated at
    the end of a page or column, and the size most of the text is set in."""
    import pdfplumber

    pt_per_mm = 72 / 25.4
    usable = USABLE_MM[fmt] * pt_per_mm
    top_margin = MARGIN_TOP_MM[fmt] * pt_per_mm
    with pdfplumber.open(path) as pdf:
        shares: list[tuple[str, float | str]] = []
        notes, hyphen_ends, sizes = 0, 0, {}
        last = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(extra_attrs=["size"])
            floor = top_margin + usable  # below: the running footer
            rules = [e for e in page.edges if e["orientation"] == "h"]
            if len(rules) >= 10 and len(words) <= 4:
                notes += 1
                shares.append((f"{number}", "notes"))
                continue
            for word in words:
                size = round(float(word["size"]), 1)
                sizes[size] = sizes.get(size, 0) + len(word["text"])
            columns = _columns(page, fmt)
            for index, (x0, x1) in enumerate(columns):
                label = f"{number}" if len(columns) == 1 else f"{number}{'abc'[index]}"
                cover_panel = fmt == "dl-trifold" and number == 1 and index == (0 if rtl else 2)
                if (fmt == "a5-booklet" and number in (1, last)) or cover_panel:
                    shares.append((label, "cover"))
                    continue
                inside = [w for w in words if x0 <= float(w["x0"]) < x1 and w["bottom"] < floor]
                boxes = [
                    (float(o["top"]), float(o["bottom"]))
                    for o in (*page.rects, *page.curves, *page.images)
                    if x0 <= float(o["x0"]) < x1
                    and o["bottom"] < floor
                    and float(o["bottom"]) - float(o["top"]) < usable * 0.95  # not a background
                ]
                lines = [(float(w["top"]), float(w["bottom"])) for w in inside]
                shares.append(
                    (label, round(min(1.0, _union(lines + boxes, PARAGRAPH_GAP_PT) / usable), 2))
                )
                if inside:
                    end = max(inside, key=lambda w: (round(float(w["bottom"])), float(w["x1"])))
                    if end["text"].endswith(HYPHENS) and len(end["text"]) > 2:
                        hyphen_ends += 1
    body = max(sizes, key=lambda s: sizes[s]) if sizes else 0.0
    return {"shares": shares, "notes": notes, "hyphen_ends": hyphen_ends, "body_pt": body}


def job_measures(project, job) -> dict:
    """`design_measures` of one built job's PDF, with its format (a bilingual edition is an A5
    booklet whatever the brochure's format) and the fonts it holds from outside its stacks."""
    from brochures.languages import document_stacks, language
    from brochures.rendering.checks import foreign_fonts, stack_fonts

    fmt = "a5-booklet" if job.edition == "bilingual" else project.content(job.brochure).format
    rtl = job.edition == "single" and language(job.lang).direction == "rtl"
    return {
        **design_measures(job.output, fmt, rtl=rtl),
        "format": fmt,
        "fonts": foreign_fonts(job.output.read_bytes(), stack_fonts(document_stacks(job.lang))),
    }
