"""The command line as a person meets it: whole help texts, 80 columns, plurals, honest times."""

from __future__ import annotations

import inspect
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, run

from brochures.cli import cli
from brochures.languages import not_among, suggestions

PROJECT_LANGUAGES = ["de", "en", "ar", "fa", "tr", "ru", "uk", "pl", "ro", "bg", "sq", "ku", "ti"]


def first_sentence(command) -> str:
    """What click calls a command's short help: its description up to the first sentence end."""
    text = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]


@pytest.mark.parametrize(
    "args", [[], ["catalog"], ["models"]], ids=["brochures", "catalog", "models"]
)
def test_help_lists_every_command_with_its_whole_description(args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    usage, rest = result.output.split("\n", 1)
    assert usage.endswith("[ARGS]...") and "..." not in rest  # no description cut off
    assert max(len(line) for line in result.output.splitlines()) <= 80
    flat = " ".join(result.output.split())
    group = cli
    for name in args:
        group = group.commands[name]
    assert group.commands
    for name, command in group.commands.items():
        assert f"{name} {first_sentence(command)}" in flat, (name, first_sentence(command))


def test_status_is_readable_at_80_columns(repo_project: Path) -> None:
    shutil.copytree(REPO / "locales", repo_project / "locales")  # catalogs as committed
    result = CliRunner(env={"COLUMNS": "80"}).invoke(
        cli, ["--project", str(repo_project), "status"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "…" not in result.output
    header = lines[0].split()
    assert header[-5:] == ["reviewed", "unreviewed", "outdated", "missing", "complete"]
    names = [
        line.strip()
        for line in lines
        if line.strip() and not line.startswith(" ") and ": " not in line  # summary lines
    ]
    # each brochure's name whole on a line of its own, in the project's order, then its languages
    assert names[2:] == ["schule-eltern", "bildungsabschluss", "kultur-freizeit"], names
    tigrinya = [line.split() for line in lines if line.strip().startswith("ti ")]
    assert len(tigrinya) == 3 and all(row[-2] != "0" and row[-1] == "0%" for row in tigrinya)


def test_language_suggestions_come_from_the_projects_languages_first() -> None:
    assert suggestions("ara", PROJECT_LANGUAGES) == ["ar"]  # ISO 639-2
    assert suggestions("ar-SY", PROJECT_LANGUAGES) == ["ar"]  # a region of it
    assert suggestions("Arabisch", PROJECT_LANGUAGES) == ["ar"]  # its German name
    assert suggestions("ukrainian", PROJECT_LANGUAGES) == ["uk"]  # its English name
    assert suggestions("türkçe", PROJECT_LANGUAGES) == ["tr"]  # its own name
    assert suggestions("xx", PROJECT_LANGUAGES) == []
    message = not_among("xx", PROJECT_LANGUAGES)
    assert message is not None and "xh" not in message  # Babel's closest code is Xhosa
    assert message.startswith("unknown language code 'xx'; the project's languages: de, en, ar")
    assert not_among("fr", PROJECT_LANGUAGES) == (
        "'fr' is not one of the project's languages (" + ", ".join(PROJECT_LANGUAGES) + ")"
    )
    assert not_among("ar", PROJECT_LANGUAGES) is None


def test_a_mistyped_language_on_the_command_line_is_answered_with_the_projects(
    basic: Path,
) -> None:
    result = run(basic, "build", "--lang", "ara")
    assert result.exit_code == 2
    assert result.output == (
        "error: 'ara' is not one of the project's languages (de, en, ar in source/project.yaml); "
        "did you mean ar?\n"
    )
    result = run(basic, "impose", "--brochure", "eltern", "--lang", "english")
    assert result.exit_code == 2
    assert "did you mean en?" in result.output


def test_build_summary_says_what_its_seconds_are_and_counts_in_words(basic: Path) -> None:
    one = ("build", "--brochure", "eltern", "--lang", "de", "--edition", "single")
    started = time.perf_counter()
    result = run(basic, *one, "--jobs", "1")
    wall = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    reported = float(re.search(r"(\d+\.\d) s wall time \(load ", flat)[1])
    assert wall - 0.5 <= reported <= wall + 0.05, (reported, wall)
    stages = re.search(r"wall time \(([^)]*)\)", flat)[1]
    assert "pdf " in stages and "start and summary " in stages
    assert "PDFs rendered in the build process" in result.output
    assert "(1 PDF;" in result.output  # download page
    assert "built eltern.de (4 pages," in result.output
    again = run(basic, *one)
    assert "1 PDF up to date (inputs and output unchanged)" in again.output
    assert "no PDFs to render" in again.output


def test_summary_of_a_parallel_build_says_its_rendering_seconds_overlap(basic: Path) -> None:
    result = run(basic, "build", "--lang", "de", "--jobs", "2")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "2 PDF workers side by side; rendering s adds up each PDF's own time" in flat
    header = next(line for line in result.output.splitlines() if "rendering s" in line)
    assert header.split() == ["brochure", "built", "up", "to", "date", "left", "out", "failed",
                              "rendering", "s"]  # fmt: skip


def test_impose_names_the_brochures_languages_for_a_language_it_lacks(basic: Path) -> None:
    result = run(basic, "impose", "--brochure", "eltern", "--lang", "it")
    assert result.exit_code == 2
    assert "'it' is not one of the brochure's languages (de, en, ar)" in result.output
