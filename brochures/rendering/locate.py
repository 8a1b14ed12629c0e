"""Where each catalog text lands in a laid-out brochure: physical pages and boxes per entry id."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import weasyprint

from brochures.content.project import Project, default_templates
from brochures.files import prune_cache, used, user_cache, write_atomic
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.rendering import render
from brochures.rendering.pdf import PdfRenderer
from brochures.translation.catalogs import CatalogTexts, load_texts

EDITIONS = ("single", "bilingual")  # as build.EDITIONS (build imports rendering, not back)


@dataclass(frozen=True)
class Box:
    """One box of a text on a page: CSS px from the page's top-left corner."""

    page: int  # 1-based physical page
    x: float
    y: float
    width: float
    height: float


@dataclass
class Located:
    """A laid-out document: its page sizes (CSS px) and the boxes of every entry id in it, in
    reading order of first appearance; `looked_up` also names texts that are not drawn."""

    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    boxes: dict[str, list[Box]] = field(default_factory=dict)
    looked_up: list[str] = field(default_factory=list)

    def pages_of(self, entry_id: str) -> list[int]:
        return sorted({b.page for b in self.boxes.get(entry_id, [])})


@cache
def renderer(template_dirs: tuple[Path, ...]) -> PdfRenderer:
    """One renderer (warm fonts) per set of template folders, for the process."""
    return PdfRenderer(list(template_dirs))


def located_html(
    project: Project, brochure_id: str, lang: str, edition: str, texts: CatalogTexts | None = None
) -> tuple[str, list[str]]:
    """The HTML of a brochure whose looked-up texts carry their entry ids, and the ids of every
    text it looks up (drawn or not), from the language's current catalog unless `texts`."""
    env = render.environment(project.template_dirs, default_templates())
    texts = (texts or load_texts(project, lang)).fresh()
    rendered = render.render_html(
        env, project.content(brochure_id), language(lang), texts, edition, locate=True
    )
    return rendered.html, [ctx or msgid for ctx, msgid in texts.seen]


def boxes_of(document: weasyprint.Document) -> dict[str, list[Box]]:
    """Every box of an element that names an entry id, page by page, in tree order."""
    found: dict[str, list[Box]] = {}
    for number, page in enumerate(document.pages, start=1):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = box.element
            entry_id = element.get(render.LOCATE_ATTRIBUTE) if element is not None else None
            if entry_id is not None and getattr(box, "element_tag", None) is not None:
                found.setdefault(entry_id, []).append(
                    Box(
                        number,
                        round(box.border_box_x(), 2),
                        round(box.border_box_y(), 2),
                        round(box.border_width(), 2),
                        round(box.border_height(), 2),
                    )
                )
            stack.extend(reversed(getattr(box, "children", [])))
    return found


def locate_html(html: str, template_dirs: list[Path]) -> Located:
    """Lay out located HTML and find its texts; kept in the user cache by the HTML's hash."""
    key = hashlib.sha256(f"{weasyprint.__version__}\n{html}".encode()).hexdigest()
    cached = user_cache("locate") / f"{key}.json"
    try:  # JSON, not pickle: whoever can write a cache must not be able to run code with it
        data = json.loads(cached.read_text(encoding="utf-8"))
        located = Located(
            [tuple(size) for size in data["page_sizes"]],
            {k: [Box(*b) for b in v] for k, v in data["boxes"].items()},
        )
        used(cached)
        return located
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or damaged: lay out again
    document = renderer(tuple(template_dirs)).layout(html)
    located = Located([(p.width, p.height) for p in document.pages], boxes_of(document))
    data = {
        "page_sizes": located.page_sizes,
        "boxes": {k: [list(asdict(b).values()) for b in v] for k, v in located.boxes.items()},
    }
    with contextlib.suppress(OSError):
        write_atomic(cached, json.dumps(data).encode("utf-8"))
        prune_cache(cached.parent)
    return located


def locate(
    project: Project,
    brochure_id: str,
    lang: str,
    edition: str = "single",
    texts: CatalogTexts | None = None,
) -> Located:
    """Where the texts of one brochure in one language and edition land, as it would be built
    now (the language's catalog as on disk unless `texts`)."""
    html, looked_up = located_html(project, brochure_id, lang, edition, texts)
    located = locate_html(html, project.template_dirs)
    located.looked_up = looked_up
    return located


def editions_of(lang: str) -> tuple[str, ...]:
    """The editions built for a language (German has no bilingual edition)."""
    return ("single",) if lang == SOURCE_LANGUAGE else EDITIONS
