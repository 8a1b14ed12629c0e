"""Visual regression references: low-resolution page images of the default project's PDFs.

Update the references after an intended design change (and look at them):

    .venv/bin/python tests/visual.py --update
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
REFERENCES = Path(__file__).resolve().parent / "visual"
RESOLUTION = 12  # dots per inch: layout, not type
# (brochure, tag) of the PDFs compared: school booklet de, ar, de+ar; flyer; trifold de, fa
CASES = [
    ("schule-eltern", "de"),
    ("schule-eltern", "ar"),
    ("schule-eltern", "de+ar"),
    ("bildungsabschluss", "de"),
    ("kultur-freizeit", "de"),
    ("kultur-freizeit", "fa"),
]
# share of a page's pixels that differ by more than a quarter of the grey range: rendering is
# deterministic, so only a real change moves pixels; a moved or emptied panel moves many
TOLERANCE = 0.01


def render(root: Path) -> dict[str, np.ndarray]:
    """Build the cases into `root` (a copy of the project) and return each page as grey pixels."""
    from brochures.build import build

    for folder in ("source", "templates", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    langs = sorted({tag.split("+")[-1] for _, tag in CASES})
    build(root, sorted({b for b, _ in CASES}), langs, ["single", "bilingual"], workers=1)
    pages = {}
    for brochure, tag in CASES:
        pdf = root / "build/pdf" / brochure / f"{brochure}.{tag}.pdf"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["pdftoppm", "-r", str(RESOLUTION), "-gray", "-png", str(pdf), f"{tmp}/p"],
                check=True,
            )
            for png in sorted(Path(tmp).glob("p-*.png")):
                number = int(png.stem.rsplit("-", 1)[1])
                pages[f"{brochure}.{tag}-{number}"] = np.asarray(Image.open(png), dtype=float)
    return pages


def compare(pages: dict[str, np.ndarray]) -> list[str]:
    """What differs from the references beyond the tolerance (missing pages included)."""
    problems = []
    expected = {p.stem for p in REFERENCES.glob("*.png")}
    for name in sorted(expected - pages.keys()):
        problems.append(f"{name}: page missing")
    for name in sorted(pages.keys() - expected):
        problems.append(f"{name}: page not in the references")
    for name in sorted(expected & pages.keys()):
        reference = np.asarray(Image.open(REFERENCES / f"{name}.png"), dtype=float)
        current = pages[name]
        if reference.shape != current.shape:
            problems.append(f"{name}: size {current.shape} instead of {reference.shape}")
            continue
        difference = float((np.abs(reference - current) > 64).mean())
        if difference > TOLERANCE:
            problems.append(
                f"{name}: {difference:.1%} of the page changed (at most {TOLERANCE:.0%})"
            )
    return problems


def update() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pages = render(Path(tmp) / "project")
    for old in REFERENCES.glob("*.png"):
        old.unlink()
    REFERENCES.mkdir(exist_ok=True)
    for name, pixels in pages.items():
        Image.fromarray(pixels.astype(np.uint8)).save(REFERENCES / f"{name}.png", optimize=True)
    print(f"wrote {len(pages)} reference pages to {REFERENCES}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        print(__doc__)
