"""A language's texts as a list (`brochures status --texts`): state, German, where, last review."""

from __future__ import annotations

from dataclasses import dataclass

from brochures.content.project import Project
from brochures.errors import ConfigError, Problem
from brochures.i18n import _
from brochures.rendering.usage import brochures_of_texts
from brochures.review import log
from brochures.review.store import Entry, entries
from brochures.translation.catalogs import State, last_review


@dataclass
class TextRow:
    id: str
    state: State
    german: str
    translation: str
    brochures: list[str]  # whose pages show it
    occurrences: list[str]  # source file:line
    reviewer: str | None  # who approved it last
    reviewed_on: str | None  # YYYY-MM-DD

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "state": self.state.value,
            "german": self.german,
            "translation": self.translation,
            "brochures": self.brochures,
            "occurrences": self.occurrences,
            "reviewer": self.reviewer,
            "reviewed_on": self.reviewed_on,
        }


def texts(
    project: Project,
    lang: str,
    brochure: str | None = None,
    states: list[State] | None = None,
) -> list[TextRow]:
    """Every text a language's catalog holds for the brochures (only `brochure`'s with one, only
    in `states` when given), in catalog order; texts no brochure shows are left out."""
    if brochure is not None:
        if brochure not in project.brochures:
            raise ConfigError(project.unknown_brochure(brochure))
        if lang not in project.languages_of(project.brochures[brochure]):
            raise ConfigError(
                Problem(
                    None,
                    None,
                    _("'{lang}' is not a language of '{id}'").format(lang=lang, id=brochure),
                )
            )
    where = brochures_of_texts(project, lang)
    approvals = {  # the review log's last approval of each text (log order is time order)
        (r["lang"], r["id"]): (r["reviewer"], r["time"][:10])
        for r in log.read(project)
        if r.get("new", {}).get("state") == State.REVIEWED.value
    }
    rows = []
    for entry in entries(project, lang, pages=False):
        shown_in = where.get(entry.id, [])
        if not shown_in or (brochure is not None and brochure not in shown_in):
            continue
        if states and entry.state not in states:
            continue
        # the review log's last approval, else the catalog's review record (`reviewed by …`)
        review = approvals.get((lang, entry.id)) or _recorded(entry)
        rows.append(
            TextRow(
                id=entry.id,
                state=entry.state,
                german=entry.source,
                translation=entry.translation,
                brochures=shown_in,
                occurrences=entry.occurrences,
                reviewer=review[0] if review else None,
                reviewed_on=review[1] if review else None,
            )
        )
    return rows


def _recorded(entry: Entry) -> tuple[str, str] | None:
    """The `reviewed by NAME, DATE` record of a reviewed entry's translator comment."""
    import polib

    record = polib.POEntry(msgid=entry.source, msgstr=entry.translation, tcomment=entry.comment)
    return last_review(record) if entry.state is State.REVIEWED else None
