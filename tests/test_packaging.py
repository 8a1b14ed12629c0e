"""The tool as installed: the wheel carries the default templates; the CLI answers --help."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO

from brochures.cli import cli


def test_wheel_contains_the_default_template_set(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("brochures-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in sorted((REPO / "templates").rglob("*")):
        if template.is_file():
            assert f"brochures/templates/{template.relative_to(REPO / 'templates')}" in names


def test_help_everywhere() -> None:
    runner = CliRunner()
    for args in ([], ["list"], ["build"]):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "brochures", "--version"], check=True, capture_output=True, text=True
    ).stdout
    assert out.startswith("brochures, version ")


def test_not_a_project_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--project", str(tmp_path), "build"])
    assert result.exit_code == 2
    assert "not a brochures project (no source/ folder)" in result.output
