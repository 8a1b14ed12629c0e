"""Design measures of the default project's PDFs (issue 14): per format the share of each page's
or panel's height that carries content, notes pages per booklet, hyphenated words at page or
column ends, fonts outside the stacks and the body text size. Prints a table; no timings.

    .venv/bin/python benchmarks/design.py [--lang de --lang ar ...]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pdfplumber

from brochures.build import build
from brochures.content.project import load_project
from brochures.languages import document_stacks
from brochures.rendering.checks import foreign_fonts, stack_fonts

REPO = Path(__file__).resolve().parent.parent
HYPHENS = ("\u2010", "-", "\u00ad")


def columns_of(page, fmt: str) -> list[tuple[float, float]]:
    """The horizontal extents measured separately: a trifold's three panels, else the page."""
    width = float(page.width)
    if fmt == "dl-trifold":
        third = width / 3
        return [(i * third, (i + 1) * third) for i in range(3)]
    return [(0.0, width)]


def measure(path: Path, fmt: str, lang: str) -> dict:
    with pdfplumber.open(path) as pdf:
        fills, notes, hyphen_ends, sizes = [], 0, 0, Counter()
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(extra_attrs=["size"])
            lines = [e for e in page.edges if e["orientation"] == "h"]
            if len(lines) >= 10 and len(words) <= 4:
                notes += 1
                continue
            height = float(page.height)
            for x0, x1 in columns_of(page, fmt):
                inside = [w for w in words if x0 <= w["x0"] < x1]
                body = [w for w in inside if w["bottom"] < height * 0.93]  # without the footer
                if not body:
                    fills.append((number, 0.0))
                    continue
                top, bottom = min(w["top"] for w in body), max(w["bottom"] for w in body)
                fills.append((number, round((bottom - top) / (height * 0.85), 2)))
                last = max(body, key=lambda w: (w["bottom"], w["x1"]))
                if last["text"].endswith(HYPHENS) and len(last["text"]) > 2:
                    hyphen_ends += 1
            for word in words:
                sizes[round(word["size"], 1)] += len(word["text"])
    data = path.read_bytes()
    fonts = foreign_fonts(data, stack_fonts(document_stacks(lang)))
    return {
        "fills": fills,
        "notes": notes,
        "hyphen_ends": hyphen_ends,
        "fonts_outside": len(fonts),
        "body_pt": sizes.most_common(1)[0][0] if sizes else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", default=None)
    args = parser.parse_args()
    langs = args.lang or ["de", "ar", "fa", "ru"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        for folder in ("source", "templates", "locales"):
            shutil.copytree(REPO / folder, root / folder)
        report = build(root, langs=langs, workers=2)
        project = load_project(root)
        print(
            f"{'pdf':32} {'format':11} {'body pt':>7} {'notes':>5} {'hyph':>4} {'fonts':>5}  fill"
        )
        for result in report.results:
            if result.job.output.exists():
                fmt = project.content(result.job.brochure).format
                if result.job.edition == "bilingual":
                    fmt = "a5-booklet"
                m = measure(result.job.output, fmt, result.job.lang)
                fills = " ".join(f"{f:.2f}" for _, f in m["fills"])
                print(
                    f"{result.job.output.name:32} {fmt:11} {m['body_pt']:>7} {m['notes']:>5} "
                    f"{m['hyphen_ends']:>4} {m['fonts_outside']:>5}  {fills}"
                )


if __name__ == "__main__":
    main()
