"""The review store: a language's entries as a reviewer sees them, and saves into the catalog."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from brochures import files
from brochures.content.project import Project
from brochures.errors import BrochuresError, Problem
from brochures.languages import SOURCE_LANGUAGE, not_among
from brochures.rendering.locate import editions_of, locate
from brochures.review import log
from brochures.translation.catalogs import (
    DRAFT_COMMENT,
    CatalogError,
    CatalogTexts,
    State,
    display_of,
    formatted,
    machine_flag,
    machine_record,
    msgfmt_check,
    po_path,
    read_catalog,
    review_record,
    serialise,
    state_of,
    write_catalog,
)
from brochures.translation.messages import MessageIssue, message_issues


class UnknownLanguage(BrochuresError):
    """A language the project does not translate into, or without a catalog."""


class UnknownEntry(BrochuresError):
    """No entry of that id in the language's catalog."""


class CheckFailed(BrochuresError):
    """A translation fails a message check (error severity): refused, nothing written."""

    exit_status = 1

    def __init__(self, entry_id: str, checks: list[dict]):
        self.entry_id = entry_id
        self.checks = checks
        errors = [c for c in checks if c["severity"] == "error"]
        super().__init__(
            [Problem(None, None, f"{entry_id}: {c['check']}: {c['detail']}") for c in errors]
        )


class Conflict(BrochuresError):
    """The entry changed on disk since the reviewer loaded it: nothing written."""

    exit_status = 1

    def __init__(self, current: Entry, yours: dict):
        self.current = current
        self.yours = yours
        super().__init__(f"{current.id}: changed since it was loaded (version {current.version})")


@dataclass
class Entry:
    """One text of a language's catalog as a reviewer works on it."""

    id: str  # the msgctxt, or the msgid of a template string
    source: str  # German
    translation: str
    state: State
    previous: str | None  # the German the translation was made for, when outdated
    checks: list[dict]  # {"severity", "check", "detail"}, as `brochures check`
    suggestion: str | None  # the machine translation, while the entry is still the engine's
    comment: str  # the translator comment (review records, send-back comments)
    notes: str  # the extracted comment for translators
    occurrences: list[str]
    version: str  # opaque: changes whenever the entry changes on disk
    pages: list[dict] = field(default_factory=list)  # {"brochure", "edition", "pages"}

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "translation": self.translation,
            "state": self.state.value,
            "previous": self.previous,
            "checks": self.checks,
            "suggestion": self.suggestion,
            "comment": self.comment,
            "notes": self.notes,
            "occurrences": self.occurrences,
            "pages": self.pages,
            "version": self.version,
        }


def entry_id(entry: polib.POEntry) -> str:
    return entry.msgctxt or entry.msgid


def version_of(entry: polib.POEntry) -> str:
    """A hash of everything the entry says on disk."""
    return hashlib.sha256(str(entry).encode("utf-8")).hexdigest()[:16]


def checks_of(
    msgid: str, msgstr: str, entry: polib.POEntry | None = None, formats: bool | None = None
) -> list[dict]:
    """The message checks of `brochures check` on one translation (`formats`: whether it goes
    through `%` formatting; by default known from `entry`)."""
    if formats is None:
        formats = entry is not None and formatted(entry.msgctxt, entry)
    issues: list[MessageIssue] = list(message_issues(msgid, msgstr, formats))
    flagged = machine_flag(entry) if entry is not None else None
    if flagged is not None:
        issues.append(MessageIssue("warning", "machine translation", flagged))
    return [{"severity": i.severity, "check": i.check, "detail": i.detail} for i in issues]


def to_entry(entry: polib.POEntry) -> Entry:
    state = state_of(entry)
    return Entry(
        id=entry_id(entry),
        source=entry.msgid,
        translation=entry.msgstr,
        state=state,
        previous=entry.previous_msgid if state is State.OUTDATED else None,
        checks=checks_of(entry.msgid, entry.msgstr, entry),
        suggestion=entry.msgstr if machine_record(entry) is not None else None,
        comment=entry.tcomment or "",
        notes=entry.comment or "",
        occurrences=[f"{path}:{line}" if line else path for path, line in entry.occurrences],
        version=version_of(entry),
    )


# ---- reading ----


def check_language(project: Project, lang: str) -> Path:
    """The catalog of a language the project translates into."""
    translated = [c for c in project.settings.languages if c != SOURCE_LANGUAGE]
    wrong = not_among(lang, translated, "the project's translated languages", "source/project.yaml")
    if wrong:
        raise UnknownLanguage(wrong)
    path = po_path(project, lang)
    if not path.exists():
        raise UnknownLanguage(
            Problem(display_of(project, path), None, "no catalog: run `brochures catalog update`")
        )
    return path


def load(project: Project, lang: str) -> tuple[Path, bytes, polib.POFile]:
    path = check_language(project, lang)
    loaded = read_catalog(path, display_of(project, path), lang)
    return path, loaded.raw, loaded.po


def live(po: polib.POFile) -> dict[str, polib.POEntry]:
    """The catalog's entries by id (obsolete ones left out)."""
    return {entry_id(e): e for e in po if not e.obsolete and e.msgid}


def brochures_of(project: Project, lang: str) -> list[str]:
    return [
        b for b, brochure in project.brochures.items() if lang in project.languages_of(brochure)
    ]


def entries(
    project: Project, lang: str, brochure: str | None = None, pages: bool = True
) -> list[Entry]:
    """The entries of a language, with where they appear. With `brochure`: only its texts (of
    every edition), in page order: first the single edition's, then those only the bilingual
    edition shows; without: catalog order."""
    _, _, po = load(project, lang)
    by_id = live(po)
    if brochure is not None and brochure not in brochures_of(project, lang):
        known = ", ".join(brochures_of(project, lang))
        raise UnknownEntry(f"no brochure '{brochure}' in '{lang}' (brochures: {known})")
    result = {i: to_entry(e) for i, e in by_id.items()}
    if not pages and brochure is None:
        return list(result.values())
    texts = CatalogTexts(lang, po)
    order: dict[str, None] = {}  # ordered set
    for brochure_id in [brochure] if brochure else brochures_of(project, lang):
        for edition in editions_of(lang):
            located = locate(project, brochure_id, lang, edition, texts)
            if brochure_id == brochure:
                ranked = sorted(
                    (i for i in located.looked_up if i in result),
                    key=lambda i: _position(located.boxes.get(i)),
                )
                order.update(dict.fromkeys(ranked))
            if not pages:
                continue
            for i in located.looked_up:
                if i in result:
                    result[i].pages.append(
                        {"brochure": brochure_id, "edition": edition, "pages": located.pages_of(i)}
                    )
    if brochure is not None:
        return [result[i] for i in order]
    return list(result.values())


def _position(boxes: list | None) -> tuple:
    if not boxes:  # looked up but not drawn (a margin box, the document's metadata): last
        return (float("inf"), 0.0, 0.0)
    first = boxes[0]
    return (first.page, first.y, first.x)


def get(project: Project, lang: str, wanted: str) -> Entry:
    """One entry as on disk (without its pages)."""
    _, _, po = load(project, lang)
    found = live(po).get(wanted)
    if found is None:
        raise UnknownEntry(f"no entry '{wanted}' in the catalog of '{lang}'")
    return to_entry(found)


# ---- saving ----

REVIEWED = re.compile(r"^reviewed by .*, \d{4}-\d{2}-\d{2}$")
_MT_LINE = re.compile(r"machine\s+translation:.*?\[(?:mt:[0-9a-f]{12}|reviewed)\]", re.S)


def _comment_lines(tcomment: str, drop_review: bool, drop_machine: bool) -> list[str]:
    text = tcomment or ""
    if drop_machine:
        text = _MT_LINE.sub("", text).replace(DRAFT_COMMENT, "")
    lines = [line for line in text.splitlines() if line.strip()]
    if drop_review:
        lines = [line for line in lines if not REVIEWED.match(line.strip())]
    return lines


def apply(
    entry: polib.POEntry,
    translation: str,
    reviewed: bool,
    reviewer: str,
    comment: str | None,
    day: dt.date,
    previous: str | None = None,
) -> None:
    """Change one catalog entry as a review does. Approve: not fuzzy, the review recorded in
    the translator comment, the engine's marks removed. Otherwise: fuzzy (unreviewed), or
    outdated with `previous`; an unchanged outdated text stays outdated; a send-back comment
    is kept in the entry."""
    changed = translation != entry.msgstr
    entry.msgstr = translation
    flags = [f for f in entry.flags if f != "fuzzy"]
    comment = " ".join((comment or "").split())
    if reviewed and translation:
        lines = _comment_lines(entry.tcomment, drop_review=True, drop_machine=True)
        if comment:
            lines.append(f"comment by {reviewer}, {day.isoformat()}: {comment}")
        lines.append(review_record(reviewer, day.isoformat()))
        entry.previous_msgid = None
    else:
        lines = _comment_lines(entry.tcomment, drop_review=True, drop_machine=False)
        if comment:
            lines.append(f"sent back by {reviewer}, {day.isoformat()}: {comment}")
        if previous is not None:
            entry.previous_msgid = previous
        elif changed or "fuzzy" not in entry.flags:
            entry.previous_msgid = None
        if translation:
            flags.append("fuzzy")
        else:
            entry.previous_msgid = None
    entry.flags = flags
    entry.tcomment = "\n".join(lines)


def catalog_lock(path: Path) -> contextlib.AbstractContextManager:
    """Exclusive for writers of one catalog: files.catalog_lock (its folder locked with flock;
    nests with the lock write_catalog takes, waits up to 60 s, then names the holder)."""
    return files.catalog_lock(path)


@dataclass
class Change:
    """One change of an entry to save: what the reviewer sent."""

    id: str
    translation: str
    reviewed: bool
    version: str | None = None  # None: no conflict check (an import checks German instead)
    comment: str | None = None
    previous: str | None = None  # write outdated with this previous German (an import)
    action: str | None = None  # for the log: approve, edit, send-back, revert, import


def save(
    project: Project,
    lang: str,
    wanted: str,
    translation: str,
    reviewed: bool,
    version: str | None,
    reviewer: str,
    comment: str | None = None,
    action: str | None = None,
) -> Entry:
    """Save one entry: edit, approve (`reviewed`), or send back (not reviewed, with a comment).
    A stale `version` raises Conflict, a message-check error CheckFailed; nothing is written
    then. Written atomically under the catalog's lock and recorded in the review log."""
    change = Change(wanted, translation, reviewed, version, comment, action=action)
    return save_many(project, lang, [change], reviewer)[0]


def save_many(
    project: Project,
    lang: str,
    changes: list[Change],
    reviewer: str,
    now: dt.datetime | None = None,
) -> list[Entry]:
    """Save several entries in one catalog write (all or none): see `save`."""
    if not reviewer.strip():
        raise BrochuresError("a reviewer's name is needed to save")
    now = now or dt.datetime.now(dt.UTC)
    path = check_language(project, lang)
    display = display_of(project, path)
    with catalog_lock(path):
        loaded = read_catalog(path, display, lang)
        by_id = live(loaded.po)
        records = []
        for change in changes:
            entry = by_id.get(change.id)
            if entry is None:
                raise UnknownEntry(f"no entry '{change.id}' in the catalog of '{lang}'")
            if change.version is not None and change.version != version_of(entry):
                raise Conflict(
                    to_entry(entry),
                    {
                        "translation": change.translation,
                        "reviewed": change.reviewed,
                        "comment": change.comment,
                    },
                )
            checks = checks_of(
                entry.msgid, change.translation, formats=formatted(entry.msgctxt, entry)
            )
            if change.reviewed and not change.translation.strip():
                checks.append(
                    {"severity": "error", "check": "empty", "detail": "no translation to approve"}
                )
            if any(c["severity"] == "error" for c in checks):
                raise CheckFailed(change.id, checks)
            before = (entry.msgstr, state_of(entry), entry.previous_msgid)
            apply(
                entry,
                change.translation,
                change.reviewed,
                reviewer,
                change.comment,
                now.date(),
                change.previous,
            )
            records.append(
                log.record(
                    now,
                    lang,
                    change.id,
                    reviewer,
                    change.action or _action(change),
                    old=log.side(*before),
                    new=log.side(entry.msgstr, state_of(entry), entry.previous_msgid),
                    comment=change.comment,
                    version=version_of(entry),
                )
            )
        text = serialise(loaded.po)
        problems = msgfmt_check(text.decode("utf-8"), display)
        if problems:  # a bug of ours, never a reviewer's input: nothing written
            raise CatalogError(problems)
        write_catalog(path, loaded.po, loaded.raw)
        log.append(project, records)
    return [to_entry(by_id[c.id]) for c in changes]


def _action(change: Change) -> str:
    if change.reviewed:
        return "approve"
    if change.comment:
        return "send-back"
    return "edit"


# ---- history ----


def history(project: Project, lang: str, wanted: str) -> list[dict]:
    """Every save of one entry from the review log, oldest first, each with its `seq`."""
    return [r for r in log.read(project) if r["lang"] == lang and r["id"] == wanted]


def revert(
    project: Project, lang: str, wanted: str, seq: int, version: str | None, reviewer: str
) -> Entry:
    """Put an entry back to how it was before the save `seq` of its history (text and state;
    a reviewed state is recorded as reviewed by `reviewer`)."""
    found = [r for r in history(project, lang, wanted) if r["seq"] == seq]
    if not found:
        raise UnknownEntry(f"no save {seq} of '{wanted}' in the review log of '{lang}'")
    old = found[0]["old"]
    state = State(old["state"])
    change = Change(
        wanted,
        old["translation"],
        state is State.REVIEWED,
        version,
        comment=None,
        previous=old.get("previous") if state is State.OUTDATED else None,
        action="revert",
    )
    return save_many(project, lang, [change], reviewer)[0]
