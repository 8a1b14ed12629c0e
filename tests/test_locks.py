"""Issue 18 class 6 (locks): one writer at a time for build/ and for each catalog."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run

from brochures import files

HOLD = """
import sys, time
from pathlib import Path
from brochures import files
lock = files.build_lock if sys.argv[1] == "build" else files.catalog_lock
with lock(Path(sys.argv[2])):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


@contextlib.contextmanager
def hold(kind: str, path: Path, seconds: float, kill: bool = True):
    """Another process holding a lock for `seconds` (entered once it holds it)."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, kind, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        try:
            yield holder
        finally:
            if kill:
                holder.kill()
            holder.wait()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(files, "LOCK_WAIT", 1.0)
    return 1.0


def test_a_second_build_waits_then_exits_2_naming_the_holder(basic: Path, short_wait) -> None:
    with hold("build", basic, 30) as holder:
        started = time.monotonic()
        result = run(basic, "build", "--lang", "de", "--jobs", "1")
        waited = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert f"is in use by process {holder.pid}; waiting up to 1 s" in result.output
    assert f"error: {basic / 'build'}/ is in use by process {holder.pid}" in result.output
    assert waited >= 1.0
    assert not (basic / "build").exists()  # nothing written


def test_a_build_goes_on_once_the_holder_is_done(basic: Path, monkeypatch) -> None:
    monkeypatch.setattr(files, "LOCK_WAIT", 60.0)
    with hold("build", basic, 1.5, kill=False):
        result = run(basic, "build", "--lang", "de", "--edition", "single", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "waiting up to 60 s" in result.output


def test_impose_takes_the_build_lock(basic: Path, short_wait) -> None:
    with hold("build", basic, 30) as holder:
        result = run(basic, "impose", "--brochure", "eltern", "--lang", "de")
    assert result.exit_code == 2, result.output
    assert f"in use by process {holder.pid}" in result.output


def test_two_builds_of_different_brochures_at_once_both_publish(basic: Path) -> None:
    command = [sys.executable, "-m", "brochures", "--project", str(basic), "build"]
    options = ["--lang", "de", "--edition", "single", "--jobs", "1"]
    both = [
        subprocess.Popen([*command, "--brochure", b, *options], stderr=subprocess.PIPE, text=True)
        for b in ("eltern", "jugend")
    ]
    errors = [p.communicate(timeout=300)[1] for p in both]
    assert [p.returncode for p in both] == [0, 0], errors
    manifest = json.loads((basic / "build/manifest.json").read_text(encoding="utf-8"))
    assert {e["brochure"] for e in manifest["pdfs"]} == {"eltern", "jugend"}
    for entry in manifest["pdfs"]:
        assert (basic / "build" / entry["path"]).is_file()
    index = (basic / "build/index.html").read_text(encoding="utf-8")
    assert "eltern.de.pdf" in index and "jugend.de.pdf" in index


def test_catalog_update_waits_for_a_catalog_being_written(basic: Path, short_wait) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    (basic / "source/brochures/jugend.yaml").write_text(
        (basic / "source/brochures/jugend.yaml")
        .read_text(encoding="utf-8")
        .replace("title:", "title: Neu", 1),
        encoding="utf-8",
    )
    catalog = basic / "locales/en/LC_MESSAGES/messages.po"
    before = catalog.read_bytes()
    with hold("catalog", catalog, 30) as holder:
        result = run(basic, "catalog", "update")
    assert result.exit_code == 2, result.output
    assert f"catalog {catalog} is in use by process {holder.pid}" in result.output
    assert catalog.read_bytes() == before


def test_locks_nest_in_one_process_and_end_with_it(tmp_path: Path) -> None:
    with files.build_lock(tmp_path, wait=0), files.build_lock(tmp_path, wait=0):
        pass
    with hold("build", tmp_path, 30):
        pass  # killed
    with files.build_lock(tmp_path, wait=0):  # a killed holder leaves no lock behind
        pass
    assert list(tmp_path.iterdir()) == []  # and no lock file


def test_threads_of_one_process_exclude_each_other(tmp_path: Path) -> None:
    """The review server saves from several threads: one catalog, one writer at a time."""
    import threading

    inside: list[int] = []
    overlaps: list[int] = []

    def writer() -> None:
        with files.catalog_lock(tmp_path / "messages.po", wait=30):
            inside.append(1)
            if len(inside) > 1:
                overlaps.append(1)
            time.sleep(0.2)
            inside.pop()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
