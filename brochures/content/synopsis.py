"""Importing a council synopsis (two versions side by side) into the structured concept."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from brochures.content.concept import Change, load_concept, split_sentences
from brochures.content.conceptfile import assign_ids, concept_yaml, merge, validated
from brochures.content.yamlfile import read_text
from brochures.errors import Problem, SourceError, raise_if
from brochures.files import write_atomic

_HEADER = re.compile(r"(.+?)\s+i\.\s?d\.\s?F\.\s+vom\s+(\d{1,2})\.(\d{1,2})\.(\d{4})\s*\(([^)]+)\)")
_BLOCK = re.compile(r"<p\b[^>]*>(.*?)</p>|<ol\b[^>]*>(.*?)(?:</ol>|$)", re.S | re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|ol|ul|li|br|div)\b[^>]*>", re.I)
_NOT_INLINE = re.compile(r"</?(?!(?:strong|em|a|br)\b)[a-z][^>]*>", re.I)
_HEADING = re.compile(r"(\d+(?:\.\d+)+\.?|\d+\.)\s+(\S.*)")
_ITEM = re.compile(r"(?:^|\s)(\d{1,2})\.\s+")
_ELISION = re.compile(r"^\(\s*(?:\.\.\.|…)\s*\)\s*")
_MARKERS = ("ziel", "measures-mark")
_NOT_A_SYNOPSIS = (
    "not a synopsis: expected a header row naming both versions, e.g. 'Integrationskonzept "
    "i.d.F. vom 21.03.2019 (AFS)<TAB>Integrationskonzept i.d.F. vom 27.05.2019 (Rat)'"
)
_UNNAMED_NOTE = (
    "Der Auszug nennt dieses Handlungsfeld nicht: Die Synopse gibt {goals} ohne die Überschrift "
    "{its} Handlungsfelds wieder."
)

Line = tuple[int, str, tuple[str, ...]]  # line number, text, kind


@dataclass
class ImportResult:
    written: bool
    unmapped: list[Problem]  # `path:line: not mapped: why`
    dropped: list[str]  # ids of existing items the synopsis no longer has


# --- parse rows --------------------------------------------------------------------------------


def _plain(fragment: str) -> str:
    spaced = _BLOCK_TAG.sub(" ", fragment)  # "<p>1. A</p><p>2. B</p>" → "1. A 2. B"
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", spaced)).split())


def _inline(fragment: str) -> str:
    """The text to keep: `<u>` and block tags removed, "(...)" removed, spaces collapsed."""
    return _ELISION.sub("", " ".join(_NOT_INLINE.sub("", fragment).split()))


def _kind(plain: str) -> tuple[str, ...]:
    """What a line or paragraph is: heading, goal line, measures marker, goal-list heading, text."""
    if plain.startswith("Konkrete Maßnahmen"):
        return ("measures-mark",)
    if plain.startswith("Ziel:"):
        return ("ziel", plain.removeprefix("Ziel:").strip())
    if plain.startswith("Ziele Handlungsfeld"):
        return ("list-head",)
    match = _HEADING.fullmatch(plain)
    if match and not plain.endswith((".", "!", "?", ":")) and len(plain) < 200:
        return ("heading", match[1].rstrip("."), match[2])
    return ("text",)


def _blocks(cell: str) -> list[tuple[str, str]]:
    """A cell's blocks in order: ('p', html) paragraphs and ('ol', html) lists."""
    out: list[tuple[str, str]] = []
    pos = 0
    for match in [*_BLOCK.finditer(cell), None]:
        if _plain(loose := cell[pos : match.start() if match else len(cell)]):
            out.append(("p", loose))
        if match:
            out.append(("p", match[1]) if match[1] is not None else ("ol", match[2]))
            pos = match.end()
    return out


def _numbered(plain: str) -> list[tuple[int, str]] | None:
    """'1. A 2. B' → [(1, 'A'), (2, 'B')]; None unless the text is such a list throughout."""
    starts: list[tuple[int, int, int]] = []
    for match in _ITEM.finditer(plain):
        number = int(match[1])
        if (not starts and match.start() == 0) or (starts and number == starts[-1][0] + 1):
            starts.append((number, match.start(), match.end()))
    ends = [start for _, start, _ in starts[1:]] + [len(plain)]
    items = [(n, plain[begin:end].strip()) for (n, _, begin), end in zip(starts, ends, strict=True)]
    return items or None


# Active content is never concept text: `<script>`/`<style>` elements with their content (an
# element left open runs to the end of its line), `javascript:`/`vbscript:`/`data:` links (the
# link text stays), event attributes. Each removal is reported with its line.
_ACTIVE = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|<(script|style)\b[^>]*/>", re.I | re.S
)
_BAD_LINK = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*(?:javascript|vbscript|data):[^>]*>", re.I)
_EVENT = re.compile(r"\s+on[a-z]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)


def strip_active(text: str, display: str, line: int, dropped: list[Problem]) -> str:
    """`text` without active content; what was removed is appended to `dropped`."""

    def note(what: str, removed: str) -> None:
        shown = " ".join(removed.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        dropped.append(Problem(display, line, f"dropped {what} (not concept text): {shown}"))

    def element(match: re.Match) -> str:
        note(f"<{(match[1] or match[2]).lower()}> element", match[0])
        return ""

    def link(match: re.Match) -> str:
        note("script link", match[0])
        return "<a>"

    def event(match: re.Match) -> str:
        note("event attribute", match[0])
        return ""

    text = _ACTIVE.sub(element, text)
    text = _BAD_LINK.sub(link, text)
    return _EVENT.sub(event, text)


def read_header(
    path: Path, display: str, dropped: list[Problem] | None = None
) -> tuple[str, list[dict], list[tuple[int, str]]]:
    """The title and both versions from the header row, and the numbered lines after it,
    without active content (what was removed goes to `dropped`)."""
    text, problems = read_text(path, display)
    raise_if(problems, SourceError)
    lines = [(n, line) for n, line in enumerate((text or "").split("\n"), 1) if line.strip()]
    removed: list[Problem] = [] if dropped is None else dropped
    lines = [(n, strip_active(line, display, n, removed)) for n, line in lines]
    first, header = lines[0] if lines else (1, "")
    cells = [_HEADER.fullmatch(_plain(cell)) for cell in header.split("\t")]
    if len(cells) != 2 or not all(cells):
        raise SourceError(Problem(display, first, _NOT_A_SYNOPSIS))
    versions = [
        {"id": None, "label": m[5].strip(), "date": dt.date(int(m[4]), int(m[3]), int(m[2]))}
        for m in cells
        if m
    ]
    if versions[0]["date"] >= versions[1]["date"]:
        raise SourceError(Problem(display, first, "the left version must be the earlier one"))
    return cells[0][1].strip() if cells[0] else "", versions, lines[1:]


# --- pair versions and diff sentences ---------------------------------------------------------


def pair(earlier: list[str], later: list[str], similar: Callable[[str, str], bool]) -> list[tuple]:
    """Align two versions' items as index pairs in the later order: equal runs first, then
    similar items in order; the rest exist in one version only (the other index is None)."""
    out: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, earlier, later, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += zip(range(i1, i2), range(j1, j2), strict=True)
            continue
        j = j1
        for i in range(i1, i2):
            k = next((k for k in range(j, j2) if similar(earlier[i], later[k])), None)
            if k is None:
                out.append((i, None))
            else:
                out += [(None, n) for n in range(j, k)] + [(i, k)]
                j = k + 1
        out += [(None, n) for n in range(j, j2)]
    return out


def shares_sentence(a: str, b: str) -> bool:
    return bool(set(split_sentences(a)) & set(split_sentences(b)))


def _close(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6


def _change(before: str | None, after: str | None) -> dict[str, Any]:
    """The change mark and text keys of one text, from its two versions (html fragments)."""
    if before is not None and after is not None and _plain(before) == _plain(after):
        return {"change": Change.UNCHANGED.value, "text": _inline(after)}
    if before is None or after is None:
        kind = Change.ADDED if before is None else Change.REMOVED
        return {"change": kind.value, "text": _inline(after or before or "")}
    return {"change": Change.CHANGED.value, "before": _inline(before), "after": _inline(after)}


def _split_versions(part: list[Line]) -> list[list[Line]] | None:
    """Plain-text lines: split after the 'Ziel:'/'Konkrete Maßnahmen' lines that end a version,
    else where the first paragraph repeats; None when the versions cannot be told apart."""
    halves: list[list[Line]] = [[]]
    for n, item in enumerate(part):
        halves[-1].append(item)
        if item[2][0] in _MARKERS and not (n + 1 < len(part) and part[n + 1][2][0] in _MARKERS):
            halves.append([])
    halves = [half for half in halves if half]
    texts = [_plain(t) for _, t, k in part if k[0] == "text"]
    if not texts:
        return [part, []]  # only markers: nothing to tell apart
    if len(halves) == 1 and texts[0] in texts[1:]:
        at = [n for n, (_, t, _) in enumerate(part) if _plain(t) == texts[0]][1]
        halves = [part[:at], part[at:]]
    return halves if len(halves) == 2 else None


# --- build the model --------------------------------------------------------------------------


def _node(**keys: Any) -> dict[str, Any]:
    return {"id": None, **keys}


@dataclass
class _Builder:
    """Walks the rows once, keeping the current section, field of action and goal."""

    display: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[Problem] = field(default_factory=list)
    section: dict[str, Any] | None = None
    field_: dict[str, Any] | None = None
    goal: dict[str, Any] | None = None
    expect_measures: bool = False

    def warn(self, line: int, why: str) -> None:
        self.unmapped.append(Problem(self.display, line, f"not mapped: {why}"))

    def row(self, line: int, cells: list[str]) -> None:
        if len(cells) != 2:
            return self.warn(line, f"{len(cells)} tab-separated cells (a synopsis row has two)")
        left, right = (cell.strip() for cell in cells)
        if re.fullmatch("-+", left) and re.fullmatch("-+", right):
            return None  # the table's closing separator line
        if self.expect_measures and self.measures(line, left, right):
            return None
        self.expect_measures = False
        kinds = [_kind(_plain(c)) if len(_blocks(c)) == 1 else ("text",) for c in (left, right)]
        if kinds[0][0] == "heading" and (not right or _plain(left) == _plain(right)):
            return self.heading(line, *kinds[0][1:], change=Change.UNCHANGED)
        if not left and kinds[1][0] == "heading":
            return self.heading(line, *kinds[1][1:], change=Change.ADDED)
        return self.content(line, _blocks(left), _blocks(right))

    def heading(self, line: int, number: str, title: str, change: Change, plain=False) -> None:
        """A section, a field of action ("5.3. Handlungsfeld …") or a goal ("2. Eltern …")."""
        listed = next(
            (g for g in (self.field_ or {}).get("goals", []) if g["title"] == title), None
        )
        top = int(self.section["number"].split(".")[0]) if self.section else 0
        if title.startswith("Handlungsfeld ") and self.section is not None:
            self.field_ = _node(number=number, title=title.split(" ", 1)[1], paragraphs=[])
            self.field_["goals"] = []
            self.section["fields"].append(self.field_)
            self.goal = None
        elif listed:
            self.goal = listed
        elif "." in number or self.section is None or (not plain and int(number) > top):
            self.section = _node(number=number, title=title, paragraphs=[], fields=[])
            self.sections.append(self.section)
            self.field_ = self.goal = None
        else:
            self.goal = _node(number=int(number), title=title, change=change.value)
            self.goal.update(paragraphs=[], measures=[])
            self.current_field()["goals"].append(self.goal)

    def current_field(self) -> dict[str, Any]:
        """The field of action of the next goal; an unnamed one if the excerpt names none."""
        if self.field_ is None:
            assert self.section is not None
            self.field_ = _node(number=None, title=None, note=None, paragraphs=[], goals=[])
            self.section["fields"].append(self.field_)
        return self.field_

    def marker(self, line: int, kind: tuple[str, ...]) -> None:
        if kind[0] == "measures-mark":
            self.expect_measures = True
        elif self.goal is None:
            self.warn(line, "goal line ('Ziel: …') outside a goal")
        elif (
            kind[1] != self.goal["title"] and self.goal.setdefault("alt_title", kind[1]) != kind[1]
        ):
            self.warn(line, "a second, different goal line ('Ziel: …') for this goal")

    def content(self, line: int, left: list[tuple[str, str]], right: list[tuple[str, str]]) -> None:
        target = self.goal or self.field_ or self.section
        if target is None:
            return self.warn(line, "text before the first heading")
        texts: list[list[str]] = [[], []]
        lists: list[list[tuple[int, str]]] = [[], []]
        for side, blocks in enumerate((left, right)):
            for tag, fragment in blocks:
                kind = _kind(plain := _plain(fragment))
                if tag == "ol" and (items := _numbered(plain)):
                    lists[side] += items
                elif tag == "ol":
                    self.warn(line, "a list without numbered items ('1. … 2. …')")
                elif kind[0] in _MARKERS:
                    self.marker(line, kind)
                elif kind[0] != "list-head":  # "Ziele Handlungsfeld …" only introduces a list
                    texts[side].append(fragment)
        self.paragraphs(target, *texts)
        if lists[0] or lists[1]:
            self.goal_list(*lists)
        return None

    def paragraphs(self, target: dict[str, Any], earlier: list[str], later: list[str]) -> None:
        for i, j in pair([_plain(t) for t in earlier], [_plain(t) for t in later], shares_sentence):
            texts = (None if i is None else earlier[i], None if j is None else later[j])
            paragraph = _node(**_change(*texts))
            if any(t is not None and _ELISION.match(_plain(t)) for t in texts):
                paragraph["elided_before"] = True
            target["paragraphs"].append(paragraph)

    def goal_list(self, earlier: list[tuple[int, str]], later: list[tuple[int, str]]) -> None:
        """An `<ol>` of goal titles: goals of the current field, title-only until a heading."""
        goals = self.current_field()["goals"]
        for i, j in pair([t for _, t in earlier], [t for _, t in later], lambda a, b: False):
            number, title = later[j] if j is not None else earlier[i]
            change = _change(None if i is None else title, None if j is None else title)["change"]
            if not any(g["title"] == title for g in goals):
                goals.append(_node(number=number, title=title, change=change))
                goals[-1].update(paragraphs=[], measures=[])
        self.goal = None

    def measures(self, line: int, left: str, right: str) -> bool:
        """The numbered measures after 'Konkrete Maßnahmen im Überblick:'."""
        earlier, later = (_numbered(_plain(cell)) if cell else [] for cell in (left, right))
        if earlier is None or later is None or not (earlier or later):
            return False
        self.expect_measures = False
        if self.goal is None:
            self.warn(line, "measures outside a goal")
            return True
        for i, j in pair([t for _, t in earlier], [t for _, t in later], _close):
            old, new = (None if i is None else earlier[i]), (None if j is None else later[j])
            measure = _node(number=(new or old or (0,))[0])
            if old and new and old[0] != new[0]:
                measure["previous_number"] = old[0]
            self.goal["measures"].append({**measure, **_change(old and old[1], new and new[1])})
        return True

    def block(self, lines: list[tuple[int, str]]) -> None:
        """Lines without tabs: per goal heading, the earlier version's text, then the later's."""
        part: list[Line] = []
        for line, text in [*lines, (0, "")]:
            kind = _kind(_plain(text)) if line else ("heading",)
            if kind[0] != "heading":
                part.append((line, text, kind))
                continue
            self.versions_in_block(part)
            part = []
            if line:
                self.heading(line, *kind[1:], change=Change.UNCHANGED, plain=True)

    def versions_in_block(self, part: list[Line]) -> None:
        target = self.goal or self.field_ or self.section
        halves = _split_versions(part)
        if target is None or halves is None:
            why = "plain-text block: cannot tell where the later version starts"
            for line, _, _ in part:
                self.warn(line, why if target else "text before the first heading")
            return
        for line, _, kind in part:
            if kind[0] in _MARKERS:
                self.marker(line, kind)
        self.paragraphs(target, *([t for _, t, k in half if k[0] == "text"] for half in halves))

    def finish(self) -> list[dict[str, Any]]:
        """Notes for unnamed fields of action; goals without texts are title-only."""
        for fld in (f for s in self.sections for f in s["fields"]):
            numbers = [str(g["number"]) for g in fld["goals"]]
            many = len(numbers) > 1
            listed = " und ".join([", ".join(numbers[:-1]), numbers[-1]] if many else numbers)
            if fld["title"] is None:
                fld["note"] = _UNNAMED_NOTE.format(
                    goals=f"die Ziele {listed}" if many else f"das Ziel {listed}",
                    its="ihres" if many else "seines",
                )
            for goal in fld["goals"]:
                if not goal["paragraphs"] and not goal["measures"]:
                    del goal["paragraphs"], goal["measures"]
                    goal["title_only"] = True
        return self.sections


def parse_synopsis(path: Path, display: str, origin: str = "") -> tuple[dict, list[Problem]]:
    """The concept as plain data (ids still None) and the lines that could not be mapped."""
    builder = _Builder(display)
    title, versions, lines = read_header(path, display, builder.unmapped)
    plain: list[tuple[int, str]] = []
    for line, text in [*lines, (0, "\t")]:
        if "\t" not in text:
            plain.append((line, text))
            continue
        if plain:
            builder.block(plain)
            plain = []
        if line:
            builder.row(line, text.split("\t"))
    concept = {"title": title, "origin": origin, "versions": versions, "sections": builder.finish()}
    return concept, builder.unmapped


def import_synopsis(
    synopsis: Path, output: Path, *, title: str | None = None, issuer: str | None = None
) -> ImportResult:
    """Import a synopsis into `output`, merging with what is there; write only if it changes."""
    origin = Path(os.path.relpath(synopsis.resolve(), output.resolve().parent)).as_posix()
    new, unmapped = parse_synopsis(synopsis, str(synopsis), origin)
    existing = None
    if output.exists():
        existing = load_concept(output, str(output))[0]
        tree = concept_yaml().load(read_text(output, str(output))[0])
        del new["title"]  # kept from the file unless --title is given
    elif issuer is None:
        why = "a new concept needs --issuer: the synopsis does not name the issuer"
        raise SourceError(Problem(output, None, why))
    else:
        tree = CommentedMap()
        tree.yaml_set_start_comment(f"Inhaltsdaten aus der Synopse {origin} (import-synopsis).")
    new.update({k: v for k, v in (("title", title), ("issuer", issuer)) if v is not None})
    dropped: list[str] = []
    assign_ids(merge(tree, new, dropped))
    buffer = io.StringIO()
    concept_yaml().dump(tree, buffer)
    try:
        concept = validated(buffer.getvalue(), str(output))
    except SourceError as exc:  # report the unmapped lines too: they may be the cause
        raise SourceError([*unmapped, *exc.problems]) from None
    if existing is not None and concept.model_dump() == existing.model_dump():
        return ImportResult(False, unmapped, dropped)
    write_atomic(output, buffer.getvalue().encode("utf-8"))
    return ImportResult(True, unmapped, dropped)
