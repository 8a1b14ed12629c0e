"""WeasyPrint: font configuration, the restricted URL fetcher, metadata and PDF bytes."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from brochures.rendering.breaks import (
    hyphenated_ends,
    keep_whole,
    line_boxes,
    nowrap_joins,
    runt_lines,
)


class RefusedURL(ValueError):
    """The fetcher refused a URL (WeasyPrint logs it and leaves the resource out)."""


class RestrictedFetcher(weasyprint.URLFetcher):
    """Reads `data:` URIs and files inside the template folders in use; nothing else.

    Paths are compared after resolving symlinks and `..`, so `assets/../../etc/passwd` and a
    symlink out of the assets folder are refused. A relative file missing from the first
    folder is looked up in the next one (a project overrides assets by name).
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._allowed_path(Path(unquote(urlsplit(url).path)))
            if path is not None:
                return URLFetcherResponse(path.as_uri(), body=path.read_bytes())
        self.refused.append(url)
        raise RefusedURL(f"refused to fetch {url}")

    def _allowed_path(self, path: Path) -> Path | None:
        normal = Path(os.path.normpath(path))  # `..` removed lexically, symlinks kept
        for root in self.roots:
            if not normal.is_relative_to(root):
                continue
            relative = normal.relative_to(root)
            for candidate_root in self.roots:
                candidate = (candidate_root / relative).resolve()
                if candidate.is_relative_to(candidate_root) and candidate.is_file():
                    return candidate
        return None


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    page_sizes_mm: list[tuple[float, float]] = field(default_factory=list)
    overflows: list[str] = field(default_factory=list)  # blocks that run out of their slot
    spill: str = ""  # with too many pages: what runs onto the first page too many, and how much
    text: str = ""  # the laid-out text, box by box: what the PDF's text layer says
    # what the accessibility gate found (screen PDFs; empty: PDF/UA-1 claimed), None: not checked
    accessibility: list[str] | None = None


@cache
def shared_fonts() -> FontConfiguration:
    """The process's one FontConfiguration: fonts found and loaded once, for every document
    (a new one per document is slower and grows memory)."""
    return FontConfiguration()


class PdfRenderer:
    """Renders HTML to PDF, with the process's one FontConfiguration for every document."""

    def __init__(self, template_dirs: list[Path]):
        self.template_dirs = template_dirs
        self.fonts = shared_fonts()
        keep_invisible_characters()
        self.fetcher = RestrictedFetcher(template_dirs)
        self._notes_cache: dict[str, weasyprint.Document] = {}

    def render(
        self, html: str, profile: str = "screen", max_pages: int | None = None
    ) -> RenderedPdf:
        """Lay out and write one PDF. `screen`: RGB, PDF/UA-1 if it passes the accessibility gate
        (accessible_pdf); `print`: the template's CMYK colours and bleed, PDF/X-4 when it names an
        output intent. With more pages than `max_pages`, the result says what spills over (the
        page-fit gate)."""
        document = self.layout(html)
        variant = _meta(html, "brochures-pdf-variant")
        accessibility = None
        if profile == "screen":
            data, accessibility = accessible_pdf(document)
        elif variant:  # PDF/X: its random document id made deterministic
            deterministic = _deterministic(html)

            def finish(document: weasyprint.Document, pdf) -> None:
                deterministic(document, pdf)
                cmyk_blending(document, pdf)

            data = document.write_pdf(pdf_variant=variant, finisher=finish)
        else:
            data = document.write_pdf(finisher=cmyk_blending)
        px_to_mm = 25.4 / 96
        sizes = [(p.width * px_to_mm, p.height * px_to_mm) for p in document.pages]
        spilled = ""
        if max_pages is not None and len(document.pages) > max_pages:
            spilled = spill(document, max_pages)
        return RenderedPdf(
            data,
            len(document.pages),
            sizes,
            slot_overflows(document),
            text=laid_out_text(document),
            spill=spilled,
            accessibility=accessibility,
        )

    def layout(self, html: str) -> weasyprint.Document:
        """The laid-out pages of one document, copyfitted, its notes pages included (before
        the back cover when the template keeps its last page last)."""
        fixed, loosen = _FIXED.search(html), _LOOSEN.search(html)
        if fixed is not None and loosen is not None:  # a flyer, a trifold: its pages are known
            fitted, document = self._loosest_fitting(html, int(fixed[1]), int(loosen[1]))
        else:
            document = self._layout(html)
            fitted, document = self._copyfit(html, document)
            if fitted == html:  # not tightened: filled out instead, where the template allows
                fitted, document = self._loosen(html, document)
        html, document = self._mend_breaks(fitted, document)
        notes = notes_html(html, len(document.pages))
        if notes is not None:  # added: the brochure itself is not laid out again
            pages, extra = document.pages, self._notes(notes).pages
            if _PADDING_PAGE.search(html)[2] == "true" and len(pages) > 1:  # type: ignore[index]
                document = document.copy([*pages[:-1], *extra, pages[-1]])
            else:
                document = document.copy([*pages, *extra])
        return document

    def _copyfit(self, html: str, document: weasyprint.Document) -> tuple[str, weasyprint.Document]:
        """A booklet that runs a page over its last whole sheet is laid out again a
        little tighter (the template's `fit-1` … `fit-N` body classes: spacing, leading, then
        size down to its minimum), instead of gaining notes pages; the least tight level that
        saves a sheet is kept (the tightest is tried first: if it saves none, none does), else
        the document as it was."""
        fit, pad = _COPYFIT.search(html), _PADDING_PAGE.search(html)
        if fit is None or pad is None:
            return html, document
        multiple, pages = int(pad[1]), len(document.pages)
        # only a booklet one page over its last whole sheet: the levels tighten by about a
        # tenth, never enough to take back two pages (those are filled out instead: _loosen)
        if pages % multiple != 1 or pages < multiple:
            return html, document
        whole = pages - pages % multiple
        # the levels take back about a tenth of the text pages; a last text page fuller than
        # that cannot move up (one layout saved where tightening would only fail)
        if last_page_share(document) > TIGHTEN_GAIN * (whole - 1):
            return html, document

        def tightened(level: int) -> tuple[str, weasyprint.Document]:
            fitted = _with_classes(html, " ".join(f"fit-{i}" for i in range(1, level + 1)))
            return fitted, self._layout(fitted)  # (the levels are cumulative)

        top = int(fit[1])
        tightest = tightened(top)  # if the tightest level saves no sheet, none does
        if len(tightest[1].pages) > whole:
            return html, document
        for level in range(1, top):  # else the least tight level that does
            fitted, tighter = tightened(level)
            if len(tighter.pages) <= whole:
                return fitted, tighter
        return tightest

    def _loosen(self, html: str, document: weasyprint.Document) -> tuple[str, weasyprint.Document]:
        """A booklet that would leave notes pages is laid out again with more room: the
        loosest of the template's `loose-N` body classes (more spacing and leading, a larger
        size up to the template's maximum) that keeps its whole sheets (no new sheet, fewer
        notes pages or fuller pages). Else the document as it was."""
        loosen, pad = _LOOSEN.search(html), _PADDING_PAGE.search(html)
        if loosen is None or pad is None:
            return html, document
        pages = len(document.pages)
        limit = pages + (-pages % int(pad[1]))
        if limit == pages:  # whole sheets already: no notes page to fill
            return html, document
        found = self._loosest(html, int(loosen[1]), lambda laid: len(laid.pages) <= limit)
        return found or (html, document)

    def _loosest_fitting(
        self, html: str, pages: int, levels: int
    ) -> tuple[str, weasyprint.Document]:
        """A fixed format (`data-pages`: a flyer's sides, a trifold's panels) filled out: the
        loosest `loose-N` level that keeps it within its pages with no panel overflowing,
        tried loosest first (usually the first layout is the one), else the template's own
        size, as it is (the page-fit gate names what does not fit)."""
        found = self._loosest(
            html, levels, lambda laid: len(laid.pages) <= pages and not slot_overflows(laid)
        )
        return found or (html, self._layout(html))

    def _loosest(
        self, html: str, levels: int, fits: Callable[[weasyprint.Document], bool]
    ) -> tuple[str, weasyprint.Document] | None:
        """The loosest of the template's `loose-1` … `loose-<levels>` whose layout `fits`,
        tried loosest first; None if none does."""
        for level in range(levels, 0, -1):
            looser = _with_classes(html, f"loose-{level}")
            candidate = self._layout(looser)
            if fits(candidate):
                return looser, candidate
        return None

    def _mend_breaks(
        self, html: str, document: weasyprint.Document
    ) -> tuple[str, weasyprint.Document]:
        """Bad breaks mended by laying the document out again (three times at most), each
        result kept only if it has fewer bad breaks and the same pages, no panel overflowing
        more: a word hyphenated at the end of a page or column is kept whole
        (`breaks.keep_whole`), and lines broken far too early (`breaks.runt_lines`, a
        WeasyPrint bug with no-break spaces beside inline boxes, which the kept words are)
        are mended with `nowrap` spans instead of no-break spaces."""
        original, kept, nowrap = html, frozenset[str](), False

        def bad(document: weasyprint.Document) -> tuple[frozenset[str], int]:
            """The words hyphenated at an end, and the number of runt lines."""
            words = frozenset(word for _, word in hyphenated_ends(document))
            return words, len(runt_lines(document))

        words, runts = bad(document)
        overflows = len(slot_overflows(document))
        for _ in range(3):
            if not words and not runts:
                break
            kept |= words
            nowrap = nowrap or bool(runts)
            candidate_html = keep_whole(original, kept)
            if nowrap:
                candidate_html = nowrap_joins(candidate_html)
            candidate = self._layout(candidate_html)
            candidate_words, candidate_runts = bad(candidate)
            candidate_overflows = len(slot_overflows(candidate))
            if (
                len(candidate_words) + candidate_runts >= len(words) + runts
                or len(candidate.pages) != len(document.pages)
                or candidate_overflows > overflows
            ):
                if nowrap or not candidate_runts:
                    break
                nowrap = True  # the kept words' spans broke a line early: try without
                continue
            html, document = candidate_html, candidate
            words, runts, overflows = candidate_words, candidate_runts, candidate_overflows
        return html, document

    def _layout(self, html: str) -> weasyprint.Document:
        base_url = self.template_dirs[0].as_uri() + "/"
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
            font_config=self.fonts
        )

    def _notes(self, html: str) -> weasyprint.Document:
        """The laid-out notes pages of this HTML, kept for the next document that needs the
        same (same language, format, profile and number of pages)."""
        document = self._notes_cache.pop(html, None) or self._layout(html)
        self._notes_cache[html] = document  # most recent last
        while len(self._notes_cache) > NOTES_CACHED:
            del self._notes_cache[next(iter(self._notes_cache))]
        return document


def _descendants(box, slot: str | None = None):
    """Boxes in tree order, each with the `data-slot` of its nearest slot ancestor."""
    element = box.element
    if element is not None and element.get("data-slot"):
        slot = element.get("data-slot")
    yield box, slot
    for child in getattr(box, "children", []):
        yield from _descendants(child, slot)


def laid_out_text(document: weasyprint.Document) -> str:
    """The text of every text box of every page (margin boxes included), one box a line: the
    text the PDF's text layer is written from."""
    from weasyprint.formatting_structure.boxes import TextBox

    return "\n".join(
        box.text
        for page in document.pages
        for box, _slot in _descendants(page._page_box)
        if isinstance(box, TextBox)
    )


def _describe(box) -> str:
    element = box.element
    words = " ".join("".join(element.itertext()).split()) if element is not None else ""
    name = box.element_tag or "block"
    classes = element.get("class") if element is not None else None
    label = f"{name}.{classes.split()[0]}" if classes else name
    return f"{label} “{words[:60]}{'…' if len(words) > 60 else ''}”"


def slot_overflows(document: weasyprint.Document) -> list[str]:
    """Blocks laid out below the bottom of their fixed slot (`data-slot` with a `.panel-body`):
    measured on the rendered boxes, since a fixed box does not add a page when it overflows."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box, slot in _descendants(page._page_box):
            element = box.element
            if element is None or element.get("class") != "panel-body" or box.element_tag != "div":
                continue
            limit = box.content_box_y() + box.height + 0.5
            bottom = max((c.position_y + c.margin_height() for c in box.children), default=limit)
            left, right = box.content_box_x() - 0.5, box.content_box_x() + box.width + 0.5
            columns = box.style["column_count"] != "auto" or box.style["column_width"] != "auto"
            for child in box.children:
                if child.position_y + child.margin_height() > limit:
                    found.append(
                        f"page {number}, slot '{slot}': {_describe(child)} runs past the "
                        f"bottom of its panel by {(bottom - limit) * PX_TO_MM:.0f} mm"
                    )
                    break
                if columns and (
                    child.position_x < left or child.position_x + child.margin_width() > right
                ):
                    found.append(  # columns that do not fit run on beside the page
                        f"page {number}, slot '{slot}': {_describe(child)} runs past the "
                        "last column of its panels"
                    )
                    break
    return found


PX_TO_MM = 25.4 / 96


def spill(document: weasyprint.Document, max_pages: int) -> str:
    """What runs onto the pages beyond `max_pages`: the first block there, the section (goal,
    introduction, contact …) it belongs to, and how much content (mm) lies on those pages."""
    from weasyprint.formatting_structure.boxes import LineBox

    first = None
    height = 0.0
    for page in document.pages[max_pages:]:
        top = page._page_box.content_box_y()
        lowest = top
        root = page._page_box.children[0]  # the document; the margin boxes follow it
        for box, ancestors in _with_ancestors(root, ()):
            if isinstance(box, LineBox):
                lowest = max(lowest, box.position_y + box.margin_height())
                if first is None:
                    first = (ancestors[-1] if ancestors else box), ancestors
        height += lowest - top
    if first is None:
        return ""
    block, ancestors = first
    sections = [a for a in ancestors if a.element_tag == "section" and a.element is not None]
    where = ""
    if sections:
        element = sections[-1].element
        name = element.get("id") or (element.get("class") or "section").split()[0]
        where = f" (in {name})"
    return (
        f"page {max_pages + 1} begins with {_describe(block)}{where}; about "
        f"{height * PX_TO_MM:.0f} mm of content more than fits"
    )


def _with_ancestors(box, ancestors: tuple):
    """Boxes in tree order, each with its ancestor boxes that stand for an element."""
    yield box, ancestors
    if box.element is not None and box.element_tag:
        ancestors = (*ancestors, box)
    for child in getattr(box, "children", []):
        yield from _with_ancestors(child, ancestors)


_PADDING_PAGE = re.compile(
    r'<template id="brochures-padding-page" data-multiple="(\d+)"'
    r'(?: data-before-last="(true|false)")?>(.*?)</template>',
    re.S,
)
_COPYFIT = re.compile(r'<body\b[^>]*\bdata-copyfit="(\d+)"')
_LOOSEN = re.compile(r'<body\b[^>]*\bdata-loosen="(\d+)"')
_FIXED = re.compile(r'<body\b[^>]*\bdata-pages="(\d+)"')
_BODY_CLASS = re.compile(r'(<body\b[^>]*\bclass=")')


def _with_classes(html: str, classes: str) -> str:
    """The HTML with `classes` put first in its body's class attribute."""
    return _BODY_CLASS.sub(rf"\g<1>{classes} ", html, count=1)


_BODY = re.compile(r"<body\b[^>]*>")
NOTES_CACHED = 16  # laid-out notes documents kept per renderer


TIGHTEN_GAIN = 0.1  # pages of text the tightest copyfitting level saves, per page of text


def last_page_share(document: weasyprint.Document) -> float:
    """How far down its text area the last text page of a booklet (the page before the back
    cover) carries lines: 0 for an empty page, 1 for a full one."""
    if len(document.pages) < 2:
        return 1.0
    page = document.pages[-2]._page_box
    lines = list(line_boxes(page.children[0])) if page.children else []
    if not lines or not page.height:
        return 0.0
    bottom = max(line.position_y + line.height for line in lines)
    return max(0.0, min(1.0, (bottom - page.content_box_y()) / page.height))


def notes_html(html: str, pages: int) -> str | None:
    """A document of the notes pages that make the page count a multiple of the template's
    `data-multiple` (a booklet: 4): the same head (page size, bleed, fonts, colours), the same
    body element, and as many copies of the template's page as are missing; None if none are.
    Laid out on their own and appended, so the brochure is laid out once; its page numbers
    ("x / y") count the brochure's own pages, and the notes pages carry none."""
    match = _PADDING_PAGE.search(html)
    body = _BODY.search(html)
    if match is None or body is None:
        return None
    missing = -pages % int(match[1])
    if not missing:
        return None
    return f"{html[: body.end()]}\n{match[3] * missing}\n</body>\n</html>\n"


def _meta(html: str, name: str) -> str | None:
    match = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)">', html)
    return match[1] if match else None


def cmyk_blending(document: weasyprint.Document, pdf) -> None:
    """A print finisher: WeasyPrint declares every transparency group (opacity, the tagged
    content of forms) with an RGB blending space, which a print shop's preflight flags in an
    otherwise CMYK file; the groups blend in DeviceCMYK instead."""
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)  # a stream's dictionary (a form's /Group)
        groups = [obj, extra.get("Group") if isinstance(extra, dict) else None]
        if isinstance(obj, dict):  # a page's own /Group
            groups.append(obj.get("Group"))
        for group in groups:
            if (
                isinstance(group, dict)
                and group.get("S") == "/Transparency"
                and group.get("CS") not in (None, "/DeviceCMYK")
            ):
                group["CS"] = "/DeviceCMYK"


def _deterministic(html: str):
    """A finisher: PDF/X writes a random xmpMM:DocumentID; derive it from the input instead."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    stable = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"

    def finisher(document: weasyprint.Document, pdf) -> None:
        for obj in pdf.objects:
            chunks = getattr(obj, "stream", None)
            if isinstance(chunks, list) and any(
                isinstance(c, bytes) and b"xmp.did:" in c for c in chunks
            ):
                obj.stream = [
                    re.sub(
                        rb"xmp\.(did|iid):[0-9a-f-]{36}",
                        lambda m: b"xmp." + m[1] + b":" + stable.encode(),
                        c,
                    )
                    if isinstance(c, bytes)
                    else c
                    for c in chunks
                ]

    return finisher


def accessible_pdf(document: weasyprint.Document) -> tuple[bytes, list[str]]:
    """A screen PDF: WeasyPrint's PDF/UA-1 variant (tagged, DisplayDocTitle, /Tabs /S, the claim
    in XMP), its structure tree repaired (rendering.tagging), then the accessibility gate; a PDF
    that fails it keeps everything but the claim. Returns the bytes and what the gate found."""
    import pikepdf

    from brochures.rendering import accessibility, tagging

    with tagging.hooks() as notes:
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tagging.repair(pdf, notes)
        problems = accessibility.check(pdf)
        if problems:
            accessibility.withdraw_claim(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue(), problems


class LoadFailures(logging.Handler):
    """WeasyPrint's errors about resources it could not load (an image too large or damaged to
    decode, a stylesheet that does not parse): it leaves them out and goes on, so they are
    collected here and fail the job like a missing image. Refusals are reported by the fetcher."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split()).rstrip(": ")
        args = record.args if isinstance(record.args, tuple) else ()
        error = next((a for a in args if isinstance(a, BaseException)), None)
        reason = " ".join(str(error.__cause__ or error).split()) if error is not None else ""
        if reason and reason not in message:
            message += f": {reason}"
        if message.startswith("Failed to") and "refused to fetch" not in message:
            self.messages.append(message if len(message) <= 300 else message[:297] + "...")


LOAD_FAILURES = LoadFailures()


def quiet_weasyprint_logs() -> None:
    """WeasyPrint's log goes to LOAD_FAILURES only (the build reports refusals and failed loads
    itself, as job failures), not to stderr."""
    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    if LOAD_FAILURES not in logger.handlers:
        logger.addHandler(LOAD_FAILURES)


# ---- invisible characters in the text layer ----

# Characters Pango shapes as an empty glyph (PANGO_GLYPH_EMPTY): WeasyPrint 70 draws nothing for
# such a glyph and so writes no text for it, and the Persian ZWNJ vanishes from the text layer
# (به‌روز "updated" extracts as بهروز, a name). Fonts for these scripts have a real, empty,
# zero-width glyph for them: drawn instead, it carries the character into the ToUnicode map.
INVISIBLE = frozenset("\u200c\u200d\u2060")  # ZWNJ, ZWJ, word joiner
_kept: list = []  # the original draw_first_line once patched


def keep_invisible_characters() -> bool:
    """Patch WeasyPrint's drawing of a line (weasyprint.draw.text.draw_first_line) so that the
    empty glyphs Pango puts for ZWNJ, ZWJ and word joiner are replaced, before the line is
    drawn, by the font's own glyph for the character (HarfBuzz's nominal glyph). WeasyPrint then
    maps that glyph to its character like any other. Applied once per process; False if this
    WeasyPrint lacks what the patch relies on (the text layer then lacks those characters)."""
    if _kept:
        return True
    from weasyprint.draw import text as draw_text
    from weasyprint.text.ffi import ffi, harfbuzz, pango

    original = getattr(draw_text, "draw_first_line", None)
    if original is None or not hasattr(pango, "pango_font_get_hb_font"):
        return False
    try:
        harfbuzz.hb_font_get_nominal_glyph  # noqa: B018  (declared by an earlier call?)
    except AttributeError:
        ffi.cdef(
            "hb_bool_t hb_font_get_nominal_glyph (hb_font_t *font, hb_codepoint_t unicode, "
            "hb_codepoint_t *glyph);"
        )
    glyph_out = ffi.new("hb_codepoint_t *")

    def draw_first_line(stream, textbox, *args, **kwargs):
        if not INVISIBLE.isdisjoint(textbox.text):
            # WeasyPrint sets this before drawing; set first, so the line is not laid out again
            # after the glyphs were replaced.
            pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
            _replace_empty_glyphs(textbox, ffi, pango, harfbuzz, glyph_out)
        return original(stream, textbox, *args, **kwargs)

    draw_text.draw_first_line = draw_first_line
    _kept.append(original)
    return True


def _replace_empty_glyphs(textbox, ffi, pango, harfbuzz, glyph_out) -> None:
    line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    run = line.runs[0]
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        run = run.next
        count, clusters = glyphs.num_glyphs, glyphs.log_clusters
        rtl = item.analysis.level % 2
        for i in range(count):
            info = glyphs.glyphs[i]
            if info.glyph != pango.PANGO_GLYPH_EMPTY:
                continue
            # the glyph's characters, as WeasyPrint computes them (glyphs in visual order)
            if rtl:
                end = item.length if i == 0 else clusters[i - 1]
            else:
                end = item.length if i == count - 1 else clusters[i + 1]
            characters = utf8[item.offset + clusters[i] : item.offset + end].decode()
            if len(characters) != 1 or characters not in INVISIBLE:
                continue
            font = pango.pango_font_get_hb_font(item.analysis.font)
            if harfbuzz.hb_font_get_nominal_glyph(font, ord(characters), glyph_out):
                info.glyph = glyph_out[0]


@contextmanager
def invisible_characters_dropped():
    """WeasyPrint's own drawing while inside (for the test that shows the patch is needed)."""
    from weasyprint.draw import text as draw_text

    patched = draw_text.draw_first_line
    draw_text.draw_first_line = _kept[0] if _kept else patched
    try:
        yield
    finally:
        draw_text.draw_first_line = patched
