"""Which catalog texts each brochure's pages look up: review-state counts per brochure, language."""

from __future__ import annotations

from dataclasses import dataclass, field

from brochures.content.project import Project, default_templates
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.rendering import render
from brochures.translation.catalogs import State, last_review, load_texts


@dataclass
class LanguageSummary:
    """One language over every brochure it is built for: each text counted once."""

    language: str
    counts: dict[State, int] = field(default_factory=lambda: dict.fromkeys(State, 0))
    last_reviewer: str | None = None
    last_reviewed: str | None = None  # YYYY-MM-DD

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status(project: Project) -> list[dict]:
    """Counts of review states per brochure × language (like `sphinx-intl stat`), with the
    last review of the row's texts (from their `reviewed by NAME, DATE` records)."""
    return status_report(project)[0]


def status_report(project: Project) -> tuple[list[dict], list[LanguageSummary]]:
    """The rows of `status` and a summary per language."""
    env = render.environment(project.template_dirs, default_templates())
    rows = []
    seen: dict[str, dict] = {}  # language -> key -> (state, last review)
    for brochure_id, brochure in project.brochures.items():
        content = project.content(brochure_id)
        for lang in project.languages_of(brochure):
            if lang == SOURCE_LANGUAGE:
                continue
            texts = load_texts(project, lang)
            render.render_html(env, content, language(lang), texts)
            counts = texts.counts()
            total = sum(counts.values()) or 1
            reviews = {}
            for key, looked in texts.seen.items():
                entry = texts.entries.get(key)
                review = last_review(entry) if looked.state is State.REVIEWED and entry else None
                reviews[key] = review
                seen.setdefault(lang, {})[key] = (looked.state, review)
            last = max((r for r in reviews.values() if r), key=lambda r: r[1], default=None)
            rows.append(
                {
                    "brochure": brochure_id,
                    "language": lang,
                    "native_name": language(lang).native_name,
                    # no translation yet: not built, announced on the download page
                    "in_preparation": not texts.has_translations,
                    **{s.value: counts[s] for s in State},
                    "complete": counts[State.REVIEWED] / total,
                    "last_reviewer": last[0] if last else None,
                    "last_reviewed": last[1] if last else None,
                }
            )
    summaries = []
    for lang, keys in seen.items():
        summary = LanguageSummary(lang)
        for state, _ in keys.values():
            summary.counts[state] += 1
        last = max((r for _, r in keys.values() if r), key=lambda r: r[1], default=None)
        if last is not None:
            summary.last_reviewer, summary.last_reviewed = last
        summaries.append(summary)
    return rows, summaries


def brochures_of_texts(project: Project, lang: str) -> dict[str, list[str]]:
    """Catalog entry id → the brochures whose pages show it in `lang` (single and bilingual
    edition); a template string appears under every brochure whose pages look it up."""
    env = render.environment(project.template_dirs, default_templates())
    texts = load_texts(project, lang)
    where: dict[str, list[str]] = {}
    for brochure_id, brochure in project.brochures.items():
        if lang not in project.languages_of(brochure):
            continue
        content = project.content(brochure_id)
        for edition in ("single", "bilingual"):
            view = texts.fresh()
            render.render_html(env, content, language(lang), view, edition)
            for context, msgid in view.seen:
                found = where.setdefault(context or msgid, [])
                if brochure_id not in found:
                    found.append(brochure_id)
    return where
