"""Quality gates on rendered documents: page fit of fixed formats, resources the fetcher refused."""

from __future__ import annotations

from brochures.pdf import RenderedPdf


def page_fit(pdf: RenderedPdf, max_pages: int | None, fmt: str) -> list[str]:
    """A fixed format (a flyer) must hold its content in its pages."""
    if max_pages is not None and pdf.pages > max_pages:
        return [f"content does not fit the {fmt} format: {pdf.pages} pages, at most {max_pages}"]
    return []


def refused_resources(refused: list[str]) -> list[str]:
    """The template or content asked for a resource outside the allowed folders."""
    return [f"refused to load {url} (only template folders and data: URIs)" for url in refused]
