"""Issue 18 class 4 and 5: limits on input (aliases, pipes, size, nesting, page count) and one
clear line instead of a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import run, snapshot

from brochures import files
from brochures.build import plan
from brochures.content.project import default_templates, load_project
from brochures.languages import language
from brochures.rendering import render
from brochures.translation.catalogs import load_texts

BOMB = """\
id: bombe
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def one_error(result, expected: str) -> None:
    """Exit status 2 and exactly one `error:` line, with no traceback."""
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [expected], result.output
    assert "Traceback" not in result.output


def timed_run(project: Path, *args: str, limit: float = 20.0):
    started = time.monotonic()
    result = run(project, *args)
    assert time.monotonic() - started < limit
    return result


def test_a_yaml_alias_bomb_is_refused_at_once(basic: Path) -> None:
    (basic / "source/brochures/bombe.yaml").write_text(BOMB, encoding="utf-8")
    before = snapshot(basic)
    result = timed_run(basic, "build", limit=10)
    one_error(
        result,
        "error: source/brochures/bombe.yaml:2: YAML anchors and aliases (&name, *name) are "
        "not supported (anchor here)",
    )
    assert snapshot(basic) == before


def test_a_fifo_as_source_file_does_not_block(basic: Path) -> None:
    os.mkfifo(basic / "source/brochures/pipe.yaml")
    result = timed_run(basic, "list", limit=10)
    one_error(
        result,
        "error: source/brochures/pipe.yaml: is not a regular file (a pipe, socket or device); "
        "refused",
    )


def test_an_oversized_yaml_file_is_refused_before_parsing(basic: Path) -> None:
    big = basic / "source/brochures/gross.yaml"
    big.write_text("id: gross\n" + "# " + "x" * 100 + "\n" * 1 + ("k: v\n" * 500_000), "utf-8")
    assert big.stat().st_size > files.MAX_YAML_BYTES
    result = timed_run(basic, "list", limit=10)
    one_error(
        result,
        f"error: source/brochures/gross.yaml: is {big.stat().st_size / files.MiB:.1f} MB; "
        "files of this kind are limited to 2 MB",
    )


@pytest.mark.parametrize(
    "text, line",
    [
        ("id: tief\nx: " + "[" * 10_000 + "]" * 10_000 + "\n", None),
        ("id: tief\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 100)), 67),
    ],
    ids=["10,000 flow levels", "100 block levels"],
)
def test_deep_nesting_is_one_line_not_a_recursion_error(
    basic: Path, text: str, line: int | None
) -> None:
    (basic / "source/brochures/tief.yaml").write_text(text, encoding="utf-8")
    result = timed_run(basic, "list", limit=30)
    where = f":{line}" if line else ""
    one_error(result, f"error: source/brochures/tief.yaml{where}: nested deeper than 64 levels")


def test_a_catalog_that_is_a_folder_is_one_line(basic: Path) -> None:
    (basic / "locales/en/LC_MESSAGES/messages.po").mkdir(parents=True)
    for command in (["build", "--jobs", "1"], ["catalog", "update"], ["status"]):
        one_error(
            run(basic, *command),
            "error: locales/en/LC_MESSAGES/messages.po: is a folder, expected a file",
        )


def test_an_oversized_catalog_is_refused(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    catalog = basic / "locales/en/LC_MESSAGES/messages.po"
    with catalog.open("a", encoding="utf-8") as handle:
        handle.write("#" + "x" * (files.MAX_CATALOG_BYTES + 10) + "\n")
    result = run(basic, "status")
    assert result.exit_code == 2, result.output
    assert "messages.po: is 10.0 MB; files of this kind are limited to 10 MB" in result.output


def test_booklets_declare_a_page_count_gate(basic: Path) -> None:
    project = load_project(basic)
    env = render.environment(project.template_dirs, default_templates())
    for edition in ("single", "bilingual"):
        [job] = plan(project, ["eltern"], ["en"], [edition])
        html = render.render_html(
            env, project.content("eltern"), language("en"), load_texts(project, "en"), edition
        )
        assert (job.edition, html.format, html.max_pages) == (edition, "a5-booklet", 48)
