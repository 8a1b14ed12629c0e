"""Benchmark: how many words of each language reach the PDF's text layer whole.

Builds the single-language screen PDFs of the repository's project (or --project DIR) in one
process and compares, per language, the words of each job's HTML text (what the catalogs and
templates put on the page, after NFC) with the words `pdftotext` (poppler, without -raw)
extracts from its PDF. Prints per language: words, words whole in the PDF, the same without the
project's ZWNJ/ZWJ patch of WeasyPrint (brochures.rendering.pdf.keep_invisible_characters), and
the words hyphenated at a line end (with examples), so a wrong hyphenation point shows up here.

Run: `.venv/bin/python benchmarks/fidelity.py [--project DIR] [--lang LANG]...`.
"""

from __future__ import annotations

import argparse
import html as htmllib
import itertools
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_HTML_TEXT = re.compile(
    r"<head.*?</head>|<template.*?</template>|<style.*?</style>|<[^>]+>", re.S | re.I
)
_INLINE_TAG = re.compile(r"</?(?:span|bdi|strong|em|a|b|i)\b[^>]*>", re.I)  # inside a word
# Directional marks and embeddings: poppler wraps each right-to-left run in U+202B…U+202C,
# which are run (and so word) boundaries.
_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], " ")
_HYPHENS = ("\u2010", "-", "\u00ad")


def words(text: str) -> list[str]:
    """Whitespace-separated words, NFC, punctuation and symbols stripped from their ends,
    lower-cased (CSS upper-cases some labels)."""
    out = []
    for token in unicodedata.normalize("NFC", text.translate(_CONTROLS)).split():
        start, end = 0, len(token)
        while start < end and unicodedata.category(token[start])[0] in "PS":
            start += 1
        while end > start and unicodedata.category(token[end - 1])[0] in "PS":
            end -= 1
        if start < end:
            out.append(token[start:end].lower())
    return out


def pdftotext(data: bytes, folder: Path) -> str:
    path = folder / "job.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def hyphenated(extracted: str) -> list[str]:
    """Words broken at a line end by hyphenation, as `first-second`."""
    lines = [line.translate(_CONTROLS).strip() for line in extracted.splitlines()]
    found = []
    for line, following in itertools.pairwise(lines):
        if line.endswith(_HYPHENS) and len(line) > 1 and line[-2].isalpha() and following:
            first = words(line)[-1] if words(line) else ""
            rest = (words(following) or [""])[0]
            if first and rest[:1].isalpha():
                found.append(f"{first}-{rest}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--lang", action="append", default=[])
    options = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from brochures.build import BuildReport, load_catalogs, plan, select_pages
    from brochures.content.project import default_templates, load_project
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer, invisible_characters_dropped

    project = load_project(options.project)
    jobs = plan(project, [], options.lang, ["single"], ["screen"])
    catalogs = load_catalogs(project, {job.lang for job in jobs})
    env = render.environment(project.template_dirs, default_templates())
    pages = select_pages(project, env, jobs, catalogs, False, BuildReport())
    renderer = PdfRenderer(project.template_dirs)
    totals: dict[str, Counter] = defaultdict(Counter)
    breaks: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for page in pages:
            expected = Counter(
                words(htmllib.unescape(_HTML_TEXT.sub(" ", _INLINE_TAG.sub("", page.html.html))))
            )
            patched = pdftotext(renderer.render(page.html.html).data, folder)
            with invisible_characters_dropped():
                unpatched = pdftotext(renderer.render(page.html.html).data, folder)
            lang = page.job.lang
            totals[lang]["words"] += expected.total()
            totals[lang]["whole"] += (expected & Counter(words(patched))).total()
            totals[lang]["unpatched"] += (expected & Counter(words(unpatched))).total()
            breaks[lang] += hyphenated(patched)
    print(f"{len(pages)} single-language screen PDFs; pdftotext {poppler_version()}")
    print()
    print("| lang | words | whole in the PDF | without the ZWNJ patch | hyphenated | examples |")
    print("|---|---|---|---|---|---|")
    for lang, count in totals.items():
        share = 100 * count["whole"] / count["words"]
        before = 100 * count["unpatched"] / count["words"]
        examples = ", ".join(sorted(set(breaks[lang]))[:8])
        print(
            f"| {lang} | {count['words']} | {share:.1f} % | {before:.1f} % "
            f"| {len(breaks[lang])} | {examples} |"
        )


def poppler_version() -> str:
    out = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True).stderr
    return out.split("\n")[0].split()[-1] if out else "?"


if __name__ == "__main__":
    main()
