"""Issue 18 class 4 and 5: limits on input (aliases, pipes, size, nesting, page count) and one
clear line instead of a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
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


# ---- class 5: one clear line ----


def test_a_read_only_project_stops_before_any_job(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI runs as root, for whom permissions do not stop writing: the read-only file system is
    what statvfs reports for the folder build/ would be made in."""
    real = os.statvfs

    class ReadOnly:
        def __init__(self, result):
            self.result = result

        def __getattr__(self, name):
            value = getattr(self.result, name)
            return value | os.ST_RDONLY if name == "f_flag" else value

    monkeypatch.setattr(os, "statvfs", lambda path: ReadOnly(real(path)))
    before = snapshot(basic)
    result = run(basic, "build", "--jobs", "1")
    one_error(result, "error: build: cannot be written: the file system is read-only")
    assert snapshot(basic) == before
    assert "built " not in result.output


def test_too_little_free_space_stops_before_any_job(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: real(path)._replace(free=files.MIN_FREE_BYTES + 1)
    )
    result = run(basic, "build", "--lang", "de", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert "error: build: only 20 MB free on its disk; this build needs about" in result.output
    assert not (basic / "build/pdf").exists()


def test_a_full_disk_while_publishing_is_one_line_and_no_false_manifest(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    assert run(basic, "build", "--lang", "de", "--jobs", "1").exit_code == 0
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("Schule verstehen", "Schule gut verstehen"),
        encoding="utf-8",
    )
    real = os.fsync

    def full(fd: int) -> None:  # the disk fills up while the download page is written
        if ".index.html." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    result = run(basic, "build", "--lang", "de", "--jobs", "1")
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: build/index.html: cannot be written: No space left on device; the PDFs built "
        "are in place, the manifest and download page are not up to date (build again when it "
        "can be written)"
    ]
    assert "Traceback" not in result.output
    manifest = json.loads((basic / "build/manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["pdfs"]:  # nothing listed that was rewritten and not checked
        data = (basic / "build" / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert run(basic, "build", "--lang", "de", "--jobs", "1").exit_code == 0


def test_a_brochure_id_too_long_for_file_names_is_one_line(basic: Path) -> None:
    long_id = "a" * 232
    jugend = basic / "source/brochures/jugend.yaml"
    text = jugend.read_text(encoding="utf-8").replace("id: jugend", f"id: {long_id}")
    jugend.unlink()
    (basic / f"source/brochures/{long_id}.yaml").write_text(text, encoding="utf-8")
    one_error(
        run(basic, "build", "--jobs", "1"),
        f"error: source/brochures/{long_id}.yaml:1: id: 232 characters long; a brochure id "
        "names its files and is limited to 100",
    )


def session(pid: int) -> list[str]:
    """The live processes of a session (the build, its fork server, workers): not zombies,
    which wait for this container's init to collect them."""
    found = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True, check=False)
    live = []
    for each in found.stdout.split():
        try:
            state = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            live.append(each)
    return live


@pytest.mark.parametrize("after", [0.0, 0.2, 0.5, 0.8])
def test_ctrl_c_in_the_first_second_is_no_traceback(basic: Path, after: float) -> None:
    """Ctrl-C reaches the whole process group: the build and the fork server it starts first
    thing, which imports WeasyPrint for about a second (an interrupt then printed 40 lines)."""
    command = [sys.executable, "-m", "brochures", "--project", str(basic), "build", "--force"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as build:
        deadline = time.monotonic() + 30
        while len(session(build.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # until the fork server is starting
        time.sleep(after)
        os.killpg(build.pid, signal.SIGINT)
        _, err = build.communicate(timeout=120)
    assert build.returncode in (1, 130), err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err
    time.sleep(0.5)
    assert session(build.pid) == [], "processes of the build are left"
