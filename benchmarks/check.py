"""Benchmark: `brochures check` on an up-to-date project against a no-op `brochures build`.

Works on a copy of the repository's project in a temporary folder: builds it once (every
brochure, language and edition, screen profile), then runs, each as a fresh CLI process, a no-op
build and `brochures check` several times in turn, and prints for each the median and range of
the wall clock and of the CPU time (user + system) the process used. The CPU time is the figure
to compare on a shared machine: the wall clock grows with the load of other processes.

Run: `.venv/bin/python benchmarks/check.py [--project DIR] [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "brochures"


def copy_project(source: Path, target: Path) -> Path:
    for folder in ("source", "locales", "templates"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    return target


def timed(project: Path, *args: str) -> tuple[float, float]:
    """Wall clock and CPU seconds (user + system) of one CLI process."""
    before = os.times()
    started = time.perf_counter()
    run = subprocess.run(
        [str(CLI), "--project", str(project), *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = os.times()
    if run.returncode not in (0, 1):  # check exits 1 when it finds an error
        sys.exit(f"{' '.join(args)} failed ({run.returncode}):\n{run.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def figure(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="brochures-check-") as tmp:
        project = copy_project(options.project, Path(tmp) / "project")
        timed(project, "build")
        figures: dict[str, tuple[list[float], list[float]]] = {
            "no-op build": ([], []),
            "check": ([], []),
        }
        for _ in range(options.runs):
            for name, args in (("no-op build", ("build",)), ("check", ("check",))):
                wall, cpu = timed(project, *args)
                figures[name][0].append(wall)
                figures[name][1].append(cpu)
        print(f"{options.runs} runs each, fresh processes, median (range)")
        print(f"{'':14}{'wall clock':>24}{'CPU (user + system)':>26}")
        for name, (walls, cpus) in figures.items():
            print(f"{name:14}{figure(walls):>24}{figure(cpus):>26}")


if __name__ == "__main__":
    main()
