"""The accessibility gate: the project's own PDF/UA-1 checks of a screen PDF, and the XMP claim."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from brochures.rendering.tagging import is_element as _is_element
from brochures.rendering.tagging import kids as _kids

if TYPE_CHECKING:
    import pikepdf

# Content-stream operators that paint (text, paths, shadings, images, forms).
_TEXT = {"Tj", "TJ", "'", '"'}
_PAINT = _TEXT | {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"}
_HEADING = re.compile(r"/H([1-6])$")
_CLAIM = re.compile(rb'\s+pdfuaid:part="1"')
# Unicode script names (the start of a character's name) of ISO 15924 codes
_SCRIPTS = {
    "Latn": "LATIN",
    "Arab": "ARABIC",
    "Cyrl": "CYRILLIC",
    "Ethi": "ETHIOPIC",
    "Hebr": "HEBREW",
    "Grek": "GREEK",
    "Armn": "ARMENIAN",
    "Geor": "GEORGIAN",
}


def claims_pdfua(pdf: pikepdf.Pdf) -> bool:
    """Whether the XMP metadata claims PDF/UA-1 (pdfuaid:part 1)."""
    metadata = pdf.Root.get("/Metadata")
    return metadata is not None and b'pdfuaid:part="1"' in metadata.read_bytes()


def withdraw_claim(pdf: pikepdf.Pdf) -> None:
    """Remove the PDF/UA-1 identification WeasyPrint's pdf/ua-1 variant wrote into the XMP."""
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        metadata.write(_CLAIM.sub(b"", metadata.read_bytes()))


def check(pdf: pikepdf.Pdf) -> list[str]:
    """What keeps this tagged PDF from PDF/UA-1, as far as a program can tell (an empty list:
    nothing). Checked: document language, title shown, marked; every painted thing tagged or
    an artifact and every tagged thing in the structure tree; headings in order and not
    empty; figures with alternative text in their language's script; lists and tables well
    formed; a bookmark for every H2; links and annotations described and tagged; /Tabs /S; fonts
    embedded, with a Unicode mapping for every glyph shown."""
    tree = _Tree(pdf)
    if tree.root is None:
        return ["no structure tree (the PDF is not tagged)"]
    return [
        *_document(pdf),
        *_content(pdf, tree),
        *_headings(tree),
        *_figures(pdf, tree),
        *_lists_and_tables(tree),
        *_bookmarks(pdf, tree),
        *_annotations(pdf, tree),
        *_fonts(pdf, tree),
    ]


# ---- the structure tree ----


class _Tree:
    """The structure elements reachable from the root, in reading order, with their effective
    language, and the ParentTree's marked content -> element mapping."""

    def __init__(self, pdf: pikepdf.Pdf):
        import pikepdf

        self.root = pdf.Root.get("/StructTreeRoot")
        self.elements: list[tuple[pikepdf.Dictionary, str, int]] = []  # element, lang, depth
        self.reachable: set[tuple[int, int]] = set()
        self.pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self.parent_tree: dict[int, pikepdf.Object] = {}
        self._parsed: dict[tuple[int, int], list] = {}
        if self.root is None:
            return
        document_lang = str(pdf.Root.get("/Lang", ""))
        stack = [(kid, document_lang, 0) for kid in reversed(_kids(self.root))]
        while stack:
            element, lang, depth = stack.pop()
            if not _is_element(element) or element.objgen in self.reachable:
                continue
            self.reachable.add(element.objgen)
            lang = str(element.get("/Lang", "")) or lang
            self.elements.append((element, lang, depth))
            stack += [(kid, lang, depth + 1) for kid in reversed(_kids(element))]
        nums = self.root.get("/ParentTree", {}).get("/Nums", pikepdf.Array())
        self.parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}

    def instructions(self, container) -> list:
        """A page's or form's content stream, parsed once for all the checks."""
        import pikepdf

        key = container.objgen if container.is_indirect else (id(container), -1)
        if key not in self._parsed:
            self._parsed[key] = pikepdf.parse_content_stream(container)
        return self._parsed[key]

    def element_of(self, page_key: int, mcid: int):
        entry = self.parent_tree.get(page_key)
        if entry is None or mcid >= len(entry):
            return None
        element = entry[mcid]
        return element if _is_element(element) else None

    def page_of(self, element) -> int | None:
        """The page of an element's first marked content (or its own /Pg)."""
        for kid in [element, *_descendants(element)]:
            page = kid.get("/Pg") if hasattr(kid, "get") else None
            if page is not None and page.objgen in self.pages:
                return self.pages[page.objgen]
        return None


def _descendants(element):
    for kid in _kids(element):
        if _is_element(kid):
            yield kid
            yield from _descendants(kid)


def _marks_content(element) -> bool:
    import pikepdf

    for kid in _kids(element):
        if isinstance(kid, int) or (
            isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR
        ):
            return True
        if _is_element(kid) and _marks_content(kid):
            return True
    return False


# ---- the checks ----


def _document(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    root = pdf.Root
    if not str(root.get("/Lang", "")).strip():
        problems.append("the document has no language (/Lang)")
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
        problems.append("the document is not marked as tagged (/MarkInfo /Marked)")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        problems.append("viewers are not asked to show the title (DisplayDocTitle)")
    metadata = root.get("/Metadata")
    xmp = metadata.read_bytes() if metadata is not None else b""
    title = re.search(rb"<dc:title>.*?<rdf:li[^>]*>([^<]+)</rdf:li>", xmp, re.S)
    if title is None or not title[1].strip():
        problems.append("the XMP metadata has no title (dc:title)")
    for number, page in enumerate(pdf.pages, start=1):
        if page.obj.get("/Tabs") != "/S":
            problems.append(f"page {number}: tab order does not follow the structure (/Tabs /S)")
    return problems


def _content(pdf: pikepdf.Pdf, tree: _Tree) -> list[str]:
    """Every painting operator inside an artifact or inside marked content whose element is in
    the structure tree."""
    import pikepdf

    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        untagged: Counter[str] = Counter()
        orphans: set[int] = set()
        stack: list[tuple[str, int | None]] = []
        key = int(page.obj.get("/StructParents", -1))
        for operands, operator in tree.instructions(page.obj):
            op = str(operator)
            if op in ("BDC", "BMC"):
                mcid = None
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    mcid = operands[1].get("/MCID")
                stack.append((str(operands[0]), int(mcid) if mcid is not None else None))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in _PAINT:
                if any(tag == "/Artifact" for tag, _ in stack):
                    continue
                mcid = next((m for _, m in reversed(stack) if m is not None), None)
                if mcid is None:
                    untagged["text" if op in _TEXT else "image/form" if op == "Do" else op] += 1
                    continue
                element = tree.element_of(key, mcid)
                if element is None or element.objgen not in tree.reachable:
                    orphans.add(mcid)
        if untagged:
            what = ", ".join(f"{n} {kind}" for kind, n in sorted(untagged.items()))
            problems.append(
                f"page {number}: content neither tagged nor an artifact ({what} painting operators)"
            )
        if orphans:
            problems.append(
                f"page {number}: {len(orphans)} marked-content sequences belong to no element "
                "of the structure tree"
            )
    return problems


def _headings(tree: _Tree) -> list[str]:
    problems = []
    previous = 0
    inside: list[int] = []  # depths of open headings
    for element, _lang, depth in tree.elements:
        while inside and inside[-1] >= depth:
            inside.pop()
        match = _HEADING.match(str(element.S))
        if match is None:
            continue
        level = int(match[1])
        where = f"page {(tree.page_of(element) or 0) + 1}"
        if inside:
            problems.append(f"{where}: heading H{level} inside another heading")
        inside.append(depth)
        if previous == 0 and level != 1:
            problems.append(f"{where}: the first heading is H{level}, not H1")
        elif level > previous + 1:
            problems.append(f"{where}: heading H{level} follows H{previous} (a level skipped)")
        if not _marks_content(element):
            problems.append(f"{where}: heading H{level} is empty")
        previous = level
    return problems


def _figures(pdf: pikepdf.Pdf, tree: _Tree) -> list[str]:
    problems = []
    for element, lang, _depth in tree.elements:
        if element.S != "/Figure":
            continue
        where = f"page {(tree.page_of(element) or 0) + 1}"
        alt = str(element.get("/Alt", "")).strip()
        if not alt:
            problems.append(f"{where}: figure without alternative text (/Alt)")
            continue
        expected = script_of(lang)
        found = dominant_script(alt)
        if expected and found and found != expected:
            problems.append(
                f"{where}: the figure's alternative text is in {found.title()} script, its "
                f"language ({lang}) is written in {expected.title()} (“{alt[:40]}”)"
            )
    return problems


@cache
def script_of(lang: str) -> str | None:
    """The Unicode script name a language is written in (CLDR's likely subtags), or None."""
    from babel.core import get_global

    code = lang.replace("-", "_")
    likely = get_global("likely_subtags")
    for candidate in (code, code.split("_")[0]):
        parts = likely.get(candidate, "").split("_")
        for part in parts[1:]:
            if len(part) == 4 and part.istitle():
                return _SCRIPTS.get(part)
    return None


def dominant_script(text: str) -> str | None:
    """The script most letters of a text are in (by Unicode character names)."""
    scripts = Counter(
        unicodedata.name(c, "?").split(" ")[0]
        for c in text
        if unicodedata.category(c).startswith("L")
    )
    return scripts.most_common(1)[0][0] if scripts else None


def _lists_and_tables(tree: _Tree) -> list[str]:
    problems = []
    for element, _lang, _depth in tree.elements:
        role = str(element.S)
        if role not in ("/L", "/LI", "/Table"):
            continue
        kids = [str(k.S) for k in _kids(element) if _is_element(k)]
        where = f"page {(tree.page_of(element) or 0) + 1}"
        if role == "/L" and any(k not in ("/LI", "/L", "/Caption") for k in kids):
            problems.append(f"{where}: a list (L) holds {', '.join(sorted(set(kids)))}")
        elif role == "/LI" and any(k not in ("/Lbl", "/LBody") for k in kids):
            problems.append(f"{where}: a list item (LI) holds {', '.join(sorted(set(kids)))}")
        elif role == "/Table":
            headers = [e for e in _descendants(element) if e.S == "/TH"]
            if not headers:
                problems.append(f"{where}: a table without header cells (TH)")
            for header in headers:
                attributes = header.get("/A", {})
                if "/Scope" not in attributes and "/ID" not in header:
                    problems.append(f"{where}: a header cell (TH) without /Scope or /ID")
    return problems


def _bookmarks(pdf: pikepdf.Pdf, tree: _Tree) -> list[str]:
    """Every H2 has a bookmark pointing at its page; no bookmark is without a title."""
    import pikepdf

    headings = Counter(
        tree.page_of(element) for element, _lang, _depth in tree.elements if element.S == "/H2"
    )
    marks: Counter[int | None] = Counter()
    untitled = 0
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            stack += list(item.children)
            untitled += not (item.title or "").strip()
            destination = item.destination
            if isinstance(destination, pikepdf.Array) and len(destination):
                marks[tree.pages.get(destination[0].objgen)] += 1
    problems = []
    missing = headings - marks
    for page, count in sorted(missing.items(), key=lambda item: item[0] or 0):
        problems.append(f"page {(page or 0) + 1}: {count} H2 heading(s) without a bookmark")
    if untitled:
        problems.append(f"{untitled} bookmark(s) without a title")
    return problems


def _annotations(pdf: pikepdf.Pdf, tree: _Tree) -> list[str]:
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            subtype = str(annotation.get("/Subtype", ""))
            if subtype in ("/Popup", "/PrinterMark"):
                continue
            if not str(annotation.get("/Contents", "")).strip():
                problems.append(f"page {number}: a {subtype[1:]} annotation without /Contents")
            key = annotation.get("/StructParent")
            element = tree.parent_tree.get(int(key)) if key is not None else None
            if element is None or not _is_element(element):
                problems.append(f"page {number}: a {subtype[1:]} annotation is not tagged")
            elif element.objgen not in tree.reachable:
                problems.append(
                    f"page {number}: a {subtype[1:]} annotation's element is not in the tree"
                )
            elif subtype == "/Link" and element.S != "/Link":
                problems.append(f"page {number}: a link annotation tagged {element.S}, not Link")
    return problems


# ---- fonts: embedded, every glyph shown mapped to Unicode ----


def _fonts(pdf: pikepdf.Pdf, tree: _Tree) -> list[str]:
    import pikepdf

    shown: dict[tuple[int, int], set[bytes]] = {}
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    seen_forms: set[tuple[int, int]] = set()

    def scan(container, resources) -> None:
        font_map = resources.get("/Font", {}) if resources is not None else {}
        xobjects = resources.get("/XObject", {}) if resources is not None else {}
        current = None
        for operands, operator in tree.instructions(container):
            op = str(operator)
            if op == "Tf":
                current = font_map.get(str(operands[0]))
                if current is not None:
                    fonts[current.objgen] = current
            elif op in _TEXT and current is not None:
                strings = operands[-1]
                items = list(strings) if isinstance(strings, pikepdf.Array) else [strings]
                codes = shown.setdefault(current.objgen, set())
                for item in items:
                    if isinstance(item, pikepdf.String):
                        codes.add(bytes(item))
            elif op == "Do":
                form = xobjects.get(str(operands[0]))
                if (
                    form is not None
                    and form.get("/Subtype") == "/Form"
                    and form.objgen not in seen_forms
                ):
                    seen_forms.add(form.objgen)
                    scan(form, form.get("/Resources", resources))

    for page in pdf.pages:
        scan(page.obj, page.obj.get("/Resources"))
    problems = []
    for objgen, font in fonts.items():
        name = str(font.get("/BaseFont", "?"))[1:]
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        if font.get("/Subtype") != "/Type3" and (
            descriptor is None
            or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        ):
            problems.append(f"font {name} is not embedded")
        width = 2 if font.get("/Subtype") == "/Type0" else 1
        mapping = _to_unicode(font.get("/ToUnicode"))
        codes = {
            int.from_bytes(data[i : i + width], "big")
            for data in shown.get(objgen, ())
            for i in range(0, len(data) - width + 1, width)
        }
        unmapped = sorted(c for c in codes if not _meaningful(mapping.get(c)))
        if unmapped:
            listed = ", ".join(f"{c:0{width * 2}x}" for c in unmapped[:8])
            problems.append(
                f"font {name}: {len(unmapped)} glyph(s) shown without a Unicode mapping ({listed})"
            )
    return problems


def _meaningful(text: str | None) -> bool:
    return bool(text) and all(c not in "\x00\ufffd\ufffe\uffff" for c in text or "")


_HEX = rb"<([0-9a-fA-F]*)>"


def _to_unicode(stream) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: code -> text."""
    if stream is None:
        return {}
    data = stream.read_bytes()
    mapping: dict[int, str] = {}

    def text(hex_bytes: bytes) -> str:
        return bytes.fromhex(hex_bytes.decode()).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(_HEX + rb"\s*" + _HEX, block):
            mapping[int(source, 16)] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, rest in re.findall(
            _HEX + rb"\s*" + _HEX + rb"\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block
        ):
            start, end = int(low, 16), int(high, 16)
            if rest.startswith(b"["):
                targets = re.findall(_HEX, rest)
                for offset, target in enumerate(targets[: end - start + 1]):
                    mapping[start + offset] = text(target)
            else:
                base = bytes.fromhex(rest[1:-1].decode())
                for offset in range(end - start + 1):
                    value = int.from_bytes(base, "big") + offset
                    mapping[start + offset] = value.to_bytes(len(base), "big").decode(
                        "utf-16-be", errors="replace"
                    )
    return mapping
