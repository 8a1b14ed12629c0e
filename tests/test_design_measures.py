"""Issue 14's design measures as facts about the default project's PDFs (de, ar, fa, ru; single
and bilingual): every non-cover page or panel carries content (at most one light page per
booklet), at most one notes page per booklet, no word hyphenated at a page or column end, no
font from outside the stacks, body text at least 9.5 pt. benchmarks/design.py prints them."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO
from pdfinspect import job_measures

from brochures.build import build
from brochures.content.project import load_project
from brochures.rendering.jobs import Status

LANGS = ["ar", "de", "fa", "ru"]
LIGHT = 0.5  # a booklet page with less than half its height carrying content is light
# a flyer side or trifold panel below this is mostly empty; a little lower than LIGHT: the
# inside of a trifold is one flow balanced over three columns, and the last column of a
# balanced flow ends a few lines short of the others (0.49 in Persian, seen)
PANEL_LIGHT = 0.45


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("design") / "project"
    for folder in ("source", "templates", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    report = build(root, None, LANGS, ["single", "bilingual"], workers=2)
    failed = [r.job.name for r in report.results if r.status == Status.FAILED]
    assert failed == [], failed
    project = load_project(root)
    out = {r.job.output.name: job_measures(project, r.job) for r in report.results}
    assert len(out) == 3 * 4 + 3 * 3  # every brochure in every language, bilingual without de
    return out


def test_no_page_or_panel_is_mostly_empty(measured: dict[str, dict]) -> None:
    problems = []
    for name, m in measured.items():
        shares = [(label, s) for label, s in m["shares"] if isinstance(s, float)]
        if m["format"] == "a5-booklet":
            light = [(label, s) for label, s in shares if s < LIGHT]
            if len(light) > 1:  # the last text page of a booklet may end early
                problems.append(f"{name}: light pages {light}")
        else:
            light = [(label, s) for label, s in shares if s < PANEL_LIGHT]
            if light:
                problems.append(f"{name}: light panels {light}")
    assert problems == []


def test_at_most_one_notes_page_per_booklet(measured: dict[str, dict]) -> None:
    assert {n: m["notes"] for n, m in measured.items() if m["notes"] > 1} == {}
    # the measure sees notes pages: the copyfitted booklets do have some
    assert any(m["notes"] == 1 for m in measured.values())


def test_no_word_is_hyphenated_at_a_page_or_column_end(measured: dict[str, dict]) -> None:
    assert {n: m["hyphen_ends"] for n, m in measured.items() if m["hyphen_ends"]} == {}


def test_every_font_is_in_the_stacks_and_body_text_is_large_enough(
    measured: dict[str, dict],
) -> None:
    assert {n: m["fonts"] for n, m in measured.items() if m["fonts"]} == {}
    assert {n: m["body_pt"] for n, m in measured.items() if m["body_pt"] < 9.5} == {}
