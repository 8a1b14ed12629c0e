"""No hyphenated word across a page or column break: found in the laid-out lines, kept whole."""

from __future__ import annotations

import re
from collections.abc import Iterator

import weasyprint
from weasyprint.formatting_structure import boxes

from brochures.rendering.typography import on_text_in

HYPHEN = "\u2010"  # WeasyPrint's hyphenate-character: a hyphen it inserted, not one in the text
_LAST_WORD = re.compile(r"([^\W\d_]+)\u2010$")
_FIRST_WORD = re.compile(r"^\W*([^\W\d_]+)")


def line_boxes(box) -> Iterator[boxes.LineBox]:
    """The line boxes under `box`, in tree order."""
    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from line_boxes(child)


def _text(line: boxes.LineBox) -> str:
    parts: list[str] = []

    def walk(box) -> None:
        if isinstance(box, boxes.TextBox):
            parts.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child)

    walk(line)
    return "".join(parts).rstrip()


def _at_end(line: boxes.LineBox, lines: list[boxes.LineBox]) -> bool:
    """No other line of the page below this one in the same column (overlapping it across)."""
    left, right = line.position_x, line.position_x + line.width
    bottom = line.position_y + line.height
    for other in lines:
        if other is line or other.position_y + other.height <= bottom + 0.5:
            continue
        if other.position_x < right - 1 and other.position_x + other.width > left + 1:
            return False
    return True


def hyphenated_ends(document: weasyprint.Document) -> list[tuple[int, str]]:
    """(page number, word) for each word hyphenated at the end of a page or column: the last
    line of its column ends with an inserted hyphen, and the word is completed by the next
    line of the same paragraph, on the next column or page. Running heads and footers (margin
    boxes) do not count as lines."""
    ordered: list[tuple[int, boxes.LineBox, str]] = []
    ends: dict[int, int] = {}
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box.children[0] if page._page_box.children else None
        if root is None:
            continue
        lines = list(line_boxes(root))
        for line in lines:
            text = _text(line)
            if text.endswith(HYPHEN) and _at_end(line, lines):
                ends[len(ordered)] = number
            ordered.append((number, line, text))
    found = []
    for index, number in ends.items():
        _, line, text = ordered[index]
        head = _LAST_WORD.search(text)
        if head is None:
            continue
        element = line.element
        following = next(
            (t for _, other, t in ordered[index + 1 :] if other.element is element), None
        )
        tail = _FIRST_WORD.search(following or "")
        found.append((number, head[1] + (tail[1] if tail else "")))
    return found


_UNBROKEN = r'<span class="unbroken" style="hyphens: manual">\1</span>'
_DIR = re.compile(r"""\sdir\s*=\s*["']?(ltr|rtl)""")


def keep_whole(html: str, words: frozenset[str]) -> str:
    """The document's left-to-right text with each of `words` wrapped in a span that is never
    hyphenated (`class="unbroken"`, and the style itself, whatever the stylesheet). Text inside
    a right-to-left element is left alone: WeasyPrint orders a Latin run split by a span wrongly
    there, and a word broken in a German column of a bilingual edition may stand in its Arabic
    column too."""
    if not words:
        return html
    pattern = re.compile(
        r"(?<![\w&#])("
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")(?!\w)"
    )
    return on_text_in(
        html,
        _DIR,
        lambda text, direction: text if direction == "rtl" else pattern.sub(_UNBROKEN, text),
    )


RUNT = 0.35  # a line, not its paragraph's last, using less of its width than this is a runt
_JOINED = re.compile(r"[^\s<>\u00a0]+(?:\u00a0[^\s<>\u00a0]+)+")


def runt_lines(document: weasyprint.Document) -> list[tuple[int, str]]:
    """(page number, text) of lines that end far too early inside a left-aligned paragraph:
    WeasyPrint 70 breaks a line early when text joined by no-break spaces is followed by an
    inline box on the same line ("связь / с дру- / гими / объединениями в Kreis Warendorf")."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        if page._page_box.children:
            _runts(page._page_box.children[0], number, found)
    return found


def _runts(box, number: int, found: list) -> None:
    children = getattr(box, "children", ())
    lines = [c for c in children if isinstance(c, boxes.LineBox)]
    if (
        lines
        and box.element_tag in ("p", "dd")
        and box.style["text_align_all"] in ("start", "left")
    ):
        for line in lines[:-1]:
            ends = [c.position_x + c.margin_width() for c in line.children]
            starts = [c.position_x for c in line.children]
            if box.width and ends and (max(ends) - min(starts)) / box.width < RUNT:
                found.append((number, _text(line)))
    for child in children:
        if not isinstance(child, boxes.LineBox):
            _runts(child, number, found)


def nowrap_joins(html: str) -> str:
    """Words joined by no-break spaces (one-letter words, names) as a `nowrap` span with plain
    spaces instead: the same words on one line, without the no-break spaces that trip
    WeasyPrint's line breaking next to an inline box (`runt_lines`)."""
    return on_text_in(html, _DIR, lambda text, _direction: _JOINED.sub(_nowrap, text))


def _nowrap(joined: re.Match) -> str:
    return (
        '<span class="nowrap" style="white-space: nowrap">'
        + joined[0].replace("\u00a0", " ")
        + "</span>"
    )
