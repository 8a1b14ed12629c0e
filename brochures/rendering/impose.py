"""Booklet imposition: A5 pages in saddle-stitch order on A4 landscape sheets."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from brochures.errors import BrochuresError, Problem
from brochures.files import write_atomic


class ImposeError(BrochuresError):
    """The PDF cannot be imposed (missing, or not a booklet)."""


A4_LANDSCAPE = (841.8898, 595.2756)  # points


def saddle_stitch_order(pages: int, rtl: bool = False) -> list[tuple[int, int]]:
    """(left, right) page numbers (1-based) for each sheet side, front then back: for 8 pages
    [(8, 1), (2, 7), (6, 3), (4, 5)] — folded and stapled in the middle, it reads 1…8.
    A right-to-left booklet is bound on the right: each pair is mirrored."""
    if pages % 4:
        raise ValueError("a saddle-stitched booklet needs a multiple of four pages")
    sides = []
    for sheet in range(pages // 4):
        low, high = 2 * sheet + 1, pages - 2 * sheet
        sides.append((high, low))  # front of the sheet
        sides.append((low + 1, high - 1))  # back
    return [(right, left) for left, right in sides] if rtl else sides


def impose(source: Path, target: Path, rtl: bool = False) -> int:
    """Write the imposed PDF; pages are placed at trim size (bleed and marks cut away), two per
    A4 landscape sheet side. Returns the number of sheet sides."""
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation

    if not source.exists():
        raise ImposeError(Problem(source, None, "no such PDF: build it first"))
    reader = PdfReader(source)
    pages = len(reader.pages)
    if pages % 4:
        raise ImposeError(Problem(source, None, f"{pages} pages: not a booklet (a multiple of 4)"))
    first = reader.pages[0]
    trim = first.trimbox
    width, height = float(trim.width), float(trim.height)
    sheet_width, sheet_height = A4_LANDSCAPE
    if 2 * width > sheet_width + 1 or height > sheet_height + 1:
        raise ImposeError(Problem(source, None, "pages larger than A5 do not fit two on A4"))
    x0, y0 = (sheet_width - 2 * width) / 2, (sheet_height - height) / 2
    writer = PdfWriter()
    for left, right in saddle_stitch_order(pages, rtl):
        sheet = PageObject.create_blank_page(width=sheet_width, height=sheet_height)
        for slot, number in enumerate((left, right)):
            page = reader.pages[number - 1]
            box = page.trimbox
            page.mediabox = box  # place the trim area only
            move = Transformation().translate(
                x0 + slot * width - float(box.left), y0 - float(box.bottom)
            )
            sheet.merge_transformed_page(page, move)
        writer.add_page(sheet)
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items()})
    buffer = BytesIO()
    writer.write(buffer)
    write_atomic(target, buffer.getvalue())
    return len(writer.pages)
