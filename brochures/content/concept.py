"""The integration concept: versions, sections, fields of action, goals, paragraphs, measures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import PrivateAttr, model_validator

from brochures.content.model import InlineHtml, Model, PlainText, Slug
from brochures.content.yamlfile import YamlDocument, load_model
from brochures.errors import Problem, SourceError, raise_if


class Change(StrEnum):
    """How a text differs between the earlier and the later version (version-neutral)."""

    UNCHANGED = "unchanged"
    ADDED = "added"  # only in the later version
    REMOVED = "removed"  # only in the earlier version
    CHANGED = "changed"  # in both, with different texts (`before`, `after`)


class Version(Model):
    id: Slug
    """The version's id, e.g. `rat`."""
    label: PlainText
    """Its name, e.g. `Rat` (the council's version)."""
    date: dt.date
    """Its date, `YYYY-MM-DD`."""


class Text(Model):
    """A paragraph or a measure: an explicit id, a change mark and the text of each version."""

    id: Slug
    """Its id within its goal, field or section (message id `<parent>/<id>`); never reuse one."""
    change: Change = Change.UNCHANGED
    """`unchanged`, `added` (only in the later version), `removed` (only in the earlier) or
    `changed` (with `before` and `after`)."""
    text: InlineHtml | None = None
    """The text (not with `changed`); inline `<strong>`, `<em>`, `<a href>`, `<br>` only."""
    before: InlineHtml | None = None
    """With `changed`: the text of the earlier version."""
    after: InlineHtml | None = None
    """With `changed`: the text of the later version."""

    _full_id: str = PrivateAttr("")

    @model_validator(mode="after")
    def _texts_match_change(self) -> Text:
        if self.change is Change.CHANGED:
            if self.text is not None or self.before is None or self.after is None:
                raise ValueError("change 'changed' needs 'before' and 'after' (and no 'text')")
            if self.before == self.after:
                raise ValueError("marked 'changed' but 'before' and 'after' are the same text")
        elif self.text is None or self.before is not None or self.after is not None:
            raise ValueError(f"change '{self.change}' needs 'text' (and no 'before'/'after')")
        return self

    @property
    def full_id(self) -> str:
        """`<goal or field or section id>/<id>`: the message context of this text."""
        return self._full_id

    def text_in(self, later: bool) -> str | None:
        """The text in the later (or earlier) version, or None if it does not exist there."""
        if self.change is Change.CHANGED:
            return self.after if later else self.before
        if self.change is Change.ADDED and not later:
            return None
        if self.change is Change.REMOVED and later:
            return None
        return self.text

    def new_sentences(self) -> list[str]:
        """Sentences of the later text that the earlier text does not have."""
        if self.change is Change.ADDED:
            return split_sentences(self.text or "")
        if self.change is not Change.CHANGED:
            return []
        old = set(split_sentences(self.before or ""))
        return [s for s in split_sentences(self.after or "") if s not in old]


class Paragraph(Text):
    elided_before: bool = False
    """The excerpt leaves out text before it with `(...)` (shown as `[…]`)."""


class Measure(Text):
    number: int | None = None
    """Its number in the later version, or in the only one it appears in."""
    previous_number: int | None = None
    """Its number in the earlier version, where it differs."""


class Goal(Model):
    id: Slug
    """The goal's id, used by brochures' `goals` and as message id; never reuse one."""
    number: int | None = None
    """Its number in the concept."""
    title: PlainText
    """Its title."""
    alt_title: PlainText | None = None
    """Its title in the earlier version, where it differs."""
    note: PlainText | None = None
    """A note for editors (not shown)."""
    change: Change = Change.UNCHANGED
    """`unchanged`, `added` or `removed` (mark changed texts on the paragraphs instead)."""
    title_only: bool = False
    """The excerpt gives only the title."""
    paragraphs: list[Paragraph] = []
    """Its paragraphs."""
    measures: list[Measure] = []
    """Its measures (Maßnahmen)."""

    @model_validator(mode="after")
    def _goal_change(self) -> Goal:
        if self.change is Change.CHANGED:
            raise ValueError("a goal is 'unchanged', 'added' or 'removed'; mark its texts instead")
        return self


class Field(Model):
    """A field of action (Handlungsfeld); the excerpt does not always name it."""

    id: Slug
    """The field's id (message id of its title)."""
    number: str | None = None
    """Its number, e.g. `5.1`."""
    title: PlainText | None = None
    """Its title, when the excerpt names it."""
    note: PlainText | None = None
    """A note for editors (not shown)."""
    paragraphs: list[Paragraph] = []
    """Its introduction."""
    goals: list[Goal] = []
    """Its goals."""


class Section(Model):
    id: Slug
    """The section's id."""
    number: str | None = None
    """Its number, e.g. `5`."""
    title: PlainText
    """Its title."""
    note: PlainText | None = None
    """A note for editors (not shown)."""
    paragraphs: list[Paragraph] = []
    """Its text before the fields of action."""
    fields: list[Field] = []
    """Its fields of action (Handlungsfelder)."""


class Concept(Model):
    """`source/konzept.yaml`: the integration concept as structured data."""

    title: PlainText
    """The concept's title."""
    issuer: PlainText
    """Who issued it."""
    origin: str | None = None
    """Where the text comes from (e.g. the council synopsis it was imported from)."""
    note: PlainText | None = None
    """A note for editors (not shown)."""
    versions: list[Version]
    """The two versions compared, the earlier first."""
    default_version: Slug
    """Id of the version brochures follow unless they name their own `version`."""
    sections: list[Section]
    """The concept's sections."""

    @property
    def earlier(self) -> Version:
        return self.versions[0]

    @property
    def later(self) -> Version:
        return self.versions[-1]

    def version(self, version_id: str | None = None) -> Version:
        wanted = version_id or self.default_version
        return next(v for v in self.versions if v.id == wanted)

    def is_later(self, version: Version) -> bool:
        return version.id == self.later.id

    def fields(self) -> Iterator[tuple[Section, Field]]:
        for section in self.sections:
            for field_ in section.fields:
                yield section, field_

    def goals(self) -> dict[str, GoalRef]:
        """Every goal by id, with its field and section."""
        return {
            goal.id: GoalRef(goal, field_, section)
            for section, field_ in self.fields()
            for goal in field_.goals
        }

    def texts(self) -> Iterator[Text]:
        """Every paragraph and measure, in document order."""
        for section in self.sections:
            yield from section.paragraphs
            for field_ in section.fields:
                yield from field_.paragraphs
                for goal in field_.goals:
                    yield from goal.paragraphs
                    yield from goal.measures


@dataclass(frozen=True)
class GoalRef:
    goal: Goal
    field: Field
    section: Section


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9\"„(])")


def split_sentences(text: str) -> list[str]:
    """Split German prose into sentences (good enough to compare two versions of a paragraph)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def load_concept(path: Path, display: str) -> tuple[Concept, YamlDocument]:
    """Load and validate the concept; raise SourceError with every problem at once."""
    concept, doc, problems = load_model(path, display, Concept)
    raise_if(problems, SourceError)
    assert concept is not None and doc is not None
    raise_if(_check(concept, doc), SourceError)
    return concept, doc


def _check(concept: Concept, doc: YamlDocument) -> list[Problem]:
    """Cross-checks the schema cannot express: unique ids, versions in order, a known default."""
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(doc.display, line, message))

    if len(concept.versions) != 2:
        problem(
            doc.line_of(("versions",)),
            f"versions: exactly two versions expected, got {len(concept.versions)}",
        )
    elif concept.earlier.date >= concept.later.date:
        problem(
            doc.line_of(("versions", 1, "date")),
            "versions: the later version must have the later date",
        )
    version_ids: dict[str, int] = {}
    for version in concept.versions:
        if version.id in version_ids:
            problem(
                version.line,
                f"duplicate version id '{version.id}' (first at line {version_ids[version.id]})",
            )
        else:
            version_ids[version.id] = version.line
    if concept.default_version not in version_ids:
        problem(
            doc.line_of(("default_version",)),
            f"default_version: unknown version '{concept.default_version}' "
            f"(known: {', '.join(version_ids)})",
        )

    seen: dict[str, int] = {}

    def claim(kind: str, ident: str, line: int) -> None:
        if ident in seen:
            problem(line, f"duplicate {kind} id '{ident}' (first at line {seen[ident]})")
        else:
            seen[ident] = line

    def own(parent: str, texts: list[Paragraph] | list[Measure]) -> None:
        for text in texts:
            text._full_id = f"{parent}/{text.id}"
            claim("text", text.full_id, text.line)

    for section in concept.sections:
        claim("section", section.id, section.line)
        own(section.id, section.paragraphs)
        for field_ in section.fields:
            claim("field", field_.id, field_.line)
            own(field_.id, field_.paragraphs)
            for goal in field_.goals:
                claim("goal", goal.id, goal.line)
                own(goal.id, goal.paragraphs)
                own(goal.id, goal.measures)
    if not concept.goals():
        problem(doc.line_of(("sections",)), "sections: the concept has no goals")
    return problems
