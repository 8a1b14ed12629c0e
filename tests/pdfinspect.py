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
