"""Publishing: build/manifest.json, page-1 thumbnails and the static download page index.html."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from brochures import __version__
from brochures.content.brochure import BrochureContent
from brochures.content.project import Project, default_templates
from brochures.errors import EnvironmentProblem
from brochures.files import write_atomic
from brochures.languages import SOURCE_LANGUAGE, catalog_code, language
from brochures.publishing.keys import digest, file_sha256
from brochures.publishing.pages import page_template
from brochures.rendering import render
from brochures.translation.catalogs import load_texts

if TYPE_CHECKING:
    from brochures.rendering.jobs import JobResult

MANIFEST = "manifest.json"
INDEX = "index.html"
PRINT_INDEX = "print/index.html"  # the print shop's page: print-profile PDFs only
THUMBS = "thumbs"
THUMBNAIL_DPI = 30
# Which PDF of a language its thumbnail shows, best first: (edition, profile).
THUMBNAIL_SOURCES = [("single", "screen"), ("bilingual", "screen"), ("single", "print")]
NOT_REVIEWED = ("unreviewed", "outdated", "missing")


@dataclass
class Published:
    manifest: Path
    index: Path
    pdfs: int = 0  # on the download page (screen PDFs)
    print_index: Path | None = None  # the print shop's page, when there are print PDFs
    print_pdfs: int = 0
    thumbnails_made: int = 0
    thumbnails_reused: int = 0
    thumbnail_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)  # the manifest's


def check_tools() -> None:
    """Thumbnails are drawn by poppler's pdftoppm; missing, it is an environment error that stops
    the build before any job."""
    if shutil.which("pdftoppm") is None:
        raise EnvironmentProblem(
            "pdftoppm not found: install poppler (apt-get install poppler-utils); "
            "it draws the download page's thumbnails"
        )


def relative(project: Project, path: Path) -> str:
    """A path inside build/ as the manifest and the page name it (POSIX, relative)."""
    return path.relative_to(project.build_dir).as_posix()


def read_manifest(build_dir: Path) -> dict[str, dict]:
    """The previous build's entries by path; a missing or unreadable manifest, or an entry without
    what a build relies on, counts as none (those jobs are built again)."""
    try:
        entries = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))["pdfs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {e["path"]: e for e in entries if _usable(e)}


_ENTRY_FIELDS = {"path": str, "build_key": str, "sha256": str, "bytes": int, "pages": int}
_ENTRY_FIELDS |= {"brochure": str, "language": str, "edition": str, "profile": str}
_ENTRY_FIELDS |= {"title": str, "review": dict}


def _usable(entry: object) -> bool:
    """An entry a build can carry over or rely on: every field it reads, of the right type."""
    return (
        isinstance(entry, dict)
        and all(isinstance(entry.get(name), kind) for name, kind in _ENTRY_FIELDS.items())
        and all(isinstance(count, int) for count in entry["review"].values())
    )


class Thumbnailer:
    """Draws the thumbnails of single-language screen PDFs as soon as each is written (in threads:
    pdftoppm runs beside the workers still rendering), for `publish` to find."""

    def __init__(self, project: Project, threads: int):
        self.project = project
        self.pool = ThreadPoolExecutor(max(1, threads))
        self.drawn: dict[str, Future[str | None]] = {}  # thumbnail → error text or None
        self.seconds = 0.0  # spent drawing (summed over threads)
        self._lock = threading.Lock()

    def add(self, result: JobResult) -> None:
        job = result.job
        if result.ok and (job.edition, job.profile) == THUMBNAIL_SOURCES[0]:
            entry = {
                "path": relative(self.project, job.output),
                "thumbnail": thumbnail_name(job.brochure, job.lang, result.key),
            }
            if not (self.project.build_dir / entry["thumbnail"]).is_file():  # else: reused
                self.drawn[entry["thumbnail"]] = self.pool.submit(self._draw, entry)

    def _draw(self, entry: dict) -> str | None:
        started = time.perf_counter()
        error = draw_thumbnail(self.project.build_dir, entry)
        with self._lock:
            self.seconds += time.perf_counter() - started
        return error

    def __enter__(self) -> Thumbnailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True)


def prepare(project: Project) -> None:
    """What the download page needs from Babel and Jinja2, loaded while the PDFs are rendered:
    every language's names, the page's template."""
    for code in project.settings.languages:
        language(code)
    page_template()


def publish(
    project: Project,
    results: list[JobResult],
    previous: dict[str, dict],
    every_output: set[Path],
    workers: int,
    drawn: Thumbnailer | None = None,
) -> Published:
    """Write the manifest, the thumbnails and the download page for every PDF in build/: this
    build's, and earlier ones' that are still part of the project and unchanged on disk."""
    build_dir = project.build_dir
    published = Published(build_dir / MANIFEST, build_dir / INDEX)
    contents = LazyContents(project)
    entries = carried_over(project, previous, every_output)
    for result in results:
        path = relative(project, result.job.output)
        if result.ok:
            entries[path] = manifest_entry(project, result, contents[result.job.brochure])
        else:
            entries.pop(path, None)
    ordered = [entries[path] for path in sorted(entries)]
    started = time.perf_counter()
    thumbnails(build_dir, ordered, workers, published, drawn.drawn if drawn else {})
    published.thumbnail_seconds = time.perf_counter() - started + (drawn.seconds if drawn else 0)
    published.entries = ordered
    manifest = {"generator": f"brochures {__version__}", "pdfs": ordered}
    write_pages(project, contents, ordered, published)
    # last: should anything before fail (a full disk), the manifest stays as `withdraw` left it
    write_if_changed(published.manifest, json_bytes(manifest))
    return published


def withdraw(project: Project, outputs: list[Path]) -> None:
    """Before PDFs are rewritten, take them out of the manifest: should the build be
    interrupted, the manifest never vouches (size, SHA-256) for a file it did not check.
    The build's `publish` writes the whole manifest again at its end."""
    path = project.build_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = manifest["pdfs"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if not isinstance(entries, list):
        return
    gone = {relative(project, output) for output in outputs}
    kept = [e for e in entries if not (isinstance(e, dict) and e.get("path") in gone)]
    if len(kept) != len(entries):
        manifest["pdfs"] = kept
        write_if_changed(path, json_bytes(manifest))


def carried_over(
    project: Project, previous: dict[str, dict], every_output: set[Path]
) -> dict[str, dict]:
    """Entries of earlier builds whose PDF is still one the project makes and still on disk as
    the manifest describes it (a build of one brochure keeps the others on the page)."""
    kept = {}
    for path, entry in previous.items():
        output = project.build_dir / path
        if output not in every_output or not output.is_file():
            continue
        if output.stat().st_size == entry["bytes"] and file_sha256(output) == entry["sha256"]:
            kept[path] = entry
    return kept


def manifest_entry(project: Project, result: JobResult, content: BrochureContent) -> dict[str, Any]:
    job = result.job
    version = content.version
    return {
        "path": relative(project, job.output),
        "brochure": job.brochure,
        "language": job.lang,
        "edition": job.edition,
        "profile": job.profile,
        "title": result.title,
        "pages": result.pages,
        "bytes": result.size,
        "sha256": result.sha256,
        "review": {str(state): count for state, count in result.counts.items()},
        "concept_version": {
            "id": version.id,
            "label": version.label,
            "date": version.date.isoformat(),
        },
        "build_key": result.key,
        "inputs": result.inputs,
        **(
            {"accessibility": {"pdfua": result.claims_pdfua, "problems": result.accessibility}}
            if result.accessibility is not None
            else {}
        ),
    }


def accessibility_of(entry: dict) -> list[str] | None:
    """What the accessibility gate found when the entry's PDF was written (None: not checked)."""
    found = entry.get("accessibility")
    problems = found.get("problems") if isinstance(found, dict) else None
    if isinstance(problems, list) and all(isinstance(p, str) for p in problems):
        return problems
    return None


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomic write, skipped when the file already holds these bytes (a no-op build stays one)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


# ---- thumbnails ----


def thumbnail_name(brochure: str, lang: str, key: str) -> str:
    return f"{THUMBS}/{brochure}.{lang}.{key[:16]}.png"


def thumbnails(
    build_dir: Path,
    entries: list[dict],
    workers: int,
    published: Published,
    drawn: dict[str, Future[str | None]],
) -> None:
    """A PNG of page 1 per brochure and language, named by the PDF's build key: reused as long as
    the PDF is; others in thumbs/ are removed. `drawn`: those this build drew already."""
    chosen: dict[tuple[str, str], dict] = {}
    for source in THUMBNAIL_SOURCES:
        for entry in entries:
            if (entry["edition"], entry["profile"]) == source:
                chosen.setdefault((entry["brochure"], entry["language"]), entry)
    for entry in entries:
        entry.pop("thumbnail", None)
    todo, done = [], []
    for (brochure, lang), entry in chosen.items():
        entry["thumbnail"] = thumbnail_name(brochure, lang, entry["build_key"])
        if entry["thumbnail"] in drawn:
            done.append((entry, drawn[entry["thumbnail"]].result()))
        elif (build_dir / entry["thumbnail"]).is_file():
            published.thumbnails_reused += 1
        else:
            todo.append(entry)
    with ThreadPoolExecutor(max(1, workers)) as pool:  # pdftoppm runs outside the GIL
        errors = list(pool.map(lambda e: draw_thumbnail(build_dir, e), todo))
    for entry, error in [*done, *zip(todo, errors, strict=True)]:
        if error:
            published.problems.append(f"{entry['path']}: no thumbnail: {error}")
            del entry["thumbnail"]
        else:
            published.thumbnails_made += 1
    wanted = {entry["thumbnail"] for entry in entries if "thumbnail" in entry}
    folder = build_dir / THUMBS
    for old in folder.glob("*.png") if folder.is_dir() else []:
        if f"{THUMBS}/{old.name}" not in wanted:
            old.unlink(missing_ok=True)


def draw_thumbnail(build_dir: Path, entry: dict) -> str | None:
    """Page 1 as PNG at THUMBNAIL_DPI, written atomically; the error text if pdftoppm fails."""
    target = build_dir / entry["thumbnail"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".thumb-") as tmp:
        prefix = Path(tmp) / "page"
        run = subprocess.run(
            [
                *("pdftoppm", "-png", "-r", str(THUMBNAIL_DPI), "-f", "1", "-l", "1"),
                *("-singlefile", str(build_dir / entry["path"]), str(prefix)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            return run.stderr.strip() or f"pdftoppm exited with {run.returncode}"
        os.replace(prefix.with_suffix(".png"), target)
    return None


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


# ---- the download page ----


class LazyContents(dict):
    """Brochure contents by id, selected from the concept when first needed."""

    def __init__(self, project: Project):
        super().__init__()
        self.project = project

    def __missing__(self, brochure_id: str) -> BrochureContent:
        content = self[brochure_id] = self.project.content(brochure_id)
        return content


def write_pages(
    project: Project,
    contents: dict[str, BrochureContent],
    entries: list[dict],
    published: Published,
) -> None:
    """The download page (screen PDFs: for parents, schools and the web) and, when print PDFs
    exist, the print shop's page build/print/index.html (print PDFs only); each is rewritten only
    when what it shows changed."""
    screen = [e for e in entries if e["profile"] == "screen"]
    prints = [e for e in entries if e["profile"] == "print"]
    published.pdfs, published.print_pdfs = len(screen), len(prints)
    stamp = page_stamp(project, screen, *sorted(in_preparation(project)))
    if not page_is_current(published.index, stamp):
        page = download_page(project, contents, screen, stamp)
        write_if_changed(published.index, page.encode("utf-8"))
    print_index = project.build_dir / PRINT_INDEX
    if not prints:
        print_index.unlink(missing_ok=True)
        return
    published.print_index = print_index
    stamp = page_stamp(project, prints, print_facts(project))
    if not page_is_current(print_index, stamp):
        page = download_page(project, contents, prints, stamp, print_shop=True)
        write_if_changed(print_index, page.encode("utf-8"))


def page_stamp(project: Project, entries: list[dict], *extra: str) -> str:
    """A digest of everything a page shows: the manifest's entries (their inputs name the
    brochure content and the tool's code and libraries), each brochure's languages, the order
    of the brochures and the issuer. The page records it; a build with the same stamp leaves
    the page as it is."""
    return digest(
        {
            "entries": entries,
            "languages": {b: project.languages_of(d) for b, d in project.brochures.items()},
            "issuer": project.settings.issuer,
            "generator": __version__,
            "extra": list(extra),
        }
    )[:32]


def page_is_current(index: Path, stamp: str) -> bool:
    try:
        with index.open(encoding="utf-8") as handle:
            head = handle.read(2048)
    except (OSError, UnicodeDecodeError):
        return False
    return f'<meta name="brochures-page" content="{stamp}">' in head


def download_page(
    project: Project,
    contents: dict[str, BrochureContent],
    entries: list[dict],
    stamp: str = "",
    print_shop: bool = False,
) -> str:
    """A static page: per brochure (in the project's order) a short description, per language
    (in the project's order) its name in its own script, the links to its PDFs with size and
    pages, a review badge and a thumbnail. `print_shop`: the print shop's page in build/print/,
    linking the print PDFs beside it."""
    german = Locale.parse(SOURCE_LANGUAGE)
    labels = format_labels(project) if entries else {}
    preparing = in_preparation(project)
    brochures = []
    for brochure_id, brochure in project.brochures.items():
        content = contents[brochure_id]
        mine = [e for e in entries if e["brochure"] == brochure_id]
        langs = []
        for code in project.languages_of(brochure):
            files = [e for e in mine if e["language"] == code]
            if not files and not print_shop and code in preparing:
                langs.append(preparing_card(code, german))  # announced, not hidden
            if files:
                card = language_card(project, code, files, german, content.title.source)
                if print_shop:
                    card["thumbnail"] = None
                    for link in card["files"]:
                        link["href"] = link["href"].removeprefix("print/")
                langs.append(card)
        if any(card["files"] for card in langs):
            brochures.append(
                {
                    "id": brochure_id,
                    "title": content.title.source,
                    "description": description(content, labels),
                    "languages": langs,
                }
            )
    codes = {SOURCE_LANGUAGE} | {card["code"] for b in brochures for card in b["languages"]}
    issuer = project.settings.issuer
    return page_template().render(
        issuer=issuer,
        heading=f"{'Druckvorlagen' if print_shop else 'Broschüren'} zum Integrationskonzept – "
        f"{issuer}",
        print_shop=print_shop,
        print_facts=print_facts(project) if print_shop else "",
        brochures=brochures,
        font_rules=[(code, language(code).css_font_family) for code in sorted(codes)],
        version=__version__,
        stamp=stamp,
    )


def print_facts(project: Project) -> str:
    """What every print PDF is, for the print shop (the print profile of the templates)."""
    facts = "Farben in CMYK, 3 mm Beschnitt (TrimBox und BleedBox), keine Schnittmarken; "
    if project.settings.print_color_profile:
        name = Path(project.settings.print_color_profile).name
        return facts + f"PDF/X-4 mit dem Farbprofil {name} als Ausgabebedingung."
    return facts + (
        "kein PDF/X, weil source/project.yaml kein Farbprofil nennt (print_color_profile)."
    )


def format_labels(project: Project) -> dict[str, str]:
    """Each format's label for people (its template's `format_label`), by format id."""
    env = render.environment(project.template_dirs, default_templates())
    return {fmt: render.format_label(env, fmt) or fmt for fmt in project.formats()}


def description(content: BrochureContent, labels: dict[str, str]) -> str:
    parts = [content.subtitle.source] if content.subtitle else []
    parts.append(f"Für: {content.audience.source}")
    fmt = labels.get(content.format, content.format)
    parts.append(f"{fmt}, Fassung vom {format_date(content.version.date, 'medium', locale='de')}")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def language_card(
    project: Project, code: str, files: list[dict], german: Locale, german_title: str
) -> dict:
    lang = language(code)
    native = lang.native_name[:1].upper() + lang.native_name[1:]
    files = sorted(files, key=lambda e: (e["profile"] != "screen", e["edition"] != "single"))
    main = files[0]
    review = main.get("review", {})
    shown_in_german = review.get("outdated", 0) + review.get("missing", 0)
    badge = None
    if code != SOURCE_LANGUAGE and any(review.get(s, 0) for s in NOT_REVIEWED):
        details = []
        if review.get("unreviewed"):
            details.append(f"{review['unreviewed']} {texts(review['unreviewed'])} ungeprüft")
        if shown_in_german:
            details.append(f"{shown_in_german} {texts(shown_in_german)} noch auf Deutsch")
        badge = ", ".join(details)
    thumb = next((e["thumbnail"] for e in files if e.get("thumbnail")), None)
    size = png_size(project.build_dir / thumb) if thumb else None
    title = main.get("title") or ""
    return {
        "code": code,
        "dir": lang.direction,
        "native": native,
        "german_name": german_name(code, german),
        "title": title if code != SOURCE_LANGUAGE and title != german_title else "",
        "badge": badge,
        "thumbnail": {"src": quote(thumb), "width": size[0], "height": size[1]}
        if thumb and size
        else None,
        "files": [download(e) for e in files],
    }


def german_name(code: str, german: Locale) -> str:
    """The language's German name (Dari for fa-AF), none for German itself."""
    if code == SOURCE_LANGUAGE:
        return ""
    return german.languages.get(catalog_code(code)) or german.languages.get(code, code)


def in_preparation(project: Project) -> set[str]:
    """The project's languages without any usable translation yet (Tigrinya today)."""
    return {
        code
        for code in project.settings.languages
        if code != SOURCE_LANGUAGE and not load_texts(project, code).has_translations
    }


def preparing_card(code: str, german: Locale) -> dict:
    """A language without translations yet: named in its own script, "in Vorbereitung / in
    preparation", no files."""
    lang = language(code)
    return {
        "code": code,
        "dir": lang.direction,
        "native": lang.native_name[:1].upper() + lang.native_name[1:],
        "german_name": german_name(code, german),
        "title": "",
        "badge": None,
        "thumbnail": None,
        "files": [],
        "preparing": True,
    }


def texts(n: int) -> str:
    return "Text" if n == 1 else "Texte"


def download(entry: dict) -> dict:
    action = "Druckvorlage herunterladen" if entry["profile"] == "print" else "PDF herunterladen"
    return {
        "href": quote(entry["path"]),
        "action": action,
        "bilingual": entry["edition"] == "bilingual",
        "size": human_size(entry["bytes"]),
        "pages": f"{entry['pages']} {'Seite' if entry['pages'] == 1 else 'Seiten'}",
    }


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1), locale='de')} MB"
