"""Which catalog texts each brochure's pages look up: review-state counts per brochure, language."""

from __future__ import annotations

from brochures.content.project import Project, default_templates
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.rendering import render
from brochures.translation.catalogs import State, load_texts


def status(project: Project) -> list[dict]:
    """Counts of review states per brochure × language (like `sphinx-intl stat`)."""
    env = render.environment(project.template_dirs, default_templates())
    rows = []
    for brochure_id, brochure in project.brochures.items():
        content = project.content(brochure_id)
        for lang in project.languages_of(brochure):
            if lang == SOURCE_LANGUAGE:
                continue
            texts = load_texts(project, lang)
            render.render_html(env, content, language(lang), texts)
            counts = texts.counts()
            total = sum(counts.values()) or 1
            rows.append(
                {
                    "brochure": brochure_id,
                    "language": lang,
                    **{s.value: counts[s] for s in State},
                    "complete": counts[State.REVIEWED] / total,
                }
            )
    return rows
