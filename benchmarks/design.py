"""Design measures of the default project's PDFs (issue 14): per format the share of each page's
or panel's height that carries content, notes pages per booklet, hyphenated words at page or
column ends, fonts outside the stacks and the body text size. Prints a table; no timings.

    .venv/bin/python benchmarks/design.py [--lang de --lang ar ...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from brochures.build import build
from brochures.content.project import load_project

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from pdfinspect import job_measures  # noqa: E402  (the tests' measures, shared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", default=None)
    args = parser.parse_args()
    langs = args.lang or ["de", "ar", "fa", "ru"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        for folder in ("source", "templates", "locales"):
            shutil.copytree(REPO / folder, root / folder)
        report = build(root, langs=langs, editions=["single", "bilingual"], workers=2)
        project = load_project(root)
        print(
            f"{'pdf':26} {'format':10} {'body pt':>7} {'notes':>5} {'hyph':>4} {'fonts':>5}  share"
        )
        for result in report.results:
            job = result.job
            if not job.output.exists():
                continue
            m = job_measures(project, job)
            shares = " ".join(f"{label}:{share}" for label, share in m["shares"])
            print(
                f"{job.output.name:26} {m['format']:10} {m['body_pt']:>7} {m['notes']:>5} "
                f"{m['hyphen_ends']:>4} {len(m['fonts']):>5}  {shares}"
            )


if __name__ == "__main__":
    main()
