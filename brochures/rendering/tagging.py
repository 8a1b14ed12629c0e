"""Tagged PDF repairs: element languages, margin boxes as artifacts, split elements joined."""

from __future__ import annotations

import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf


@dataclass
class TagNotes:
    """What WeasyPrint's tag-tree builder saw, for the repairs after the PDF is written."""

    # structure element (object number) -> the HTML element it was made for
    sources: dict[int, int] = field(default_factory=dict)
    # page index -> marked-content ids of margin-box text (running heads, page numbers)
    margin_mcids: dict[int, set[int]] = field(default_factory=dict)


_PATCHING = threading.Lock()  # one tagged write at a time may wrap WeasyPrint's module function


@contextmanager
def hooks():
    """While WeasyPrint writes a tagged PDF: give structure elements of other-language text their
    own /Lang (WeasyPrint writes only the document's), and note which HTML element each structure
    element was made for and which marked content is margin-box text. Wraps WeasyPrint's
    tag-tree builder, which recurses through its module attribute, so every box passes here."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    notes = TagNotes()
    with _PATCHING:
        original = getattr(tags, "_build_box_tree", None)
        if original is None:  # another WeasyPrint: tagging still works, without the repairs
            yield notes
            return
        tags._build_box_tree = _noting(original, notes, boxes.MarginBox)
        try:
            yield notes
        finally:
            tags._build_box_tree = original


def _noting(original, notes: TagNotes, margin_box: type):
    """WeasyPrint's tag-tree builder, taking notes (see `hooks`)."""

    def noted(box, parent, pdf, page_number, nums, *args, **kwargs):
        source = getattr(getattr(box, "_box", box), "element", None)
        if isinstance(box, margin_box):
            before = set(nums)
            yield from original(box, parent, pdf, page_number, nums, *args, **kwargs)
            notes.margin_mcids.setdefault(page_number, set()).update(set(nums) - before)
            return
        lang = source.get("lang") if source is not None else None
        tag = getattr(box, "element_tag", None)
        for element in original(box, parent, pdf, page_number, nums, *args, **kwargs):
            if lang and tag not in ("html", "body") and "Lang" not in element:
                import pydyf

                element["Lang"] = pydyf.String(lang)
            if source is not None and getattr(element, "number", None) is not None:
                # the first call to yield an element made it; <html> and <body> pass theirs on
                notes.sources.setdefault(element.number, id(source))
            yield element

    return noted


def repair(pdf: pikepdf.Pdf, notes: TagNotes) -> None:
    """Margin-box text (running footers, page numbers) becomes pagination artifacts; structure
    elements that WeasyPrint made twice for one HTML element (once per page it spans, or for an
    anonymous box inside it, such as a heading's block label) become one."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    tree = _ParentTree(pdf)
    for index, mcids in notes.margin_mcids.items():
        if mcids:
            _to_artifacts(pdf, pdf.pages[index], mcids)
            for mcid in mcids:
                tree.set(index, mcid, None)
    for kid in kids(root):
        if is_element(kid):
            _tidy(kid, notes.sources, tree)


def _to_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> None:
    import pikepdf

    instructions = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if (
            str(operator) == "BDC"
            and isinstance(operands[1], pikepdf.Dictionary)
            and int(operands[1].get("/MCID", -1)) in mcids
        ):
            properties = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
            operands = [pikepdf.Name.Artifact, properties]
        instructions.append((operands, operator))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


class _ParentTree:
    """The structure tree's ParentTree (WeasyPrint writes a flat /Nums array): page index or
    annotation key -> structure element(s)."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        self.index = {int(self.nums[i]): i + 1 for i in range(0, len(self.nums), 2)}
        self.pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self.page_objects = list(pdf.pages)

    def set(self, page: int, mcid: int, element) -> None:
        import pikepdf

        array = self.nums[self.index[self.page_key(page)]]
        null = pikepdf.Object.parse(b"null")
        while len(array) <= mcid:
            array.append(null)
        array[mcid] = element if element is not None else null

    def page_key(self, page: int) -> int:
        return int(self.page_objects[page].obj.get("/StructParents", page))

    def set_annotation(self, key: int, element) -> None:
        self.nums[self.index[key]] = element


def kids(element) -> list:
    """A structure element's kids as a list (a single kid is stored bare)."""
    import pikepdf

    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def is_element(obj) -> bool:
    """Whether a structure-tree object is a structure element (not a marked-content id)."""
    import pikepdf

    return (
        isinstance(obj, pikepdf.Dictionary)
        and "/S" in obj
        and obj.get("/Type", pikepdf.Name.StructElem) == pikepdf.Name.StructElem
    )


def _source(obj, sources: dict[int, int]) -> int | None:
    return sources.get(obj.objgen[0]) if obj.is_indirect else None


def _tidy(element, sources: dict[int, int], tree: _ParentTree) -> None:
    """Children made for this element's own HTML element are merged into it; consecutive
    children made for one HTML element (a section, list or paragraph across a page break)
    become one; then the same for every child."""
    import pikepdf

    mine = _source(element, sources)
    queue = deque(kids(element))
    kept: list = []
    while queue:
        kid = queue.popleft()
        if is_element(kid):
            source = _source(kid, sources)
            if source is not None and source == mine and kid.S == element.S:
                queue.extendleft(reversed(_moved_kids(kid, element, tree)))
                continue
            last = kept[-1] if kept else None
            if (
                source is not None
                and last is not None
                and is_element(last)
                and _source(last, sources) == source
                and last.S == kid.S
            ):
                last.K = pikepdf.Array([*kids(last), *_moved_kids(kid, last, tree)])
                continue
        kept.append(kid)
    element.K = pikepdf.Array(kept)
    for kid in kept:
        if is_element(kid):
            _tidy(kid, sources, tree)


def _moved_kids(old, new, tree: _ParentTree) -> list:
    """`old`'s children, made children of `new`: structure elements get their new parent,
    marked content on another page than `new`'s becomes a marked-content reference, and the
    ParentTree points at `new`."""
    import pikepdf

    moved = []
    page = old.get("/Pg")
    for kid in kids(old):
        if isinstance(kid, int):
            mcid = int(kid)
            if page is not None and new.get("/Pg") is not None and page.objgen == new.Pg.objgen:
                moved.append(mcid)
            else:
                moved.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid))
            tree.set(tree.pages[page.objgen], mcid, new)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            tree.set(tree.pages[kid.Pg.objgen], int(kid.MCID), new)
            moved.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
            key = kid.Obj.get("/StructParent")
            if key is not None:
                tree.set_annotation(int(key), new)
            moved.append(kid)
        else:
            if is_element(kid):
                kid.P = new
            moved.append(kid)
    return moved
