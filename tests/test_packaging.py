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


def command(*args: str, script: str = "") -> subprocess.CompletedProcess:
    """`brochures ARGS` in a process of its own, as a user runs it (after `script`, if any)."""
    code = f"{script}\nfrom brochures.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_the_quick_exit_keeps_status_and_every_line_of_output(basic: Path) -> None:
    """The command leaves without Python's teardown; what a user sees must not change."""
    listed = command("--project", str(basic), "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == CliRunner().invoke(cli, ["--project", str(basic), "list"]).output
    bad = command("--project", str(basic), "build", "--lang", "xx")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: unknown language code 'xx'")
    assert not (basic / "build").exists()
    built = command("--project", str(basic), "build", "--lang", "en", "--edition", "single")
    assert built.returncode == 0, built.stderr
    assert "download page:" in built.stderr  # the last line of the summary
    gone = command("--project", str(basic / "nowhere"), "build")
    assert gone.returncode == 2


def test_the_quick_exit_waits_for_a_thread_a_normal_exit_would_wait_for(tmp_path: Path) -> None:
    marker = tmp_path / "written-by-thread"
    script = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    open({str(marker)!r}, 'w').write('done')\n"
        "threading.Thread(target=late).start()\n"
    )
    result = command("--version", script=script)
    assert result.returncode == 0
    assert marker.read_text() == "done"
