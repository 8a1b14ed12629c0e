"""Benchmark: machine translation through the project's path, against bare ctranslate2.

Uses a tiny de→en package built on the spot (tests/tinymodel.py), installed into a temporary
argostranslate folder, and a copy of the repository's project whose English catalog is emptied.
Prints, in one process with imports excluded and the model loaded once:
  - seconds per text through `translation.translate.translate` (protection, sentences, one batch
    call, restoration, checks, atomic catalog writes), the translation memory emptied each run;
  - the floor: tokenize, one bare ctranslate2 `translate_batch`, decode, on the same sentences
    the project path sent to the model, with the same options;
and then, as whole commands in fresh processes, `brochures translate` on the unchanged catalog
(zero engine calls, argostranslate not imported) and, for scale, the first run that fills it.
Run: `.venv/bin/python benchmarks/translate.py [--runs N] [--beam-size N] [--threads N]`.
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
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="bench-translate-"))
ARGOS_ENV = {
    "ARGOS_PACKAGES_DIR": str(TMP / "argos" / "packages"),
    "XDG_DATA_HOME": str(TMP / "argos" / "data"),
    "XDG_CONFIG_HOME": str(TMP / "argos" / "config"),
    "XDG_CACHE_HOME": str(TMP / "argos" / "cache"),
}
os.environ.update(ARGOS_ENV)  # argostranslate reads them once, at import: before any import
sys.path.insert(0, str(REPO / "tests"))

import polib  # noqa: E402
from tinymodel import build_argosmodel  # noqa: E402

from brochures.content.project import load_project  # noqa: E402
from brochures.translation.catalogs import po_path  # noqa: E402
from brochures.translation.models import ArgosEngine  # noqa: E402
from brochures.translation.translate import Hop, Route, translate  # noqa: E402

GLOSSARY = {"Eltern": "parents", "Schule": "school", "Kinder": "children", "Sprache": "language"}


class Recording:
    """The real engine, remembering what it was asked (the floor gets the same sentences)."""

    def __init__(self, engine: ArgosEngine):
        self.engine, self.name, self.calls, self.seconds = engine, engine.name, 0, 0.0
        self.sentences: list[str] = []

    def route(self, source: str, target: str) -> Route | None:
        return self.engine.route(source, target)

    def translate(self, hop: Hop, sentences: list[str]) -> list[str]:
        self.calls += 1
        self.sentences += sentences
        start = time.perf_counter()
        try:
            return self.engine.translate(hop, sentences)
        finally:
            self.seconds += time.perf_counter() - start


def fresh_project(name: str) -> Path:
    """The repository's project with its English catalog emptied (every text missing)."""
    root = TMP / name
    shutil.rmtree(root, ignore_errors=True)
    for folder in ("source", "templates", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    path = po_path(load_project(root), "en")
    po = polib.pofile(str(path), wrapwidth=78)
    for entry in po:
        entry.msgstr, entry.previous_msgid = "", None
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.tcomment = ""
    po.save(str(path))
    return root


def command(root: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, **ARGOS_ENV}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "brochures", "--project", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--beam-size", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    package = build_argosmodel(TMP / "de_en.argosmodel", "de", "en", GLOSSARY)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(ARGOS_ENV["ARGOS_PACKAGES_DIR"])
    engine = ArgosEngine(threads=args.threads, beam_size=args.beam_size)
    pkg = engine._packages["de", "en"]
    translator = engine._translator(("de", "en"))

    def project_path() -> tuple[float, float, Recording, int]:
        """Seconds for the whole stage, seconds inside the engine, what it was asked, texts."""
        project = load_project(fresh_project("project"))
        recording = Recording(engine)
        start = time.perf_counter()
        report = translate(project, ["en"], load_engine=lambda: recording)
        took = time.perf_counter() - start
        return took, recording.seconds, recording, report.languages[0].translated

    _, _, recorded, texts = project_path()  # warm-up; its sentences are the floor's
    sentences = recorded.sentences

    def floor() -> float:
        start = time.perf_counter()
        tokens = [pkg.tokenizer.encode(s) for s in sentences]
        results = translator.translate_batch(
            tokens,
            replace_unknowns=True,
            max_batch_size=4096,
            batch_type="tokens",
            beam_size=engine.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,
            max_decoding_length=min(1024, 2 * max(map(len, tokens)) + 16),
        )
        [pkg.tokenizer.decode(r.hypotheses[0]) for r in results]
        return time.perf_counter() - start

    floor()
    ours, inside, bare = [], [], []
    for _ in range(args.runs):  # interleaved, so that a busy machine hits both alike
        took, in_engine, _, _ = project_path()
        ours.append(took)
        inside.append(in_engine)
        bare.append(floor())

    tokens = sum(len(pkg.tokenizer.encode(s)) for s in sentences)
    print(f"tiny de→en model, beam size {engine.beam_size}, threads {engine.threads or 'auto'}")
    print(f"{texts} texts, {len(sentences)} sentences, {tokens} tokens, {recorded.calls} call(s)")
    for name, pick in (("median", statistics.median), ("best", min)):
        total, floor_s = pick(ours), pick(bare)
        own = pick(t - e for t, e in zip(ours, inside, strict=True))
        print(
            f"{name:6}: project path {total / texts * 1000:6.2f} ms per text "
            f"({total:.3f} s per catalog, of which {own:.3f} s outside the engine); "
            f"bare ctranslate2 {floor_s / texts * 1000:6.2f} ms per text ({floor_s:.3f} s); "
            f"ratio {total / floor_s:.2f}x"
        )

    root = fresh_project("commands")
    options = ["--beam-size", str(engine.beam_size)]
    options += ["--threads", str(args.threads)] if args.threads is not None else []
    first, out = command(root, "translate", "--lang", "en", *options)
    assert "en: " in out, out
    noop = [command(root, "translate")[0] for _ in range(3)]
    _, out = command(root, "translate")
    assert "no model was loaded" in out, out
    probe = (
        "import sys\nfrom brochures.cli import cli\n"
        f"cli(['--project', {str(root)!r}, 'translate'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('argostranslate', 'ctranslate2', 'torch')))\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"whole command, first run (fills {texts} texts): {first:.2f} s")
    print(f"whole command, unchanged catalogs: {statistics.median(noop):.2f} s median of 3")
    print(f"  engine calls: 0 (no model loaded); heavy modules imported: {imported[-2:]}")
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
