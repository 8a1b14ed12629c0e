"""Fixtures: fixture projects copied into tmp_path, and the CLI driven like a user."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# The tool speaks the user's language (brochures/i18n.py): the tests read English unless one
# asks for German (tests/test_i18n.py), whatever the machine's locale.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

import pytest  # noqa: E402
from click.testing import CliRunner, Result  # noqa: E402

from brochures.build import BuildReport, build  # noqa: E402
from brochures.cli import cli  # noqa: E402
from brochures.rendering.jobs import JobResult  # noqa: E402

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    """A copy of the `basic` fixture project."""
    target = tmp_path / "basic"
    shutil.copytree(ROOTS / "basic", target)
    return target


@pytest.fixture
def repo_project(tmp_path: Path) -> Path:
    """A copy of the repository's own default content (source/ and templates/)."""
    target = tmp_path / "repo"
    shutil.copytree(REPO / "source", target / "source")
    shutil.copytree(REPO / "templates", target / "templates")
    return target


@pytest.fixture
def catalogued(basic: Path) -> Path:
    """The `basic` fixture project with its catalogs made (`catalog update`)."""
    result = run(basic, "catalog", "update")
    assert result.exit_code == 0, result.output
    return basic


def run(project: Path, *args: str) -> Result:
    """Run the CLI on a project like a user would."""
    return CliRunner().invoke(cli, ["--project", str(project), *args], catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to prove nothing was written or changed."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def names(results: list[JobResult]) -> set[str]:
    return {r.job.name for r in results}


def reasons(report: BuildReport) -> dict[str, str]:
    """Why each job was built (shown when an assertion on the built jobs fails)."""
    return {r.job.name: r.reason for r in report.built}


def build_once(project: Path, **options) -> BuildReport:
    """A library build (in this process unless `workers` says otherwise) in which no job fails."""
    report = build(project, workers=options.pop("workers", 1), **options)
    assert not report.failed, [(r.job.name, r.failures) for r in report.failed]
    return report
