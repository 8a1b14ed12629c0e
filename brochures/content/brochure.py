"""Brochure definitions and the selection of concept goals into German brochure content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator

from brochures.content.concept import Change, Concept, Goal, Version
from brochures.content.model import Model, PlainText, Slug, sanitize_inline
from brochures.content.schoolsystem import SchoolSystem
from brochures.content.yamlfile import YamlDocument, load_model
from brochures.errors import Problem


class Contact(Model):
    """A contact block; empty fields are left out of the layout. Never invent real data."""

    organisation: PlainText | None = None
    """The organisation, e.g. `Kreis Warendorf`."""
    office: PlainText | None = None
    """The office within the organisation."""
    street: PlainText | None = None
    """Street and house number."""
    postcode: PlainText | None = None
    """Postcode of the town."""
    town: PlainText | None = None
    """Town."""
    web: PlainText | None = None
    """Web address (shown, and a QR code when no download address is set)."""
    phone: PlainText | None = None
    """Telephone number, as printed (a `tel:` link is made from it)."""
    email: PlainText | None = None
    """E-mail address (a `mailto:` link)."""
    hours: PlainText | None = None
    """Opening or consultation hours."""

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.model_dump(exclude={"line"}).items() if v]

    @property
    def address(self) -> bool:
        """Street, postcode and town are all given (a letter or a visit can reach the office)."""
        return bool(self.street and self.postcode and self.town)

    @property
    def reachable(self) -> bool:
        """A reader can get back to someone: a phone number, an e-mail address or an address."""
        return bool(self.phone or self.email or self.address)

    @property
    def tel_uri(self) -> str | None:
        """`tel:` URI of the phone number (RFC 3966: digits and a leading +, separators out)."""
        if not self.phone:
            return None
        digits = re.sub(r"[^\d+]", "", self.phone)
        return f"tel:{digits}" if re.fullmatch(r"\+?\d{3,}", digits) else None


# A brochure id names its files (`<id>.de+<lang>.pdf`, thumbnails `<id>.<lang>.<key>.png`,
# their temporary files): kept well below the 255 bytes a file name may have.
MAX_BROCHURE_ID = 100


def _file_id(text: str) -> str:
    if len(text) > MAX_BROCHURE_ID:
        raise ValueError(
            f"{len(text)} characters long; a brochure id names its files and is limited "
            f"to {MAX_BROCHURE_ID}"
        )
    return text


class FaqEntry(Model):
    """A question parents ask, with a short answer. General facts only; `source` names where a
    fact about the school system comes from."""

    id: Slug
    """Stable id of the entry (its texts' catalog context)."""
    question: PlainText
    """The question, as parents ask it."""
    answer: str
    """A short answer (inline markup allowed)."""
    source: PlainText | None = None
    """The public source of a general fact about the school system."""


class Helper(Contact):
    """A "Wer hilft?" card: who helps with what, and how to reach them (structured data)."""

    topic: PlainText | None = None
    """What this helper helps with (translated)."""


class Brochure(Model):
    id: Annotated[Slug, AfterValidator(_file_id)]
    """The brochure's id: the file name without `.yaml` (lowercase letters, digits, hyphens;
    at most 100 characters)."""
    title: PlainText
    """Title on the cover."""
    subtitle: PlainText | None = None
    """Subtitle on the cover."""
    audience: PlainText
    """Who the brochure is for, shown as `Für: …`."""
    format: Slug | None = None
    """Layout: a template `templates/formats/<format>.html.j2` (`a5-booklet`, `a4-flyer`,
    `dl-trifold`). Default: `default_format` of `source/project.yaml`."""
    goals: list[Slug]
    """Ids of the concept's goals the brochure presents, in this order (`brochures list`)."""
    field_intro: bool = False
    """Also show the introduction of the goals' fields of action."""
    version: Slug | None = None
    """Id of the concept version the brochure follows. Default: the concept's `default_version`."""
    intro: str | None = None
    """Introduction before the goals; blank lines separate paragraphs."""
    closing: str | None = None
    """Closing text after the goals (for example where to ask)."""
    contact: Contact | None = None
    """Contact block of this brochure. Default: `contact` of `source/project.yaml`."""
    languages: list[str] | None = None
    """Languages of this brochure, each one of the project's `languages`. Default: all of them."""
    glossary: bool = False
    """Add a page of school words (`source/schulwoerter.yaml`)."""
    whats_new: bool = False
    """Mark what the version it follows changed where it changed: the goal's label says it is
    new or extended, a new measure says "neu"."""
    leads: dict[Slug, str] = {}
    """A parent-facing sentence or two per goal id, shown before the concept's wording."""
    school_system: bool = False
    """Add the diagram of the school system (`source/schulsystem.yaml`)."""
    faq: list[FaqEntry] = []
    """Questions parents ask: `id`, `question`, `answer`, `source` of a general fact."""
    helpers: list[Helper] = []
    """"Wer hilft?" address cards: `topic` and the contact keys. The default project has none."""


class SchoolWord(Model):
    id: Slug
    """The word's id (message id `schulwort:<id>`)."""
    term: PlainText
    """The school word in German."""
    explanation: PlainText
    """A short explanation in simple German."""


class Glossary(Model):
    """`source/schulwoerter.yaml`: school words with a short German explanation."""

    words: list[SchoolWord]
    """The school words, in the order they are shown."""


def load_brochure(
    path: Path, display: str
) -> tuple[Brochure | None, YamlDocument | None, list[Problem]]:
    return load_model(path, display, Brochure)


# ---- content: what one brochure says, in German, each text with its message identity ----


@dataclass(frozen=True)
class Message:
    """One translatable text: its context (stable id), German source, origin and where it shows."""

    context: str
    source: str
    origin: str  # "source/konzept.yaml:41"
    comment: str
    markup: bool = False  # True: inline HTML; False: plain text


@dataclass
class GoalContent:
    id: str
    number: int | None
    title: Message
    title_only: bool
    paragraphs: list[tuple[Message, bool]] = field(default_factory=list)  # (text, elided_before)
    lead: Message | None = None  # the brochure's parent-facing lead for this goal
    measures: list[tuple[int | None, Message]] = field(default_factory=list)
    # what the later version changed, shown where it happened (brochures with `whats_new`):
    # "added" or "changed" for the goal itself, and the contexts of its new measures
    change: str | None = None
    new_measures: set[str] = field(default_factory=set)


@dataclass
class FieldContent:
    id: str
    number: str | None
    title: Message | None
    intro: list[tuple[Message, bool]] = field(default_factory=list)
    goals: list[GoalContent] = field(default_factory=list)


@dataclass
class StageContent:
    id: str
    name: Message
    years: Message | None
    schools: list[tuple[str, Message]]


@dataclass
class SchoolSystemContent:
    """The diagram's texts as messages; ways between schools and certificates by id."""

    title: Message
    stages: list[StageContent]
    transitions: list[tuple[str, str]]
    certificates: list[tuple[str, Message, list[Message]]]  # (id, name, what leads to it)
    source: str  # the public source, named under the diagram (not translated: a title)
    source_url: str | None

    def messages(self) -> list[Message]:
        out = [self.title]
        for stage in self.stages:
            out.append(stage.name)
            if stage.years is not None:
                out.append(stage.years)
            out += [name for _, name in stage.schools]
        out += [name for _, name, _ in self.certificates]
        return out


def school_system_content(system: SchoolSystem, doc: YamlDocument) -> SchoolSystemContent:
    """The school system's texts as messages (context `schulsystem:<id>`)."""

    def message(key: str, text: str, loc: tuple, what: str) -> Message:
        return Message(f"schulsystem:{key}", text, f"{doc.display}:{doc.line_of(loc) or 1}", what)

    names: dict[str, Message] = {}
    stages = []
    for i, stage in enumerate(system.stages):
        loc = ("stages", i)
        names[stage.id] = message(stage.id, stage.name, loc, "Schaubild Schulsystem: Stufe")
        years = (
            message(f"{stage.id}/jahre", stage.years, loc, f"Schaubild: Klassen der {stage.name}")
            if stage.years
            else None
        )
        schools = []
        for j, school in enumerate(stage.schools):
            names[school.id] = message(
                school.id, school.name, (*loc, "schools", j), "Schaubild Schulsystem: Schulform"
            )
            schools.append((school.id, names[school.id]))
        stages.append(StageContent(stage.id, names[stage.id], years, schools))
    certificates = [
        (
            c.id,
            message(c.id, c.name, ("certificates", i), "Schaubild Schulsystem: Schulabschluss"),
            [names[a] for a in c.after],
        )
        for i, c in enumerate(system.certificates)
    ]
    return SchoolSystemContent(
        title=message("titel", system.title, ("title",), "Schaubild Schulsystem: Überschrift"),
        stages=stages,
        transitions=[tuple(t) for t in system.transitions],  # type: ignore[misc]
        certificates=certificates,
        source=system.source.title,
        source_url=system.source.url,
    )


@dataclass
class BrochureContent:
    id: str
    format: str
    version: Version
    issuer: str
    concept_title: Message
    title: Message
    subtitle: Message | None
    audience: Message
    intro: Message | None
    closing: Message | None
    fields: list[FieldContent]
    contact: Contact | None
    glossary: list[tuple[Message, Message]] = field(default_factory=list)  # (term, explanation)
    color_profile_uri: str | None = None  # the print profile's CMYK output intent (data: URI)
    download_base_url: str | None = None  # QR codes link to the PDFs below it
    school_system: SchoolSystemContent | None = None
    faq: list[tuple[Message, Message]] = field(default_factory=list)  # (question, answer)
    faq_sources: list[str] = field(default_factory=list)
    helpers: list[tuple[Helper, Message | None]] = field(default_factory=list)  # (card, topic)
    logo_uri: str | None = None  # the office's logo (data: URI)
    cover_image_uri: str | None = None  # the office's cover image (data: URI)

    def messages(self) -> list[Message]:
        """Every translatable text of the brochure, in reading order."""
        out = [self.concept_title, self.title, self.subtitle, self.audience, self.intro]
        for fld in self.fields:
            out.append(fld.title)
            out.extend(m for m, _ in fld.intro)
            for goal in fld.goals:
                out.append(goal.title)
                if goal.lead is not None:
                    out.append(goal.lead)
                out.extend(m for m, _ in goal.paragraphs)
                out.extend(m for _, m in goal.measures)
        if self.school_system is not None:
            out += self.school_system.messages()
        for question, answer in self.faq:
            out += [question, answer]
        out += [topic for _, topic in self.helpers if topic is not None]
        for term, explanation in self.glossary:
            out += [term, explanation]
        out.append(self.closing)
        return [m for m in out if m is not None]


def paragraphs_of(text: str) -> list[str]:
    """Split a block of audience text at blank lines into sanitised paragraphs."""
    blocks = [" ".join(b.split()) for b in text.replace("\r\n", "\n").split("\n\n")]
    return [sanitize_inline(b) for b in blocks if b]


def select(
    concept: Concept,
    concept_doc: YamlDocument,
    brochure: Brochure,
    brochure_doc: YamlDocument,
    default_format: str,
    default_contact: Contact | None = None,
    glossary: tuple[Glossary, YamlDocument] | None = None,
    school_system: tuple[SchoolSystem, YamlDocument] | None = None,
) -> BrochureContent:
    """The German content of a brochure: the goals it pulls, in the version it follows."""
    version = concept.version(brochure.version)
    later = concept.is_later(version)
    refs = concept.goals()

    def origin(line: int | None, file: str = concept_doc.display) -> str:
        return f"{file}:{line or 1}"

    def own(key: str, text: str | None, where: str, markup: bool = False) -> Message | None:
        if text is None:
            return None
        if markup:
            text = "\n\n".join(paragraphs_of(text))
        line = brochure_doc.line_of((key,))
        return Message(
            f"brochure:{brochure.id}/{key}",
            text,
            origin(line, brochure_doc.display),
            f"Broschüre {brochure.id}: {where}",
            markup,
        )

    def own_at(loc: tuple, key: str, text: str, where: str, markup: bool = False) -> Message:
        if markup:
            text = "\n\n".join(paragraphs_of(text))
        return Message(
            f"brochure:{brochure.id}/{key}",
            text,
            origin(brochure_doc.line_of(loc), brochure_doc.display),
            f"Broschüre {brochure.id}: {where}",
            markup,
        )

    def texts(items, where: str) -> list[tuple[Message, bool]]:
        out = []
        for item in items:
            text = item.text_in(later)
            if text is not None:
                msg = Message(item.full_id, text, origin(item.line), where, markup=True)
                out.append((msg, getattr(item, "elided_before", False)))
        return out

    fields: dict[str, FieldContent] = {}
    for goal_id in brochure.goals:
        ref = refs[goal_id]
        goal, fld = ref.goal, ref.field
        if (goal.change == "added" and not later) or (goal.change == "removed" and later):
            continue
        if fld.id not in fields:
            title = (
                Message(fld.id, fld.title, origin(fld.line), "Titel eines Handlungsfelds")
                if fld.title
                else None
            )
            intro = texts(fld.paragraphs, f"Einleitung des Handlungsfelds {fld.number or fld.id}")
            fields[fld.id] = FieldContent(
                fld.id, fld.number, title, intro if brochure.field_intro else []
            )
        content = GoalContent(
            id=goal.id,
            number=goal.number,
            title=Message(goal.id, goal.title, origin(goal.line), "Titel eines Ziels"),
            title_only=goal.title_only,
            paragraphs=texts(goal.paragraphs, f"Absatz im Ziel „{goal.title}“"),
        )
        if goal.id in brochure.leads:
            content.lead = Message(
                f"brochure:{brochure.id}/lead/{goal.id}",
                "\n\n".join(paragraphs_of(brochure.leads[goal.id])),
                origin(brochure_doc.line_of(("leads", goal.id)), brochure_doc.display),
                f"Broschüre {brochure.id}: Einleitung für Eltern zum Ziel „{goal.title}“",
                markup=True,
            )
        for measure, _ in zip(goal.measures, range(len(goal.measures)), strict=True):
            text = measure.text_in(later)
            if text is not None:
                number = measure.number if later else (measure.previous_number or measure.number)
                content.measures.append(
                    (
                        number,
                        Message(
                            measure.full_id,
                            text,
                            origin(measure.line),
                            f"Maßnahme im Ziel „{goal.title}“",
                            markup=True,
                        ),
                    )
                )
        fields[fld.id].goals.append(content)
        if later and brochure.whats_new:
            _mark_news(goal, content)

    def required(msg: Message | None) -> Message:
        assert msg is not None
        return msg

    return BrochureContent(
        id=brochure.id,
        format=brochure.format or default_format,
        version=version,
        issuer=concept.issuer,
        concept_title=Message(
            "concept/title",
            concept.title,
            origin(concept_doc.line_of(("title",))),
            "Titel des Integrationskonzepts (Quellenangabe)",
        ),
        title=required(own("title", brochure.title, "Titel")),
        subtitle=own("subtitle", brochure.subtitle, "Untertitel"),
        audience=required(own("audience", brochure.audience, "Zielgruppe")),
        intro=own("intro", brochure.intro, "Einleitung", markup=True),
        closing=own("closing", brochure.closing, "Schlusswort", markup=True),
        fields=list(fields.values()),
        contact=brochure.contact or default_contact,
        glossary=glossary_messages(glossary) if brochure.glossary and glossary else [],
        school_system=(
            school_system_content(*school_system)
            if brochure.school_system and school_system
            else None
        ),
        faq=[
            (
                own_at(("faq", i, "question"), f"faq/{e.id}", e.question, "Frage (FAQ)"),
                own_at(
                    ("faq", i, "answer"), f"faq/{e.id}/antwort", e.answer, "Antwort (FAQ)", True
                ),
            )
            for i, e in enumerate(brochure.faq)
        ],
        faq_sources=list(dict.fromkeys(e.source for e in brochure.faq if e.source)),
        helpers=[
            (h, own_at(("helpers", i, "topic"), f"helfer/{i}", h.topic, "Wer hilft? (Thema)"))
            if h.topic
            else (h, None)
            for i, h in enumerate(brochure.helpers)
        ],
    )


def glossary_messages(glossary: tuple[Glossary, YamlDocument]) -> list[tuple[Message, Message]]:
    """Each school word as two messages: the term and its explanation."""
    words, doc = glossary
    out = []
    for i, word in enumerate(words.words):
        origin = f"{doc.display}:{doc.line_of(('words', i))}"
        out.append(
            (
                Message(f"schulwort:{word.id}", word.term, origin, "Schulwort (Begriff)"),
                Message(
                    f"schulwort:{word.id}/erklaerung",
                    word.explanation,
                    origin,
                    f"Erklärung des Schulworts „{word.term}“",
                ),
            )
        )
    return out


def _mark_news(goal: Goal, content: GoalContent) -> None:
    """What the later version changed in one goal, from the concept's change marks, marked on
    its content: a new goal, or its new measures and whether its texts changed."""
    if goal.change == Change.ADDED:
        content.change = "added"
        return
    measures = {m.full_id: m for m in goal.measures}
    content.new_measures = {
        msg.context for _, msg in content.measures if measures[msg.context].change == Change.ADDED
    }
    if any(t.change != Change.UNCHANGED for t in goal.paragraphs) or any(
        m.change in (Change.CHANGED, Change.REMOVED) for m in goal.measures
    ):
        content.change = "changed"
