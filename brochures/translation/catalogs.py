"""Gettext catalogs: extract, update, read, write and check; review states of translations."""

from __future__ import annotations

import copy
import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polib
from babel import __version__ as babel_version
from babel.messages.extract import extract as babel_extract_file
from babel.messages.plurals import get_plural
from jinja2.ext import babel_extract

from brochures.content.project import Project
from brochures.errors import BrochuresError, EnvironmentProblem, Problem
from brochures.files import (
    MAX_CATALOG_BYTES,
    InputFileError,
    catalog_lock,
    read_cached,
    read_input,
    user_cache,
    write_atomic,
    write_cached,
)
from brochures.languages import SOURCE_LANGUAGE, catalog_code
from brochures.translation.messages import MessageIssue, message_issues
from brochures.translation.terms import load_terms, missing_terms, shared_targets

POT_NAME = "messages.pot"
# Header fields a translator's tool rewrites on every save; they never make a catalog stale.
VOLATILE_HEADERS = {
    "PO-Revision-Date",
    "POT-Creation-Date",
    "Last-Translator",
    "Language-Team",
    "X-Generator",
    "Generated-By",
}
DRAFT_COMMENT = "draft by the brochures developers; awaits review by a native speaker"


class State(StrEnum):
    """Review state of one translation."""

    REVIEWED = "reviewed"  # not fuzzy, translated
    UNREVIEWED = "unreviewed"  # fuzzy without a previous msgid: a machine translation or a draft
    OUTDATED = "outdated"  # fuzzy with a previous msgid: the German changed since
    MISSING = "missing"


USABLE = {State.REVIEWED, State.UNREVIEWED}


class CatalogChanged(BrochuresError):
    """A catalog changed on disk after it was read: a translator's work is never overwritten."""

    exit_status = 1


class CatalogError(BrochuresError):
    """A catalog cannot be read, does not validate, or is for another language."""


def state_of(entry: polib.POEntry) -> State:
    if not entry.msgstr.strip():
        return State.MISSING
    if "fuzzy" in entry.flags:
        return State.OUTDATED if entry.previous_msgid else State.UNREVIEWED
    return State.REVIEWED


def formatted(context: str | None, entry: polib.POEntry) -> bool:
    """Whether a text goes through `%` formatting: template strings (`_()`, no context) and
    anything flagged python-format. Concept and brochure texts (with their id as context) are
    shown as they are, so a lone `%` is fine there ("30 %", Turkish "%30")."""
    return not context or "python-format" in entry.flags


def key_of(context: str | None, msgid: str) -> tuple[str, str]:
    """Identity of a message: its context when it has one (so German may change), else its text."""
    return (context, "") if context else ("", msgid)


# ---- machine translations (translation.translate writes them) ----

# The engine's record in the translator comment: "machine translation: <engine, path, models,
# date>[; flagged, German is used until reviewed: <reason>] [mt:<hash of the msgstr it wrote>]".
# Tools rewrap comments and Poedit keeps them, so the record is found across line breaks and
# counts only while the entry is unreviewed and its text is exactly what the engine wrote.
MT_RECORD = "machine translation: "
MT_FLAG = "; flagged, German is used until reviewed: "
_MT = re.compile(
    r"machine\s+translation:\s((?:(?!machine\s+translation:).)*?)\s*\[(mt:[0-9a-f]{12}|reviewed)\]",
    re.S,
)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def machine_record(entry: polib.POEntry) -> str | None:
    """The engine's record if the entry is still the engine's: unreviewed or outdated, its text
    exactly what the engine wrote. None: reviewed, drafted or edited by a person."""
    if "fuzzy" not in entry.flags or not entry.msgstr:
        return None
    for match in _MT.finditer(entry.tcomment or ""):
        if match[2] == f"mt:{text_hash(entry.msgstr)}":
            return " ".join(match[1].split())
    return None


def machine_owned(entry: polib.POEntry) -> bool:
    return machine_record(entry) is not None


def machine_flag(entry: polib.POEntry) -> str | None:
    """Why the engine's own output is not used (German is shown until a person reviews it)."""
    record = machine_record(entry) or ""
    return record.partition(MT_FLAG)[2] or None


def mark_machine_translation(entry: polib.POEntry, what: str, flagged: str = "") -> None:
    """Record the engine's text of `entry` (replacing an earlier record and the draft note)."""
    notes = _MT.sub("", entry.tcomment or "").replace(DRAFT_COMMENT, "")
    lines = [line for line in notes.splitlines() if line.strip()]
    flag = f"{MT_FLAG}{' '.join(flagged.split())}" if flagged else ""
    lines.append(f"{MT_RECORD}{what}{flag} [mt:{text_hash(entry.msgstr)}]")
    entry.tcomment = "\n".join(lines)


def release_machine_record(tcomment: str) -> str:
    """A reviewed entry is a person's for good: its record no longer names the engine's text."""
    return re.sub(r"\[mt:[0-9a-f]{12}\]", "[reviewed]", tcomment)


# ---- review records (review.store writes them when a person approves a translation) ----

_REVIEW_RECORD = re.compile(r"reviewed by (.+), (\d{4}-\d{2}-\d{2})")


def review_record(reviewer: str, day: str) -> str:
    """The translator-comment line of an approval: `reviewed by NAME, YYYY-MM-DD`."""
    return f"reviewed by {' '.join(reviewer.split())}, {day}"


def last_review(entry: polib.POEntry) -> tuple[str, str] | None:
    """(reviewer, YYYY-MM-DD) of a reviewed entry's last review record, if it has one."""
    if state_of(entry) is not State.REVIEWED:
        return None
    for line in reversed((entry.tcomment or "").splitlines()):
        match = _REVIEW_RECORD.fullmatch(line.strip())
        if match:
            return match[1], match[2]
    return None


# ---- extraction ----


@dataclass
class SourceMessage:
    context: str | None
    msgid: str
    occurrences: list[tuple[str, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def add(self, origin: tuple[str, str], comment: str) -> None:
        if origin not in self.occurrences:
            self.occurrences.append(origin)
        if comment and comment not in self.comments:
            self.comments.append(comment)


def extract(project: Project) -> list[SourceMessage]:
    """Every translatable text: concept and brochure texts (by id), then template strings."""
    found: dict[tuple[str, str], SourceMessage] = {}

    def add(context: str | None, msgid: str, origin: tuple[str, str], comment: str) -> None:
        key = key_of(context, msgid)
        found.setdefault(key, SourceMessage(context, msgid)).add(origin, comment)

    for brochure_id in sorted(project.brochures):  # the catalogs' order, whatever the listing's
        for message in project.content(brochure_id).messages():
            path, _, line = message.origin.rpartition(":")
            add(message.context, message.source, (path, line), message.comment)
    for display, path in template_files(project):
        for line, msgid, comments, context in template_messages(path):
            if isinstance(msgid, tuple):  # ngettext: the singular identifies it
                msgid = msgid[0]
            note = " ".join(comments) or f"Vorlage {display}"
            add(context, msgid, (display, str(line)), note)
    return list(found.values())


def template_messages(path: Path) -> list[tuple]:
    """The gettext calls of one template (Babel's Jinja2 extractor), kept in the user cache by
    the template's content: parsing every template took 0.1-0.3 s, and `build` asks on every
    run whether the catalogs are behind."""
    data = path.read_bytes()
    stamp = hashlib.sha256(f"{babel_version}\0".encode() + data).hexdigest()
    cached = user_cache("template-messages") / f"{stamp}.json"
    found = read_cached(cached, _decode_template_messages)
    if found is None:
        found = list(
            babel_extract_file(
                babel_extract,
                io.BytesIO(data),
                comment_tags=("Translators:",),
                options={"extensions": "jinja2.ext.i18n", "trimmed": "true"},
            )
        )
        write_cached(cached, found)
    return found


def _decode_template_messages(data: list) -> list[tuple]:
    """JSON's lists back into Babel's tuples (a plural message is a tuple of its forms)."""
    return [
        (int(line), tuple(message) if isinstance(message, list) else str(message), list(notes), ctx)
        for line, message, notes, ctx in data
    ]


def template_files(project: Project) -> Iterable[tuple[str, Path]]:
    """Templates in use by name (a project's override hides the default of the same name)."""
    seen: set[str] = set()
    for folder in project.template_dirs:
        for path in sorted(folder.rglob("*.j2")):
            name = path.relative_to(folder).as_posix()
            if name not in seen:
                seen.add(name)
                try:
                    display = path.relative_to(project.root).as_posix()
                except ValueError:
                    display = f"templates/{name}"
                yield display, path


# ---- catalogs on disk ----


def pot_path(project: Project) -> Path:
    return project.root / "locales" / POT_NAME


def po_path(project: Project, lang: str) -> Path:
    return project.root / "locales" / catalog_code(lang) / "LC_MESSAGES" / "messages.po"


def display_of(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix()


@dataclass
class LoadedCatalog:
    path: Path
    display: str
    raw: bytes  # bytes as read, to refuse overwriting a file that changed meanwhile
    po: polib.POFile


def read_catalog(path: Path, display: str, lang: str | None) -> LoadedCatalog:
    """Read and strictly validate a catalog; a BOM and CRLF are accepted."""
    try:
        raw = read_input(path, display, MAX_CATALOG_BYTES)
    except InputFileError as exc:
        raise CatalogError(exc.problems) from None
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(Problem(display, line, "not valid UTF-8")) from None
    po = parse_catalog(text, display)
    problems = []
    if lang is not None:
        problems += _check_header(po, display, lang)
    if problems:
        raise CatalogError(problems)
    return LoadedCatalog(path, display, raw, po)


def parse_catalog(text: str, display: str) -> polib.POFile:
    """A catalog's text, checked by msgfmt and parsed by polib. Both take time on every build
    (a process each, pure-Python parsing), so a text that passed is kept parsed in the user
    cache, by its hash and the versions of msgfmt and polib: an unchanged catalog is read from
    there."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise EnvironmentProblem("msgfmt not found: install GNU gettext (apt-get install gettext)")
    tool = Path(msgfmt).resolve().stat()
    stamp = f"{tool.st_size}:{tool.st_mtime_ns}:{polib.__version__}\n{text}"
    cached = user_cache("catalogs") / f"{hashlib.sha256(stamp.encode()).hexdigest()}.json"
    po = read_cached(cached, _decode_catalog)
    if po is not None:
        return po
    problems = msgfmt_check(text, display)
    if problems:
        raise CatalogError(problems)
    po = polib.pofile(text if "\n" in text else text + "\n", wrapwidth=78)
    write_cached(cached, _encode_catalog(po))  # else the next build checks and parses again
    return po


# A parsed catalog as plain data for the user cache (JSON: reading it cannot run code).
_ENTRY_TEXTS = ("msgid", "msgstr", "msgid_plural", "comment", "tcomment")
_ENTRY_OPTIONAL = ("msgctxt", "previous_msgctxt", "previous_msgid", "previous_msgid_plural")


def _encode_catalog(po: polib.POFile) -> dict:
    entries = []
    for e in po:
        entry = {name: getattr(e, name) for name in (*_ENTRY_TEXTS, *_ENTRY_OPTIONAL)}
        entry["msgstr_plural"] = [[n, text] for n, text in e.msgstr_plural.items()]
        entry["occurrences"] = [list(o) for o in e.occurrences]
        entry["flags"] = list(e.flags)
        entry["obsolete"] = bool(e.obsolete)
        entry["linenum"] = e.linenum
        entries.append(entry)
    return {
        "header": po.header,
        "metadata": po.metadata,
        "fuzzy": po.metadata_is_fuzzy if isinstance(po.metadata_is_fuzzy, list) else None,
        "encoding": po.encoding,
        "entries": entries,
    }


def _decode_catalog(data: dict) -> polib.POFile:
    """The cache entry back into a POFile; anything not shaped like one raises (a miss)."""

    def text(value: object, optional: bool = False) -> str | None:
        if isinstance(value, str) or (optional and value is None):
            return value
        raise ValueError("not a cache entry of a catalog")

    po = polib.POFile(wrapwidth=78, encoding=text(data["encoding"]))
    po.header = text(data["header"])
    po.metadata = {text(k): text(v) for k, v in data["metadata"].items()}
    fuzzy = data["fuzzy"]
    po.metadata_is_fuzzy = 0 if fuzzy is None else [text(f) for f in fuzzy]
    for raw in data["entries"]:
        fields: dict = {name: text(raw[name]) for name in _ENTRY_TEXTS}
        fields.update({name: text(raw[name], optional=True) for name in _ENTRY_OPTIONAL})
        fields["msgstr_plural"] = {int(n): text(t) for n, t in raw["msgstr_plural"]}
        fields["occurrences"] = [(text(f), text(n)) for f, n in raw["occurrences"]]
        fields["flags"] = [text(f) for f in raw["flags"]]
        fields["obsolete"] = raw["obsolete"] is True
        if raw["linenum"] is not None and type(raw["linenum"]) is not int:
            raise ValueError("not a cache entry of a catalog")
        fields["linenum"] = raw["linenum"]
        po.append(polib.POEntry(**fields))
    return po


def msgfmt_check(text: str, display: str) -> list[Problem]:
    """GNU msgfmt's strict check (polib accepts e.g. an unterminated string silently)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise EnvironmentProblem("msgfmt not found: install GNU gettext (apt-get install gettext)")
    run = subprocess.run(
        # Syntax and header only: a placeholder a translation broke is a message check (a job
        # failure naming the text), not an unreadable catalog.
        [msgfmt, "--check-header", "--check-domain", "-o", "/dev/null", "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if run.returncode == 0:
        return []
    problems = []
    for line in run.stderr.decode("utf-8", "replace").splitlines():
        match = re.match(r"<stdin>:(\d+):(?:\d+:)?\s*(.*)", line)
        if match and not match[2].startswith("warning:"):
            problems.append(Problem(display, int(match[1]), match[2]))
    return problems or [Problem(display, None, "msgfmt rejects the catalog")]


def _check_header(po: polib.POFile, display: str, lang: str) -> list[Problem]:
    problems = []
    declared = po.metadata.get("Language", "").replace("-", "_")
    if declared and declared.split("_")[0] != catalog_code(lang).split("_")[0]:
        problems.append(
            Problem(
                display,
                1,
                f"catalog is for language '{declared}', but lies in the folder of '{lang}'",
            )
        )
    return problems


def plural_rule_difference(po: polib.POFile, lang: str) -> str | None:
    """How a catalog's Plural-Forms differs from CLDR's rule in the installed Babel, or None.

    Not an input error: the header is the translator's, msgfmt already checks that it agrees
    with the entries, and CLDR's rules change between Babel releases (Persian went from one
    form to two in Babel 2.19), which must not stop a build. Templates take plurals as two
    German messages, so no catalog entry is chosen by this rule today."""
    declared = po.metadata.get("Plural-Forms", "")
    expected = get_plural(catalog_code(lang))
    match = re.search(r"nplurals\s*=\s*(\d+)", declared)
    if not declared or (match is not None and int(match[1]) == expected.num_plurals):
        return None
    return (
        f"Plural-Forms '{declared}' differs from the CLDR rule of Babel {babel_version} "
        f"for '{lang}': {expected.plural_forms}"
    )


def canonical(po: polib.POFile) -> tuple:
    """What a catalog says, independent of wrapping, order and volatile header dates."""
    header = tuple(sorted((k, v) for k, v in po.metadata.items() if k not in VOLATILE_HEADERS))
    entries = tuple(
        sorted(
            (
                e.msgctxt or "",
                e.msgid,
                e.msgid_plural or "",
                e.msgstr,
                tuple(sorted(e.msgstr_plural.items())),
                tuple(sorted(e.flags)),
                e.previous_msgid or "",
                tuple(e.occurrences),
                # tools re-wrap comments, even inside words at a hyphen: compare without spaces
                "".join((e.comment or "").split()),
                "".join((e.tcomment or "").split()),
                bool(e.obsolete),
            )
            for e in po  # obsolete entries included
        )
    )
    return header, entries


def serialise(po: polib.POFile) -> bytes:
    return (str(po).rstrip("\n") + "\n").encode("utf-8")


def write_catalog(catalog_path: Path, po: polib.POFile, read: bytes | None) -> None:
    """Atomic write, refused if the file changed on disk since it was read. The comparison and
    the write happen under the catalog's lock, so two writers never both pass it."""
    with catalog_lock(catalog_path):
        current = catalog_path.read_bytes() if catalog_path.exists() else None
        if current != read:
            raise CatalogChanged(
                Problem(
                    catalog_path,
                    None,
                    "changed on disk after it was read "
                    "(saved in a translation tool meanwhile?); not overwritten",
                )
            )
        write_atomic(catalog_path, serialise(po))


# ---- update ----


def make_template(messages: list[SourceMessage]) -> polib.POFile:
    pot = polib.POFile(wrapwidth=78)
    pot.metadata = header()
    for message in messages:
        pot.append(new_entry(message))
    return pot


def header(lang: str | None = None) -> dict[str, str]:
    meta = {
        "Project-Id-Version": "brochures",
        "Report-Msgid-Bugs-To": "",
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "",
        "Language-Team": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    if lang is not None:
        meta["Language"] = catalog_code(lang)
        meta["Plural-Forms"] = get_plural(catalog_code(lang)).plural_forms
    return meta


def new_entry(message: SourceMessage) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=message.context,
        msgid=message.msgid,
        msgstr="",
        occurrences=list(message.occurrences),
        comment="\n".join(message.comments),
        flags=["python-format"] if "%(" in message.msgid else [],
    )


@dataclass
class Changes:
    """What one catalog update did to a language's catalog, by entry id."""

    created: bool = False  # the language had no catalog: every entry is new
    added: list[str] = field(default_factory=list)  # new texts (empty, or a copied draft)
    outdated: list[str] = field(default_factory=list)  # the German changed since the translation
    obsolete: list[str] = field(default_factory=list)  # texts no longer in the sources
    copied: dict[str, str] = field(default_factory=dict)  # id → the entry its draft came from

    def __bool__(self) -> bool:
        return bool(self.created or self.added or self.outdated or self.obsolete)


# An exact match's translation copied as a draft: the comment names the entry it came from.
COPIED_COMMENT = "draft copied from {source} (the same German text); awaits review"


def reusable(old: Iterable[polib.POEntry]) -> dict[str, polib.POEntry]:
    """Translations made for exactly their German text (reviewed or unreviewed, obsolete ones
    too), by that text; a reviewed one wins over a draft. Never by similarity."""
    found: dict[str, polib.POEntry] = {}
    for entry in old:
        if state_of(entry) not in USABLE or machine_flag(entry) is not None:
            continue
        best = found.get(entry.msgid)
        if best is None or (state_of(best) is not State.REVIEWED and "fuzzy" not in entry.flags):
            found[entry.msgid] = entry
    return found


def merge(
    old: polib.POFile | None,
    template: polib.POFile,
    lang: str,
    changes: Changes | None = None,
) -> polib.POFile:
    """Merge by identity, never by similarity: a changed German text keeps its translation as
    fuzzy with the previous msgid; a new text starts empty; a removed one becomes obsolete. A
    new or changed text whose German is word for word that of another translated entry gets
    that translation as an unreviewed draft naming its source. `changes` collects what changed."""
    changes = changes if changes is not None else Changes()
    changes.created = old is None
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(old.metadata) if old is not None else header(lang)
    po.metadata.setdefault("Language", catalog_code(lang))
    po.metadata.setdefault("Plural-Forms", get_plural(catalog_code(lang)).plural_forms)
    po.header = old.header if old is not None else ""
    previous = {key_of(e.msgctxt, e.msgid): e for e in (old or [])}
    sources = reusable(old or [])
    for source in template:
        entry = polib.POEntry(
            msgctxt=source.msgctxt,
            msgid=source.msgid,
            msgstr="",
            occurrences=list(source.occurrences),
            comment=source.comment,
            flags=list(source.flags),
        )
        ident = source.msgctxt or source.msgid
        was = previous.pop(key_of(source.msgctxt, source.msgid), None)
        new = was is None or bool(was.obsolete)
        if was is not None and was.msgstr:
            entry.msgstr = was.msgstr
            entry.tcomment = was.tcomment
            if was.msgid == source.msgid:
                entry.previous_msgid = was.previous_msgid if "fuzzy" in was.flags else None
                if "fuzzy" in was.flags:
                    entry.flags.append("fuzzy")
            else:  # the German changed: outdated, showing the text the translation was made for
                entry.flags.append("fuzzy")
                entry.previous_msgid = was.previous_msgid or was.msgid
                if "fuzzy" not in was.flags and entry.tcomment:  # reviewed: a person's for good
                    entry.tcomment = release_machine_record(entry.tcomment)
                if not _copy_exact(entry, sources, ident, changes):
                    changes.outdated.append(ident)
        else:
            if was is not None:
                entry.tcomment = was.tcomment
            _copy_exact(entry, sources, ident, changes)
            if new:
                changes.added.append(ident)
        po.append(entry)
    for was in previous.values():
        if was.msgstr or was.tcomment:
            if not was.obsolete:
                changes.obsolete.append(was.msgctxt or was.msgid)
            # a copy: the old catalog's own entry must stay as it was read, or the comparison
            # of old and new (update --check) would see no change
            gone = copy.deepcopy(was)
            gone.obsolete = True
            gone.occurrences = []
            po.append(gone)
    return po


def _copy_exact(
    entry: polib.POEntry, sources: dict[str, polib.POEntry], ident: str, changes: Changes
) -> bool:
    """Give a new or changed entry the translation of another entry with identical German."""
    source = sources.get(entry.msgid)
    if source is None or (source.msgctxt or source.msgid) == ident:
        return False
    origin = source.msgctxt or source.msgid
    entry.msgstr = source.msgstr
    entry.previous_msgid = None
    entry.flags = [f for f in entry.flags if f != "fuzzy"] + ["fuzzy"]
    kept = [
        line
        for line in (entry.tcomment or "").splitlines()
        if line.strip() and not line.startswith("draft copied from ")
    ]
    kept = [release_machine_record(line) for line in kept if not _MT.search(line)]
    entry.tcomment = "\n".join([*kept, COPIED_COMMENT.format(source=origin)])
    changes.copied[ident] = origin
    return True


@dataclass
class UpdateReport:
    written: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changes: dict[str, Changes] = field(default_factory=dict)  # language → what changed
    german: dict[str, str] = field(default_factory=dict)  # entry id → German, to show new texts


def update(project: Project, check: bool = False) -> UpdateReport:
    """Extract into locales/messages.pot and merge it into every language's catalog."""
    template = make_template(extract(project))
    report = UpdateReport()
    targets: list[tuple[Path, str | None]] = [(pot_path(project), None)]
    targets += [
        (po_path(project, lang), lang)
        for lang in project.settings.languages
        if lang != SOURCE_LANGUAGE
    ]
    loaded = {}
    for path, lang in targets:  # read (and validate) everything before writing anything
        if path.exists():
            loaded[path] = read_catalog(path, display_of(project, path), lang)
    report.german = {e.msgctxt or e.msgid: e.msgid for e in template}
    for path, lang in targets:
        old = loaded.get(path)
        changes = Changes()
        new = template if lang is None else merge(old.po if old else None, template, lang, changes)
        if lang is not None and changes:
            report.changes[lang] = changes
        if old is not None and canonical(old.po) == canonical(new):
            report.unchanged.append(display_of(project, path))
            continue
        if check:
            report.stale.append(display_of(project, path))
            continue
        write_catalog(path, new, old.raw if old else None)
        report.written.append(display_of(project, path))
    return report


# ---- translations for a job ----


@dataclass
class Lookup:
    """The translation a job uses for one message, and its state."""

    text: str
    state: State
    fallback: bool  # True: German is shown in place of the translation
    issues: tuple[MessageIssue, ...] = ()

    @property
    def errors(self) -> list[MessageIssue]:
        return [i for i in self.issues if i.severity == "error"]


class CatalogTexts:
    """The texts of one language: reviewed and unreviewed translations are used; outdated and
    missing ones fall back to German. Every lookup is counted for the notice and the report."""

    def __init__(self, lang: str, po: polib.POFile | None):
        self.lang = lang
        self.entries: dict[tuple[str, str], polib.POEntry] = {}
        for entry in po or []:
            if not entry.obsolete:
                self.entries[key_of(entry.msgctxt, entry.msgid)] = entry
        self.seen: dict[tuple[str, str], Lookup] = {}

    def lookup(self, context: str | None, msgid: str) -> Lookup:
        key = key_of(context, msgid)
        if self.lang == SOURCE_LANGUAGE:
            return Lookup(msgid, State.REVIEWED, False)
        entry = self.entries.get(key)
        state = state_of(entry) if entry is not None and entry.msgid == msgid else State.MISSING
        if entry is not None and entry.msgid != msgid and entry.msgstr:
            state = State.OUTDATED  # the catalog was not updated since the German changed
        if state in USABLE and entry is not None:
            issues = tuple(message_issues(msgid, entry.msgstr, formatted(context, entry)))
            translated = entry.msgstr  # escaped or sanitised by the renderer, which knows how
            flagged = machine_flag(entry)  # the engine lost a protected piece: German until review
            if flagged is not None:
                issues += (MessageIssue("warning", "machine translation flagged", flagged),)
            # a text that fails a check is shown in German; a reviewed one also fails its job
            failed = any(i.severity == "error" for i in issues) or flagged is not None
            result = Lookup(msgid if failed else translated, state, failed, issues)
        else:
            result = Lookup(msgid, state, True)
        self.seen[key] = result
        return result

    def failed_format(self, context: str | None, msgid: str, detail: str) -> Lookup:
        """A translation whose `%` formatting failed while rendering (what the message checks
        did not foresee): from now on German, with an error naming it (a reviewed entry fails
        its job, like any failing message check)."""
        key = key_of(context, msgid)
        looked = self.seen.get(key) or self.lookup(context, msgid)
        issue = MessageIssue("error", "placeholders", f"formatting failed: {detail}")
        failed = Lookup(msgid, looked.state, True, (*looked.issues, issue))
        self.seen[key] = failed
        return failed

    @property
    def has_translations(self) -> bool:
        """Whether any entry has a translation a job would use (reviewed or unreviewed)."""
        return any(state_of(entry) in USABLE for entry in self.entries.values())

    def fresh(self) -> CatalogTexts:
        """The same catalog with nothing looked up yet (one per job)."""
        view = CatalogTexts(self.lang, None)
        view.entries = self.entries
        return view

    def fallbacks(self) -> list[str]:
        """Messages shown in German, by id (context, or the text of a template string)."""
        return [ctx or msgid for (ctx, msgid), v in self.seen.items() if v.fallback]

    def counts(self) -> dict[State, int]:
        out = dict.fromkeys(State, 0)
        for looked in self.seen.values():
            out[looked.state] += 1
        return out

    @property
    def complete(self) -> bool:
        """Every text reviewed and free of message-check errors (the bar for print runs)."""
        return all(v.state is State.REVIEWED and not v.errors for v in self.seen.values())


def load_catalog(project: Project, lang: str) -> polib.POFile | None:
    """A language's catalog, read and validated; None for German and a language without one."""
    if lang == SOURCE_LANGUAGE:
        return None
    path = po_path(project, lang)
    if not path.exists():
        return None
    return read_catalog(path, display_of(project, path), lang).po


def load_texts(project: Project, lang: str) -> CatalogTexts:
    return CatalogTexts(lang, load_catalog(project, lang))


@dataclass
class CheckRow:
    lang: str
    context: str
    severity: str
    check: str
    detail: str


def check_messages(project: Project) -> list[CheckRow]:
    """Message checks on every translated entry of every language's catalog, and the term
    base's (source/terms.yaml): approved terms missing from a translation, shared targets."""
    terms = load_terms(project.source_dir, project.settings.languages)
    rows = [
        CheckRow(finding.lang, "(term base)", "warning", "term base", finding.detail)
        for finding in shared_targets(terms)
    ]
    for lang in project.settings.languages:
        po = load_catalog(project, lang)
        if po is None:
            continue
        difference = plural_rule_difference(po, lang)
        if difference is not None:
            rows.append(CheckRow(lang, "(header)", "warning", "plural rule", difference))
        for (context, msgid), entry in CatalogTexts(lang, po).entries.items():
            if state_of(entry) not in USABLE:
                continue
            for issue in message_issues(entry.msgid, entry.msgstr, formatted(context, entry)):
                rows.append(
                    CheckRow(lang, context or msgid, issue.severity, issue.check, issue.detail)
                )
            flagged = machine_flag(entry)  # German is shown until a person reviews it
            if flagged is not None:
                rows.append(
                    CheckRow(lang, context or msgid, "warning", "machine translation", flagged)
                )
            for detail in missing_terms(terms, lang, entry.msgid, entry.msgstr):
                rows.append(CheckRow(lang, context or msgid, "warning", "term base", detail))
    return rows


# ---- how far catalogs are behind the sources ----


@dataclass(frozen=True)
class Lag:
    """A language's catalog against the texts of the sources (what `catalog update` would do)."""

    lang: str
    new: int = 0  # texts the catalog has no entry for yet
    changed: int = 0  # texts whose German changed since the catalog's entry
    removed: int = 0  # entries whose text is no longer in the sources
    no_catalog: bool = False

    def __bool__(self) -> bool:
        return bool(self.no_catalog or self.new or self.changed or self.removed)


def lag(
    project: Project, langs: Iterable[str], loaded: dict[str, CatalogTexts] | None = None
) -> list[Lag]:
    """The languages whose catalogs are behind the sources (new or changed German, removed
    texts, no catalog at all); cheap enough for every build: one extraction, set lookups."""
    wanted = sorted({lang for lang in langs if lang != SOURCE_LANGUAGE})
    if not wanted:
        return []
    german = {key_of(m.context, m.msgid): m.msgid for m in extract(project)}
    behind = []
    for lang in wanted:
        if not po_path(project, lang).exists():
            behind.append(Lag(lang, new=len(german), no_catalog=True))
            continue
        texts = (loaded or {}).get(lang) or load_texts(project, lang)
        entries = texts.entries
        found = Lag(
            lang,
            new=sum(1 for key in german if key not in entries),
            changed=sum(
                1 for key, text in german.items() if key in entries and entries[key].msgid != text
            ),
            removed=sum(1 for key in entries if key not in german),
        )
        if found:
            behind.append(found)
    return behind
