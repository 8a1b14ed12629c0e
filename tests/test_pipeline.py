"""The build pipeline: build keys and skipping, the process pool, failures, and the manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import polib
import pytest
from conftest import ROOTS, build_once, names, reasons, run, snapshot
from pypdf import PdfReader

from brochures.build import build
from brochures.rendering import workers

ARABIC = "تجريبي"


def translate(project: Path, lang: str, word: str) -> None:
    """Every entry of a catalog translated (reviewed): its German words replaced by `word`, with
    markup, placeholders and numbers kept so that message checks pass."""
    import re

    path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    protected = re.compile(r"(<[^>]+>|%\(\w+\)s|(?:https?://|www\.)\S+[\w/]|[\w.+-]+@[\w.-]+\w)")
    for e in catalog:
        parts = protected.split(e.msgid)
        e.msgstr = "".join(
            part if i % 2 else re.sub(r"[^\W\d_]+", word, part) for i, part in enumerate(parts)
        )
        e.flags = [f for f in e.flags if f != "fuzzy"]
    catalog.save(str(path))


def set_translation(project: Path, lang: str, context: str, msgstr: str) -> None:
    path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    [entry] = [e for e in catalog if e.msgctxt == context]
    entry.msgstr = msgstr
    catalog.save(str(path))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic project with reviewed English and Arabic catalogs (one Arabic text missing),
    built once by a pool of two workers: 2 brochures × (de, en, ar) × (single, bilingual) less
    the German bilingual ones = 10 PDFs."""
    project = tmp_path_factory.mktemp("built") / "basic"
    shutil.copytree(ROOTS / "basic", project)
    assert run(project, "catalog", "update").exit_code == 0
    translate(project, "en", "Text")
    translate(project, "ar", ARABIC)
    set_translation(project, "ar", "eltern-informieren/beratung", "")
    report = build(project, workers=2)
    assert report.workers == 2 and len(report.built) == 10 and not report.failed
    assert all(r.worker_rss > 0 for r in report.results)
    return project


@pytest.fixture
def translated(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project: up to date (build keys do not depend on where it lies)."""
    target = tmp_path / "basic"
    shutil.copytree(built, target)
    return target


def test_second_build_skips_every_job_and_writes_nothing(
    translated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p: p.stat().st_mtime_ns for p in (translated / "build").rglob("*") if p.is_file()}
    contents = snapshot(translated / "build")

    def no_weasyprint(*args, **kwargs):
        raise AssertionError("an up-to-date build must not lay out anything")

    monkeypatch.setattr(workers, "new_renderer", no_weasyprint)
    second = build_once(translated)
    assert not second.built and len(second.up_to_date) == 10
    assert second.workers == 0
    assert snapshot(translated / "build") == contents
    after = {p: p.stat().st_mtime_ns for p in (translated / "build").rglob("*") if p.is_file()}
    assert after == before, "a no-op build rewrites no file (manifest and page included)"


def test_deleted_output_is_rebuilt_alone(translated: Path) -> None:
    (translated / "build/pdf/jugend/jugend.de+en.pdf").unlink()
    report = build_once(translated)
    assert names(report.built) == {"jugend.de+en"}, reasons(report)
    assert report.built[0].reason == "output missing"


def test_tampered_output_is_rebuilt(translated: Path) -> None:
    output = translated / "build/pdf/eltern/eltern.en.pdf"
    good = output.read_bytes()
    output.write_bytes(good[:-8] + b"tampered")  # same size, other bytes
    report = build_once(translated)
    assert names(report.built) == {"eltern.en"}, reasons(report)
    assert report.built[0].reason == "output changed on disk"
    assert output.read_bytes() == good


def test_one_changed_arabic_string_rebuilds_exactly_the_jobs_that_use_it(translated: Path) -> None:
    set_translation(translated, "ar", "eltern-informieren/wichtig", "نص جديد.")
    report = build_once(translated)
    assert names(report.built) == {"eltern.ar", "eltern.de+ar"}, reasons(report)
    assert all(r.reason == "changed: catalog" for r in report.built), reasons(report)
    assert len(report.up_to_date) == 8


def test_catalog_header_dates_rebuild_nothing(translated: Path) -> None:
    path = translated / "locales/ar/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    catalog.metadata["PO-Revision-Date"] = "2031-01-01 12:00+0100"
    catalog.metadata["Last-Translator"] = "Jemand <jemand@example.org>"
    catalog.save(str(path))
    report = build_once(translated)
    assert not report.built


def test_template_change_rebuilds_only_the_jobs_whose_templates_changed(translated: Path) -> None:
    from brochures.content.project import default_templates

    flyer = translated / "templates/formats/a4-flyer.html.j2"
    flyer.parent.mkdir(parents=True)
    source = (default_templates() / "formats/a4-flyer.html.j2").read_text(encoding="utf-8")
    flyer.write_text(source + "{# a comment: the HTML stays the same #}\n", encoding="utf-8")
    report = build_once(translated)
    # the flyer's single editions; its bilingual edition is an A5 booklet and stays
    assert names(report.built) == {"jugend.de", "jugend.en", "jugend.ar"}, reasons(report)
    assert all(r.reason == "changed: templates" for r in report.built)


def test_force_rebuilds_everything_byte_identically_in_one_process(
    built: Path, translated: Path
) -> None:
    report = build_once(translated, force=True, workers=1)
    assert report.workers == 1
    assert len(report.built) == 10 and {r.reason for r in report.built} == {"forced"}
    published = {k: v for k, v in snapshot(translated / "build").items() if k != ".state.json"}
    pooled = {k: v for k, v in snapshot(built / "build").items() if k != ".state.json"}
    assert published == pooled  # as the pool wrote them (the state stamps file times)


def test_partial_build_keeps_the_other_brochures_in_the_manifest(translated: Path) -> None:
    report = build_once(translated, brochures=["jugend"], force=True)
    assert names(report.built) == {"jugend.de", "jugend.en", "jugend.ar"} | {
        "jugend.de+en",
        "jugend.de+ar",
    }
    manifest = json.loads((translated / "build/manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["pdfs"]) == 10


def test_manifest_describes_every_pdf(built: Path) -> None:
    build_dir = built / "build"
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    pdfs = {e["path"]: e for e in manifest["pdfs"]}
    on_disk = {p.relative_to(build_dir).as_posix() for p in build_dir.glob("pdf/*/*.pdf")}
    assert set(pdfs) == on_disk and len(on_disk) == 10
    for path, entry in pdfs.items():
        data = (build_dir / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["pages"] == len(PdfReader(build_dir / path).pages)
        assert entry["concept_version"] == {"id": "neu", "label": "Neu", "date": "2021-06-30"}
        assert len(entry["build_key"]) == 64
        assert set(entry["review"]) == {"reviewed", "unreviewed", "outdated", "missing"}
        assert entry["profile"] == "screen"
    ar = pdfs["pdf/eltern/eltern.ar.pdf"]
    assert (ar["brochure"], ar["language"], ar["edition"]) == ("eltern", "ar", "single")
    assert ar["review"]["missing"] == 1 and ar["review"]["reviewed"] > 10
    assert pdfs["pdf/eltern/eltern.de+ar.pdf"]["edition"] == "bilingual"
    assert pdfs["pdf/eltern/eltern.de.pdf"]["review"]["missing"] == 0
    assert ARABIC in ar["title"]


def test_failing_job_in_the_pool_leaves_the_others_and_no_stale_pdf(translated: Path) -> None:
    long_text = " ".join(["Ein sehr langer Absatz, der die Seite füllt."] * 400)
    flyer = translated / "source/brochures/jugend.yaml"
    flyer.write_text(flyer.read_text(encoding="utf-8") + f"intro: {long_text}\n", encoding="utf-8")
    result = run(translated, "build", "--jobs", "2", "--edition", "single")
    assert result.exit_code == 1, result.output
    assert "jugend.de: content does not fit the a4-flyer format" in " ".join(result.output.split())
    assert "3 of 6 jobs failed" in result.output
    for lang in ("de", "en", "ar"):
        assert not (translated / f"build/pdf/jugend/jugend.{lang}.pdf").exists()
        assert (translated / f"build/pdf/eltern/eltern.{lang}.pdf").exists()
    manifest = json.loads((translated / "build/manifest.json").read_text(encoding="utf-8"))
    paths = {e["path"] for e in manifest["pdfs"]}
    assert "pdf/jugend/jugend.de.pdf" not in paths
    assert "pdf/jugend/jugend.de+ar.pdf" in paths  # not part of this build: kept
    assert "jugend.de.pdf" not in (translated / "build/index.html").read_text(encoding="utf-8")


def test_a_bug_in_one_job_fails_that_job_only(
    translated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochures.rendering.pdf import PdfRenderer

    real = PdfRenderer.render

    def render(self, html: str, profile: str = "screen", **more):
        if '<html lang="ar"' in html and "format-a5-booklet" in html:  # eltern.ar only
            raise ZeroDivisionError("a bug")
        return real(self, html, profile=profile, **more)

    monkeypatch.setattr(PdfRenderer, "render", render)
    result = run(translated, "build", "--jobs", "1", "--force")
    assert result.exit_code == 1
    assert "failed eltern.ar" in result.output
    assert "ZeroDivisionError: a bug" in result.output and "Traceback" in result.output
    assert "1 of 10 jobs failed" in result.output
    assert (translated / "build/pdf/eltern/eltern.de+ar.pdf").exists()


def test_input_error_stops_the_build_before_any_job(translated: Path) -> None:
    before = snapshot(translated / "build")
    (translated / "templates/partials").mkdir(parents=True)
    (translated / "templates/partials/contact.html.j2").write_text(
        "{{ nirgends.da }}", encoding="utf-8"
    )
    result = run(translated, "build", "--jobs", "2", "--force")
    assert result.exit_code == 2, result.output
    assert "template error" in result.output
    assert snapshot(translated / "build") == before


def test_unknown_profile_and_jobs_are_input_errors(basic: Path) -> None:
    result = run(basic, "build", "--profile", "poster")
    assert result.exit_code == 2
    result = run(basic, "build", "--jobs", "0")
    assert result.exit_code == 2
    assert not (basic / "build").exists()


def test_profiles_are_jobs_of_their_own(basic: Path) -> None:
    report = build_once(basic, brochures=["eltern"], langs=["de"], profiles=["screen", "print"])
    assert names(report.built) == {"eltern.de", "print:eltern.de"}, reasons(report)
    [screen] = [r for r in report.built if r.job.profile == "screen"]
    [printed] = [r for r in report.built if r.job.profile == "print"]
    assert screen.job.output == basic / "build/pdf/eltern/eltern.de.pdf"
    assert printed.job.output == basic / "build/print/eltern/eltern.de.pdf"
    assert screen.key != printed.key
    assert printed.job.output.exists()
    again = build_once(basic, brochures=["eltern"], langs=["de"], profiles=["print"])
    assert not again.built and names(again.up_to_date) == {"print:eltern.de"}


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_do_not_outlive_a_killed_build(translated: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    command = ["build", "--force", "--jobs", "2"]
    build = subprocess.Popen(
        [sys.executable, "-m", "brochures", "--project", str(translated), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    pool: set[int] = set()
    while len(pool) < 3 and time.monotonic() < deadline:  # the fork server and two workers
        pool = descendants(build.pid)
        time.sleep(0.05)
    assert len(pool) >= 3 and build.poll() is None
    build.send_signal(signal.SIGTERM)  # no clean-up in the build process
    build.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pool) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pool if alive(pid)], "workers outlived their build"


def test_damaged_manifest_rebuilds_what_it_no_longer_vouches_for(translated: Path) -> None:
    path = translated / "build/manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    [entry] = [e for e in manifest["pdfs"] if e["path"] == "pdf/jugend/jugend.ar.pdf"]
    del entry["pages"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    report = build_once(translated)
    assert names(report.built) == {"jugend.ar"}, reasons(report)
    path.write_text("{ not json", encoding="utf-8")
    report = build_once(translated)
    assert len(report.built) == 10 and {r.reason for r in report.built} == {"new"}
    assert json.loads(path.read_text(encoding="utf-8"))["pdfs"]
