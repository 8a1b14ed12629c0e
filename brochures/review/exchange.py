"""Round trips for reviewers outside the web page: export a language to a file, import it back."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from brochures.content.project import Project
from brochures.errors import BrochuresError, Problem
from brochures.files import write_atomic
from brochures.review import store
from brochures.translation.catalogs import State, formatted

FORMATS = ("xliff", "docx")
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a review file of every brochure is well below 1 MB


class ImportProblem(BrochuresError):
    """A file to import is not a review file of this project: nothing written (exit 2)."""


@dataclass
class Section:
    """The entries of one brochure in page order (None: texts no brochure shows)."""

    brochure: str | None
    entries: list[store.Entry]


@dataclass
class Unit:
    """One text as it comes back from a reviewer's file."""

    id: str
    source: str  # the German as exported
    target: str | None  # None: no translation given
    reviewed: bool
    where: str  # `file:line` or `file: unit ID`, for reports


@dataclass
class ReviewFile:
    lang: str
    units: list[Unit]


@dataclass
class ImportReport:
    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)  # German changed since the export
    refused: list[tuple[str, list[dict]]] = field(default_factory=list)  # failed checks

    def counts(self) -> dict[str, int]:
        return {
            "applied": len(self.applied),
            "unchanged": len(self.unchanged),
            "outdated": len(self.outdated),
            "refused": len(self.refused),
        }


def sections(project: Project, lang: str, brochure: str | None = None) -> list[Section]:
    """Per brochure its texts in page order, each text once (in the first brochure showing it);
    without `brochure`, then the texts no brochure shows, in catalog order."""
    wanted = [brochure] if brochure else store.brochures_of(project, lang)
    seen: set[str] = set()
    out = []
    for brochure_id in wanted:
        found = [e for e in store.entries(project, lang, brochure_id) if e.id not in seen]
        seen |= {e.id for e in found}
        out.append(Section(brochure_id, found))
    if brochure is None:
        rest = [e for e in store.entries(project, lang, pages=False) if e.id not in seen]
        if rest:
            out.append(Section(None, rest))
    return out


def where_shown(entry: store.Entry) -> str:
    """`eltern: page 1 (single), page 2 (bilingual)`, for a note beside the text."""
    parts = []
    for found in entry.pages:
        if found["pages"]:
            pages = ", ".join(str(p) for p in found["pages"])
            word = "page" if len(found["pages"]) == 1 else "pages"
            parts.append(f"{found['brochure']}: {word} {pages} ({found['edition']})")
    return "; ".join(parts) or "not on a page (document metadata or a page footer)"


def export(project: Project, lang: str, brochure: str | None, fmt: str, output: Path) -> int:
    """Write a review file of a language (all brochures, or one); the number of texts."""
    from brochures.review import docx, xliff  # one format's library per export

    store.check_language(project, lang)
    parts = sections(project, lang, brochure)
    writer = {"xliff": xliff.write, "docx": docx.write}[fmt]
    write_atomic(output, writer(project, lang, parts))
    return sum(len(s.entries) for s in parts)


def read(path: Path) -> ReviewFile:
    """A review file, by its content: a DOCX (a zip) or an XLIFF document."""
    from brochures.review import docx, xliff

    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportProblem(
                Problem(path, None, f"{size} bytes: larger than a review file can be")
            )
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ImportProblem(Problem(path, None, f"cannot be read: {exc.strerror}")) from None
    if data.startswith(b"PK\x03\x04"):
        return docx.read(data, str(path))
    return xliff.read(data, str(path))


def import_file(project: Project, path: Path, reviewer: str | None) -> ImportReport:
    """Apply a reviewer's file to the language's catalog. Structural problems (an unknown
    language or id, a reviewed unit without `reviewer`) stop it before anything is written;
    units failing a message check are refused and listed, the rest applied in one write."""
    review = read(path)
    try:
        store.check_language(project, review.lang)
    except store.UnknownLanguage as exc:
        raise ImportProblem([Problem(path, None, p.message) for p in exc.problems]) from None
    _, _, po = store.load(project, review.lang)
    by_id = store.live(po)
    problems = []
    seen: dict[str, Unit] = {}
    for unit in review.units:
        if unit.id not in by_id:
            problems.append(Problem(None, None, f"{unit.where}: unknown id '{unit.id}'"))
        elif unit.id in seen and (seen[unit.id].target, seen[unit.id].reviewed) != (
            unit.target,
            unit.reviewed,
        ):
            problems.append(
                Problem(None, None, f"{unit.where}: '{unit.id}' twice, with different texts")
            )
        seen[unit.id] = unit
    if problems:
        raise ImportProblem(problems)
    report = ImportReport()
    changes = []
    for unit in seen.values():
        entry = by_id[unit.id]
        state = store.state_of(entry)
        if not unit.target:  # nothing translated in the file: the catalog's text stays
            report.unchanged.append(unit.id)
            continue
        if unit.source != entry.msgid:  # the German changed since the export
            change = store.Change(unit.id, unit.target, False, previous=unit.source)
            report.outdated.append(unit.id)
        elif unit.target == entry.msgstr and (
            unit.reviewed == (state is State.REVIEWED)
            or (not unit.reviewed and state is State.OUTDATED)  # stays outdated
        ):
            report.unchanged.append(unit.id)
            continue
        else:  # a new text, or the same one approved or sent back
            change = store.Change(unit.id, unit.target, unit.reviewed)
        checks = store.checks_of(entry.msgid, unit.target, formats=formatted(entry.msgctxt, entry))
        if any(c["severity"] == "error" for c in checks):
            report.refused.append((unit.id, checks))
            if unit.id in report.outdated:
                report.outdated.remove(unit.id)
            continue
        change.action = "import"
        if unit.id not in report.outdated:
            report.applied.append(unit.id)
        changes.append(change)
    approving = [c.id for c in changes if c.reviewed]
    if approving and not (reviewer or "").strip():  # already reviewed ones need no name
        raise ImportProblem(
            Problem(
                path,
                None,
                f"{len(approving)} units are marked reviewed (first: {approving[0]}): "
                "name the reviewer with --reviewer",
            )
        )
    if changes:
        who = (reviewer or "").strip() or f"{getpass.getuser()} (import of {path.name})"
        store.save_many(project, review.lang, changes, who)
    return report
