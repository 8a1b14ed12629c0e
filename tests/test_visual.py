"""Visual regression: the default project's pages against low-resolution references (a change
that moves or empties a panel fails); `python tests/visual.py --update` renews them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from visual import compare, render


def test_pages_match_the_reference_images(tmp_path: Path) -> None:
    problems = compare(render(tmp_path / "project"))
    assert problems == [], problems


def test_an_emptied_panel_is_caught(tmp_path: Path) -> None:
    """The comparison is not blind: a page with its lower half blanked fails."""
    pages = render(tmp_path / "project")
    name = "kultur-freizeit.de-2"
    emptied = pages[name].copy()
    emptied[emptied.shape[0] // 3 :, :] = 255
    changed = (np.abs(pages[name] - emptied) > 64).mean()
    assert changed > 0.02  # well beyond the tolerance
    assert compare({**pages, name: emptied}) == [
        f"{name}: {changed:.1%} of the page changed (at most 1%)"
    ]
