"""Page previews for reviewers: a page as it would be built now, PNG, one text highlighted."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brochures.content.project import Project, load_project
from brochures.rendering.locate import EDITIONS, Box, boxes_of, located_html, renderer
from brochures.translation.catalogs import load_texts, po_path

if TYPE_CHECKING:
    import weasyprint

SCALE = 1.5  # pixels per CSS px: sharp on a phone, still small (an A5 page: 840 × 1191)
CACHED = 24  # laid-out documents kept (language × brochure × edition × catalog version)
HIGHLIGHT_FILL = (255, 200, 0, 90)
HIGHLIGHT_LINE = (200, 60, 0, 255)


class UnknownPage(LookupError):
    """No such brochure, edition or page for the language."""


@dataclass
class Laid:
    """One laid-out document of a brochure, the boxes of its texts and its pages as PNG."""

    document: weasyprint.Document
    boxes: dict[str, list[Box]]
    pngs: dict[int, bytes]

    @property
    def pages(self) -> int:
        return len(self.document.pages)


def catalog_version(project: Project, lang: str) -> str:
    """Changes whenever the language's catalog changes on disk."""
    try:
        return hashlib.sha256(po_path(project, lang).read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "none"


def source_stamp(project: Project) -> tuple:
    """Changes when a file of the project's sources or templates changes (German, layout)."""
    stamp = []
    for folder in [project.source_dir, *project.template_dirs]:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = path.stat()
                stamp.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class Previews:
    """Lays out brochures with their texts marked, in the server process, with the process's one
    warm FontConfiguration (rendering.locate.renderer); keeps the laid-out documents per
    (language, brochure, edition, catalog version, sources) and their page PNGs."""

    def __init__(self, root: Path):
        from brochures.rendering.pdf import quiet_weasyprint_logs

        quiet_weasyprint_logs()
        self.root = root
        self.lock = threading.RLock()  # held while WeasyPrint lays out (one at a time)
        self._project: Project | None = None
        self._stamp: tuple | None = None
        self._cache: OrderedDict[tuple, Laid] = OrderedDict()

    def project(self) -> Project:
        """The project, loaded again when its sources or templates changed."""
        with self.lock:
            if self._project is None or source_stamp(self._project) != self._stamp:
                self._project = load_project(self.root)
                self._stamp = source_stamp(self._project)
            return self._project

    def laid_out(self, lang: str, brochure: str, edition: str) -> Laid:
        with self.lock:
            project = self.project()
            if brochure not in project.brochures or edition not in EDITIONS:
                raise UnknownPage(f"no brochure '{brochure}' in edition '{edition}'")
            if lang not in project.languages_of(project.brochures[brochure]):
                raise UnknownPage(f"brochure '{brochure}' is not made in '{lang}'")
            key = (lang, brochure, edition, catalog_version(project, lang), self._stamp)
            laid = self._cache.get(key)
            if laid is None:
                html, _ = located_html(project, brochure, lang, edition, load_texts(project, lang))
                document = renderer(tuple(project.template_dirs)).layout(html)
                laid = self._cache[key] = Laid(document, boxes_of(document), {})
                while len(self._cache) > CACHED:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return laid

    def png(
        self, lang: str, brochure: str, edition: str, page: int, highlight: str | None = None
    ) -> bytes:
        """One page (1-based, physical) as PNG, the boxes of the text `highlight` marked."""
        with self.lock:
            laid = self.laid_out(lang, brochure, edition)
            if not 1 <= page <= laid.pages:
                raise UnknownPage(f"no page {page} (the brochure has {laid.pages})")
            if page not in laid.pngs:
                laid.pngs[page] = rasterise(laid.document, page)
            plain = laid.pngs[page]
            boxes = [b for b in laid.boxes.get(highlight or "", []) if b.page == page]
        return highlighted(plain, merged(boxes)) if boxes else plain


def rasterise(document: weasyprint.Document, page: int) -> bytes:
    """The page written as a one-page PDF and drawn by PDFium in this process (measured: a
    `pdftoppm` process per page took 0.1 s, PDFium 0.005 s)."""
    import pypdfium2

    data = document.copy([document.pages[page - 1]]).write_pdf()
    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[0].render(scale=SCALE * 96 / 72).to_pil()  # pixels per PDF point
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def merged(boxes: list[Box]) -> list[tuple[float, float, float, float]]:
    """Overlapping boxes of a text (an inline box and the text boxes inside it) as one
    rectangle each: x0, y0, x1, y1 in CSS px."""
    rects: list[tuple[float, float, float, float]] = []
    for box in boxes:
        rect = (box.x, box.y, box.x + box.width, box.y + box.height)
        for i, other in enumerate(rects):
            if (
                rect[0] < other[2]
                and other[0] < rect[2]
                and rect[1] < other[3]
                and other[1] < rect[3]
            ):
                rects[i] = (
                    min(rect[0], other[0]),
                    min(rect[1], other[1]),
                    max(rect[2], other[2]),
                    max(rect[3], other[3]),
                )
                break
        else:
            rects.append(rect)
    return rects


def highlighted(png: bytes, rects: list[tuple[float, float, float, float]]) -> bytes:
    """The page with each rectangle tinted and outlined."""
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(png)).convert("RGBA")
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, y0, x1, y1 in rects:
        box = [x0 * SCALE - 3, y0 * SCALE - 2, x1 * SCALE + 3, y1 * SCALE + 2]
        draw.rectangle(box, fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_LINE, width=3)
    out = io.BytesIO()
    Image.alpha_composite(image, overlay).convert("RGB").save(out, "PNG", compress_level=1)
    return out.getvalue()
