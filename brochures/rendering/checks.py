"""Quality gates on rendered documents: page fit, refused resources, HTML as text, glyphs."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import unicodedata
from functools import cache
from html import unescape as html_unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochures.files import read_cached, user_cache, write_cached

if TYPE_CHECKING:
    from brochures.rendering.pdf import RenderedPdf


def page_fit(pdf: RenderedPdf, max_pages: int | None, fmt: str) -> list[str]:
    """A fixed format (a flyer) must hold its content in its pages."""
    problems = [f"content does not fit the {fmt} format: {overflow}" for overflow in pdf.overflows]
    if max_pages is not None and pdf.pages > max_pages:
        spilled = f"; {pdf.spill}" if pdf.spill else ""
        problems.append(
            f"content does not fit the {fmt} format: {pdf.pages} pages, at most {max_pages}"
            f"{spilled}. {WAY_OUT}"
        )
    elif pdf.overflows:
        problems[-1] += f". {WAY_OUT}"
    return problems


WAY_OUT = (
    "Way out: shorten that text (in the concept, the brochure file or the translation), "
    "present fewer goals (`goals:` of the brochure file), or choose a larger format "
    "(`format:`, e.g. a5-booklet)"
)


def refused_resources(refused: list[str]) -> list[str]:
    """The template or content asked for a resource outside the allowed folders."""
    return [f"refused to load {url} (only template folders and data: URIs)" for url in refused]


# HTML that reached the page as text: an entity (`&#39;`, `&amp;`, `&quot;`) or a tag means some
# text was escaped twice or markup was escaped as text.
_MARKUP_AS_TEXT = re.compile(
    r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,7});"
    r"|</?(?:[a-z][a-z0-9]*)(?:\s+[a-z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>",
    re.I,
)


def markup_in_text(pdf: RenderedPdf) -> list[str]:
    """The PDF's text must not show HTML: entities or tags printed as text."""
    problems = []
    for line in pdf.text.splitlines():
        for match in _MARKUP_AS_TEXT.finditer(line):
            where = " ".join(line[max(0, match.start() - 30) : match.end() + 30].split())
            problems.append(f"HTML printed as text: {match[0]!r} (in “{where}”)")
    return problems


# ---- fonts ----


def stack_fonts(stacks: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The fonts a document may use: the named families of its stacks."""
    return tuple(
        dict.fromkeys(f for stack in stacks for f in stack if f not in ("sans-serif", "serif"))
    )


_STYLE = re.compile(
    r"(?:Regular|Bold|Italic|Oblique|Medium|SemiBold|Semibold|Light|Black|Condensed)*"
)


def foreign_fonts(data: bytes, allowed: tuple[str, ...]) -> list[str]:
    """Every font embedded in a PDF (pages, images and forms) must be one of `allowed`: a
    fallback font (DejaVu in a de+ar PDF) means text is set in a face the design did not choose."""
    import io

    import pikepdf

    families = {family.replace(" ", "") for family in allowed}
    found = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                base = str(obj.get("/BaseFont", ""))
                found.add(re.sub(r"^/(?:[A-Z]{6}\+)?", "", base))
    problems = []
    for name in sorted(found):
        joined = name.replace("-", "").replace(",", "")
        if name and not any(
            joined.startswith(family) and _STYLE.fullmatch(joined[len(family) :])
            for family in families
        ):
            problems.append(
                f"font {name} is not in the document's font stacks ({', '.join(allowed)})"
            )
    return problems


# ---- punctuation ----

_DOUBLED = re.compile(r"(?<![.…])\.\.(?![.…])|,,|،،|\s[.,](?=\s|$)")
_MARKUP = re.compile(r"<style.*?</style>|<title.*?</title>|<template.*?</template>|<[^>]+>", re.S)


def doubled_punctuation(html: str, lang: str) -> list[str]:
    """Rendered text must not hold a doubled full stop or comma, or a space before one ("2019
    г.." where a date ends in an abbreviation and the sentence adds its full stop)."""
    text = html_unescape(_MARKUP.sub("", html))
    problems = []
    for match in _DOUBLED.finditer(text):
        where = " ".join(text[max(0, match.start() - 30) : match.end() + 20].split())
        problems.append(f"[{lang}] doubled punctuation {match[0].strip()!r} in “{where}”")
    return problems


# ---- glyph coverage ----

_SKIP = {0x20, 0xA0, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2066, 0x2067, 0x2068, 0x2069, 0xAD}
FONT_DIRS = (
    *(Path("/usr/share/fonts"), Path("/usr/local/share/fonts")),
    *(Path.home() / ".fonts", Path.home() / ".local/share/fonts"),
)
FONTCONFIG_DIRS = (Path("/etc/fonts"), Path("/etc/fonts/conf.d"), Path("/var/cache/fontconfig"))
_TEXT = re.compile(r"<style.*?</style>|<title.*?</title>|<template.*?</template>|<[^>]+>", re.S)


def font_file(family: str) -> str | None:
    """The file fontconfig resolves a family to, or None if the family is not installed."""
    known = _font_files()
    if family not in known:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True, text=True
        ).stdout.split("\n")
        families = out[0].split(",") if out else []
        known[family] = out[1] if len(out) > 1 and family in families else ""
        write_cached(_font_files_path(), known)
    return known[family] or None


@cache
def _font_files() -> dict[str, str]:
    """Families fontconfig resolved before ("": not installed), kept in the user cache while no
    font folder or fontconfig configuration changed (fc-match is a process per family: 5 ms)."""
    return read_cached(_font_files_path(), _families) or {}


def _families(entry: Any) -> dict[str, str]:
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in entry.items()):
        raise ValueError("not a cache entry of font files")
    return entry


def _font_files_path() -> Path:
    return user_cache("fonts") / f"files-{fontconfig_stamp()}.json"


@cache
def fontconfig_stamp() -> str:
    """Modification times of the font folders (and their subfolders, where packages put their
    files) and of fontconfig's configuration and caches: installing a font changes them."""
    home = Path.home()
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    folders = [*FONTCONFIG_DIRS, cache_home / "fontconfig", config_home / "fontconfig"]
    for root in FONT_DIRS:
        folders.append(root)
        with contextlib.suppress(OSError):
            folders += sorted(p for p in root.iterdir() if p.is_dir())
    stamp = hashlib.sha256(os.environ.get("FONTCONFIG_FILE", "").encode())
    for folder in folders:
        try:
            mtime = folder.stat().st_mtime_ns
        except OSError:
            mtime = None
        stamp.update(f"{folder}:{mtime}\n".encode())
    return stamp.hexdigest()[:32]


@cache
def _cmap(path: str) -> frozenset[int]:
    """The characters a font file has; kept in the user cache by the file's size and time
    (reading a Noto font's cmap with fontTools takes 15-20 ms, importing fontTools as long)."""
    stat = os.stat(path)
    name = hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    cached_path = user_cache("fonts") / f"cmap-{name[:32]}.json"
    cached = read_cached(cached_path, _characters)
    if cached is not None:
        return cached
    from fontTools.ttLib import TTFont  # only when checking glyphs

    with TTFont(path, fontNumber=0) as font:  # closed at once: no ResourceWarning later
        characters = frozenset((font.getBestCmap() or {}).keys())
    write_cached(cached_path, sorted(characters))
    return characters


def _characters(entry: Any) -> frozenset[int]:
    if not all(type(c) is int for c in entry):
        raise ValueError("not a cache entry of characters")
    return frozenset(entry)


@cache
def covering_font(codepoint: int) -> str | None:
    """An installed font family that has the character, if any."""
    out = subprocess.run(
        ["fc-list", f":charset={codepoint:x}", "family"], capture_output=True, text=True
    ).stdout
    families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    return families[0] if families else None


def glyph_coverage(html: str, lang: str, stacks: list[tuple[str, ...]]) -> list[str]:
    """Every character of the document's text must be in a font of its stacks (the fonts that
    will draw it); name the character, where it is, and an installed font that has it."""
    covered: set[int] = set()
    for stack in stacks:
        for family in stack:
            path = font_file(family)
            if path:
                covered |= _cmap(path)
    text = html_unescape(_TEXT.sub(" ", html))
    problems = []
    for codepoint in sorted({ord(c) for c in text} - covered - _SKIP):
        if chr(codepoint).isspace() or unicodedata.category(chr(codepoint)) == "Cc":
            continue
        at = text.index(chr(codepoint))
        where = " ".join(text[max(0, at - 30) : at + 30].split())
        other = covering_font(codepoint)
        hint = f"; installed font that has it: {other}" if other else "; no installed font has it"
        problems.append(
            f"[{lang}] character U+{codepoint:04X} {unicodedata.name(chr(codepoint), '?')} "
            f"is in no font of the stack (in “{where}”){hint}"
        )
    return problems
