"""WeasyPrint: font configuration, the restricted URL fetcher, metadata and PDF bytes."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse


class RefusedURL(ValueError):
    """The fetcher refused a URL (WeasyPrint logs it and leaves the resource out)."""


class RestrictedFetcher(weasyprint.URLFetcher):
    """Reads `data:` URIs and files inside the template folders in use; nothing else.

    Paths are compared after resolving symlinks and `..`, so `assets/../../etc/passwd` and a
    symlink out of the assets folder are refused. A relative file missing from the first
    folder is looked up in the next one (a project overrides assets by name).
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._allowed_path(Path(unquote(urlsplit(url).path)))
            if path is not None:
                return URLFetcherResponse(path.as_uri(), body=path.read_bytes())
        self.refused.append(url)
        raise RefusedURL(f"refused to fetch {url}")

    def _allowed_path(self, path: Path) -> Path | None:
        normal = Path(os.path.normpath(path))  # `..` removed lexically, symlinks kept
        for root in self.roots:
            if not normal.is_relative_to(root):
                continue
            relative = normal.relative_to(root)
            for candidate_root in self.roots:
                candidate = (candidate_root / relative).resolve()
                if candidate.is_relative_to(candidate_root) and candidate.is_file():
                    return candidate
        return None


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    page_sizes_mm: list[tuple[float, float]] = field(default_factory=list)


class PdfRenderer:
    """Renders HTML to PDF, keeping one FontConfiguration for every document of the process."""

    def __init__(self, template_dirs: list[Path]):
        self.template_dirs = template_dirs
        self.fonts = FontConfiguration()
        self.fetcher = RestrictedFetcher(template_dirs)

    def render(self, html: str, profile: str = "screen") -> RenderedPdf:
        base_url = self.template_dirs[0].as_uri() + "/"
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
            font_config=self.fonts
        )
        data = document.write_pdf()
        px_to_mm = 25.4 / 96
        sizes = [(p.width * px_to_mm, p.height * px_to_mm) for p in document.pages]
        return RenderedPdf(data, len(document.pages), sizes)


def quiet_weasyprint_logs() -> None:
    """WeasyPrint logs refused URLs as errors; the build reports them itself."""
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
