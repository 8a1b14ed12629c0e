"""Incremental builds: up-to-date jobs render no HTML (keys from what their last build looked up,
build/.state.json), what the keys cover instead of the HTML, the user caches (parsed YAML, parsed
catalogs, compiled templates), permissions of published files, the fork server's guess and the
thumbnails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from conftest import ROOTS, build_once, names, reasons, run, snapshot
from pdfinspect import text

from brochures import build as pipeline
from brochures.build import BuildReport, build
from brochures.content import yamlfile
from brochures.content.project import default_templates
from brochures.publishing import keys
from brochures.rendering import forkserver, render, workers
from brochures.translation import catalogs
from brochures.translation.catalogs import CatalogError

FUZZY = "eltern-informieren/wichtig"  # the one English text not reviewed yet (eltern only)
ELTERN = {"eltern.de", "eltern.en", "eltern.de+en"}
JUGEND = {"jugend.de", "jugend.en", "jugend.de+en"}
ALL = ELTERN | JUGEND
ARABIC_LEFT_OUT = {"eltern.ar", "eltern.de+ar", "jugend.ar", "jugend.de+ar"}
NOTICE_MSGID = (
    "Diese Übersetzung wurde noch nicht vollständig geprüft. Maßgeblich ist die deutsche Fassung."
)
NOTICE = "EN " + NOTICE_MSGID[:50]  # the review notice as the English PDF shows it
BADGE = '<p class="badge">'  # "not reviewed" on the download page
PNG = b"\x89PNG\r\n\x1a\n"


def po_path(project: Path, lang: str) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / "messages.po"


def edit_entry(project: Path, lang: str, context: str, change: Callable[[polib.POEntry], None]):
    """Change one catalog entry (found by its context) as a translator's tool would, and save."""
    path = po_path(project, lang)
    catalog = polib.pofile(str(path))
    [entry] = [e for e in catalog if e.msgctxt == context]
    change(entry)
    catalog.save(str(path))


def unfuzzy(entry: polib.POEntry) -> None:
    entry.flags = [f for f in entry.flags if f != "fuzzy"]


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The basic project with an English catalog, every text translated ("EN " + the German) and
    reviewed but FUZZY (unreviewed); Arabic without any translation (its jobs are left out
    without rendering). Built once from nothing in one process: 2 brochures × (de, en,
    de+en) = 6 PDFs. Returns the project and the report of that cold build."""
    project = tmp_path_factory.mktemp("incremental") / "basic"
    shutil.copytree(ROOTS / "basic", project)
    assert run(project, "catalog", "update").exit_code == 0
    catalog = polib.pofile(str(po_path(project, "en")))
    for entry in catalog:
        entry.msgstr = "EN " + entry.msgid  # placeholders kept: message checks pass
        unfuzzy(entry)
        if entry.msgctxt == FUZZY:
            entry.flags.append("fuzzy")
    catalog.save(str(po_path(project, "en")))
    report = build(project, workers=1)
    assert names(report.built) == ALL and not report.failed
    assert {name for name, _ in report.skipped} == ARABIC_LEFT_OUT
    return project, report


@pytest.fixture
def project(cold: tuple[Path, BuildReport], tmp_path: Path) -> Path:
    """A copy of the built project, file times kept: up to date, as the last build left it."""
    target = tmp_path / "basic"
    shutil.copytree(cold[0], target)
    return target


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache (XDG_CACHE_HOME) for this test; returns this tool's folder in it."""
    base = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))  # the cache's secret
    return base / "brochures"


def manifest(project: Path) -> dict[str, dict]:
    """The manifest's entries by path."""
    data = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))
    return {e["path"]: e for e in data["pdfs"]}


def state_path(project: Path) -> Path:
    return project / forkserver.STATE


def saved_jobs(project: Path) -> dict[str, dict]:
    """The state file's entries by output path, read as plain JSON."""
    data = json.loads(state_path(project).read_text(encoding="utf-8"))
    assert data["format"] == keys.KEY_FORMAT
    return data["jobs"]


def pdf(project: Path, name: str) -> Path:
    """`eltern.de+en` → build/pdf/eltern/eltern.de+en.pdf"""
    return project / "build/pdf" / name.split(".")[0] / f"{name}.pdf"


def count_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the job of every HTML rendered from now on (the real renderer still runs)."""
    real = render.render_html
    rendered: list[str] = []

    def recording(env, content, lang, texts, edition="single", profile="screen"):
        tag = f"de+{lang.code}" if edition == "bilingual" else lang.code
        rendered.append(f"{content.id}.{tag}")
        return real(env, content, lang, texts, edition, profile=profile)

    monkeypatch.setattr(render, "render_html", recording)
    return rendered


def forbid_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_html(*args, **kwargs):
        raise AssertionError("an up-to-date job's HTML must not be rendered")

    def no_weasyprint(*args, **kwargs):
        raise AssertionError("an up-to-date build must not lay out anything")

    assert pipeline.render is render  # the build calls render.render_html through the module
    monkeypatch.setattr(render, "render_html", no_html)
    monkeypatch.setattr(workers, "new_renderer", no_weasyprint)


# ---- 1. an up-to-date build renders no HTML ----


def test_up_to_date_build_renders_no_html_and_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    times = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    forbid_rendering(monkeypatch)
    report = build_once(project)
    assert not report.built and names(report.up_to_date) == ALL
    assert report.workers == 0
    # Arabic has no translation at all: left out before any HTML is rendered
    assert {name for name, _ in report.skipped} == ARABIC_LEFT_OUT
    assert snapshot(project) == before
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()} == times
    # what the job results say comes from the last build (manifest and state), not from HTML
    entries = manifest(project)
    results = {r.job.name: r for r in report.up_to_date}
    for name, result in results.items():
        entry = entries[f"pdf/{name.split('.')[0]}/{name}.pdf"]
        assert result.key == entry["build_key"] and result.sha256 == entry["sha256"]
        assert {str(s): n for s, n in result.counts.items()} == entry["review"]
        assert result.looked_up, name
    assert results["eltern.en"].counts[catalogs.State.UNREVIEWED] == 1
    assert results["eltern.en"].title == "EN Schule verstehen"


# ---- 2. a missing or damaged state costs rendering HTML, never a PDF ----


def _delete(path: Path) -> None:
    path.unlink()


def _not_json(path: Path) -> None:
    path.write_text('{"format": 2, "jobs": {', encoding="utf-8")


def _not_an_object(path: Path) -> None:
    path.write_text("[]", encoding="utf-8")


def _rewrite(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")

    return damage


def _other_format(data: dict) -> None:
    data["format"] = keys.KEY_FORMAT - 1


def _eltern_en(change: Callable[[dict], None]) -> Callable[[dict], None]:
    return lambda data: change(data["jobs"]["pdf/eltern/eltern.en.pdf"])


DAMAGES = {
    "deleted": (_delete, ALL),
    "not JSON": (_not_json, ALL),
    "not an object": (_not_an_object, ALL),
    "other format": (_rewrite(_other_format), ALL),
    "key not a string": (_rewrite(_eltern_en(lambda e: e.update(key=1))), {"eltern.en"}),
    "lookups not pairs": (
        _rewrite(_eltern_en(lambda e: e.update(looked_up=[["bildung", "", "x"]]))),
        {"eltern.en"},
    ),
    "lookups not a list": (
        _rewrite(_eltern_en(lambda e: e.update(looked_up={"bildung": ""}))),
        {"eltern.en"},
    ),
    "fallbacks not strings": (
        _rewrite(_eltern_en(lambda e: e.update(fallbacks=[1]))),
        {"eltern.en"},
    ),
    "entry not an object": (
        _rewrite(lambda data: data["jobs"].update({"pdf/eltern/eltern.en.pdf": []})),
        {"eltern.en"},
    ),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_state_costs_html_only_and_is_written_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    spoil, rendered_again = DAMAGES[damage]
    state = state_path(project)
    good = state.read_bytes()
    published = {k: v for k, v in snapshot(project / "build").items() if k != ".state.json"}
    spoil(state)
    monkeypatch.setattr(workers, "new_renderer", lambda *a, **k: pytest.fail("no PDF is due"))
    rendered = count_html(monkeypatch)
    report = build_once(project)
    assert set(rendered) == rendered_again and len(rendered) == len(rendered_again)
    assert not report.built and names(report.up_to_date) == ALL
    assert {k: v for k, v in snapshot(project / "build").items() if k != ".state.json"} == published
    rewritten = json.loads(state.read_text(encoding="utf-8"))  # written again, valid
    assert rewritten == {**json.loads(good), "files": forkserver.files_stamp(project)}
    assert set(keys.read_state(project / "build")) == set(manifest(project))


# ---- 3. what the HTML used to cover is covered by the key's other inputs ----


def test_reviewing_a_translation_rebuilds_exactly_the_jobs_that_use_it(project: Path) -> None:
    before = manifest(project)
    assert (project / "build/index.html").read_text(encoding="utf-8").count(BADGE) == 1
    assert NOTICE in text(pdf(project, "eltern.en"))
    edit_entry(project, "en", FUZZY, unfuzzy)
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    assert {r.reason for r in report.built} == {"changed: catalog"}
    after, saved = manifest(project), saved_jobs(project)
    for path in ("pdf/eltern/eltern.en.pdf", "pdf/eltern/eltern.de+en.pdf"):
        was, now = before[path]["review"], after[path]["review"]
        assert was["unreviewed"] == 1
        # FUZZY counts as reviewed now, and the notice (a reviewed text) is no longer shown
        assert now == {"reviewed": was["reviewed"], "unreviewed": 0, "outdated": 0, "missing": 0}
        looked_up = {tuple(k) for k in saved[path]["looked_up"]}
        assert (FUZZY, "") in looked_up and ("", NOTICE_MSGID) not in looked_up
    assert (project / "build/index.html").read_text(encoding="utf-8").count(BADGE) == 0
    assert NOTICE not in text(pdf(project, "eltern.en"))
    assert not build_once(project).built  # and the next build has nothing to do


def test_clearing_the_previous_msgid_of_a_fuzzy_entry_rebuilds_its_jobs(project: Path) -> None:
    context = "eltern-informieren/beratung"

    def outdate(entry: polib.POEntry) -> None:  # as catalog update leaves a changed German text
        entry.flags.append("fuzzy")
        entry.previous_msgid = "Die Beratung richtete sich nach den Eltern."

    edit_entry(project, "en", context, outdate)
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    assert manifest(project)["pdf/eltern/eltern.en.pdf"]["review"]["outdated"] == 1
    edit_entry(project, "en", context, lambda entry: setattr(entry, "previous_msgid", None))
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    review = manifest(project)["pdf/eltern/eltern.en.pdf"]["review"]
    assert review["outdated"] == 0 and review["unreviewed"] == 2


def test_removing_a_machine_translation_flag_rebuilds_its_jobs(project: Path) -> None:
    context = "eltern-informieren/beratung"

    def flag(entry: polib.POEntry) -> None:  # as `brochures translate` records a flagged text
        entry.flags.append("fuzzy")
        catalogs.mark_machine_translation(entry, "test engine", "a name was changed")

    edit_entry(project, "en", context, flag)
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    [result] = [r for r in report.built if r.job.name == "eltern.en"]
    assert result.fallbacks == [context]  # German shown
    edit_entry(project, "en", context, lambda entry: setattr(entry, "tcomment", ""))
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    assert all(not r.fallbacks for r in report.results)  # the translation is shown now


def test_project_setting_that_changes_the_html_rebuilds(project: Path) -> None:
    settings = project / "source/project.yaml"
    url = "https://example.org/broschueren"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"download_base_url: {url}\n", encoding="utf-8"
    )
    report = build_once(project, langs=["de"], editions=["single"])
    assert names(report.built) == {"eltern.de", "jugend.de"}, reasons(report)
    # the QR code's caption is a text of its own: the catalog lookups changed along
    assert {r.reason for r in report.built} == {"changed: content, catalog"}
    assert f"{url}/pdf/jugend/jugend.de.pdf" in text(pdf(project, "jugend.de"))


def test_brochure_text_change_rebuilds_that_brochure_only(project: Path) -> None:
    brochure = project / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace(
            "Ein zweiter Absatz der Einleitung.", "Ein geänderter Absatz der Einleitung."
        ),
        encoding="utf-8",
    )
    report = build_once(project)
    assert names(report.built) == ELTERN, reasons(report)
    assert names(report.up_to_date) == JUGEND
    assert all(r.reason.startswith("changed:") and "content" in r.reason for r in report.built)
    assert "Ein geänderter Absatz der Einleitung." in text(pdf(project, "eltern.de"))


def test_tool_fingerprint_covers_every_module(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keys.tool_fingerprint reads every module of the package: pointed at a copy of it, a change
    to any one module (or a new one) changes it, and every job is rebuilt."""
    package = Path(keys.__file__).resolve().parent.parent
    modules = sorted(p.relative_to(package) for p in package.rglob("*.py"))
    assert {"build.py", "rendering/render.py", "translation/catalogs.py", "rendering/pdf.py"} <= {
        m.as_posix() for m in modules
    }
    copy = tmp_path / "package"
    for module in modules:
        (copy / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(package / module, copy / module)
    original = keys.tool_fingerprint()
    monkeypatch.setattr(keys, "__file__", str(copy / "publishing" / "keys.py"))
    assert keys.tool_fingerprint() == original  # the same code: the same fingerprint
    for module in modules:
        target = copy / module
        code = target.read_bytes()
        target.write_bytes(code + b"\n# changed\n")
        assert keys.tool_fingerprint() != original, f"{module} is not covered"
        target.write_bytes(code)
    assert keys.tool_fingerprint() == original
    (copy / "rendering" / "added.py").write_text("VALUE = 1\n", encoding="utf-8")
    assert keys.tool_fingerprint() != original
    report = build_once(project, langs=["de"], editions=["single"])
    assert names(report.built) == {"eltern.de", "jugend.de"}, reasons(report)
    assert {r.reason for r in report.built} == {"changed: tool"}


# ---- 4. user caches ----


CONCEPT = ROOTS / "basic/source/konzept.yaml"


def test_yaml_is_parsed_once_then_read_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, problems = yamlfile.load(CONCEPT, "source/konzept.yaml")
    assert first is not None and not problems and first.lines
    [cached] = (cache / "yaml").glob("*.json")

    def no_parser(*args, **kwargs):
        raise AssertionError("an unchanged YAML text is not parsed again")

    monkeypatch.setattr(yamlfile, "YAML", no_parser)
    second, problems = yamlfile.load(CONCEPT, "source/konzept.yaml")
    assert second is not None and not problems
    assert second.data == first.data and second.lines == first.lines
    assert (second.path, second.display) == (CONCEPT, "source/konzept.yaml")
    assert [p.name for p in (cache / "yaml").iterdir()] == [cached.name]


@pytest.mark.parametrize("garbage", ["bytes", "empty", "truncated"])
def test_corrupted_yaml_cache_is_ignored(cache: Path, garbage: str) -> None:
    first, _ = yamlfile.load(CONCEPT)
    assert first is not None
    [cached] = (cache / "yaml").glob("*.json")
    good = cached.read_bytes()
    spoilt = {"bytes": b"\x00garbage\xff" * 10, "empty": b"", "truncated": good[: len(good) // 2]}
    cached.write_bytes(spoilt[garbage])
    second, problems = yamlfile.load(CONCEPT)
    assert second is not None and not problems
    assert second.data == first.data and second.lines == first.lines
    assert cached.read_bytes() == good  # parsed again and kept again


@pytest.mark.parametrize(
    "source, line, message",
    [
        ("id: eltern\ntitle: [Schule\n", 2, "unclosed '['"),
        ("id: eltern\ntitle: Schule\ntitle: Wieder\n", 3, "duplicate key 'title'"),
    ],
    ids=["syntax error", "duplicate key"],
)
def test_yaml_with_a_problem_is_never_cached(
    cache: Path, tmp_path: Path, source: str, line: int, message: str
) -> None:
    path = tmp_path / "eltern.yaml"
    path.write_text(source, encoding="utf-8")
    reported = []
    for _ in range(3):
        _, problems = yamlfile.load(path, "source/brochures/eltern.yaml")
        assert [(p.path, p.line) for p in problems] == [("source/brochures/eltern.yaml", line)]
        assert message in problems[0].message
        reported.append(problems)
    assert reported[0] == reported[1] == reported[2]
    assert not list((cache / "yaml").glob("*.json"))


HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: brochures\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "gruss"
msgid "Hallo"
msgstr "Hello"
"""  # 12 lines
DISPLAY = "locales/en/LC_MESSAGES/messages.po"


def test_catalog_is_checked_and_parsed_once_then_read_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = catalogs.parse_catalog(HEADER, DISPLAY)
    assert [(e.msgctxt, e.msgstr) for e in first] == [("gruss", "Hello")]
    [cached] = (cache / "catalogs").glob("*.json")

    def no_check(*args, **kwargs):
        raise AssertionError("an unchanged catalog is not checked again")

    monkeypatch.setattr(catalogs, "msgfmt_check", no_check)
    monkeypatch.setattr(catalogs.polib, "pofile", no_check)
    second = catalogs.parse_catalog(HEADER, DISPLAY)
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in second] == [("gruss", "Hallo", "Hello")]
    assert second.metadata == first.metadata
    assert [p.name for p in (cache / "catalogs").iterdir()] == [cached.name]


def test_catalog_msgfmt_rejects_is_reported_with_its_line_every_time(cache: Path) -> None:
    duplicate = HEADER + '\nmsgctxt "gruss"\nmsgid "Hallo"\nmsgstr "Hi"\n'  # msgid on line 15
    reported = []
    for _ in range(3):
        with pytest.raises(CatalogError) as caught:
            catalogs.parse_catalog(duplicate, DISPLAY)
        problems = caught.value.problems
        assert any(
            (p.path, p.line) == (DISPLAY, 15) and "duplicate message definition" in p.message
            for p in problems
        ), problems
        reported.append(problems)
    assert reported[0] == reported[1] == reported[2]
    assert not list((cache / "catalogs").glob("*.json"))


@pytest.mark.parametrize("garbage", ["bytes", "truncated", "another object"])
def test_corrupted_catalog_cache_is_ignored(cache: Path, garbage: str) -> None:
    catalogs.parse_catalog(HEADER, DISPLAY)
    [cached] = (cache / "catalogs").glob("*.json")
    good = cached.read_bytes()
    spoilt = {
        "bytes": b"\x00garbage\xff" * 10,
        "truncated": good[: len(good) // 2],
        "another object": b"\x80\x05K*.",  # the pickle of 42: not a catalog
    }
    cached.write_bytes(spoilt[garbage])
    parsed = catalogs.parse_catalog(HEADER, DISPLAY)
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in parsed] == [("gruss", "Hallo", "Hello")]
    assert isinstance(parsed, polib.POFile)
    assert cached.read_bytes() == good  # checked, parsed and kept again


def test_cache_entries_unused_for_a_month_are_removed_at_most_once_a_day(cache: Path) -> None:
    from brochures.files import CACHE_DAYS, PRUNE_EVERY, prune_cache, read_cached, write_cached

    folder = cache / "yaml"
    day = 24 * 3600
    entries = {name: folder / f"{name}.json" for name in ("unused", "recent", "read", "other")}
    for path in entries.values():
        write_cached(path, {"value": path.stem})
    month_ago = os.stat(entries["recent"]).st_mtime - (CACHE_DAYS + 1) * day
    for name in ("unused", "read", "other"):
        os.utime(entries[name], (month_ago, month_ago))
    (cache / ".yaml.pruned").unlink()  # as if the last pruning was long ago
    assert read_cached(entries["read"], dict) == {"value": "read"}  # a use: kept
    write_cached(folder / "new.json", {"value": "new"})
    assert sorted(p.name for p in folder.iterdir()) == [
        "new.json",
        "read.json",
        "recent.json",
    ]
    # the next write the same day does not look through the folder again
    write_cached(entries["other"], {"value": "other"})
    os.utime(entries["other"], (month_ago, month_ago))
    write_cached(folder / "newer.json", {"value": "newer"})
    assert entries["other"].exists()
    prune_cache(folder, now=os.stat(cache / ".yaml.pruned").st_mtime + PRUNE_EVERY + 1)
    assert not entries["other"].exists() and entries["recent"].exists()


def test_hyphenation_patterns_are_kept_by_content_not_by_install(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyphen

    from brochures.languages import language

    name = language("de").hyphenation  # the dictionary the templates name (de_DE)
    installed = Path(pyphen.LANGUAGES[name])
    monkeypatch.setattr(pyphen, "hdcache", {})
    workers.warm_hyphenation(["de"])
    [kept] = (cache / "hyphenation").glob("*.marshal")
    assert pyphen.hdcache[installed].patterns == pyphen.HyphDict(installed).patterns
    # the same dictionary in a fresh install (a new venv): another path, another time
    reinstalled = tmp_path / "reinstalled" / installed.name
    reinstalled.parent.mkdir()
    reinstalled.write_bytes(installed.read_bytes())
    os.utime(reinstalled, ns=(10**18, 10**18))
    monkeypatch.setitem(pyphen.LANGUAGES, name, reinstalled)
    monkeypatch.setattr(pyphen, "hdcache", {})

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged dictionary is not parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", no_parsing)  # unpickling does not call it
    workers.warm_hyphenation(["de"])
    assert [p.name for p in (cache / "hyphenation").glob("*.marshal")] == [kept.name]
    assert pyphen.hdcache[reinstalled].patterns


def test_compiled_templates_used_by_a_build_are_kept(cache: Path) -> None:
    from brochures.files import CACHE_DAYS

    env = render.environment([default_templates()], default_templates())
    env.get_template("base.html.j2")
    [compiled] = (cache / "jinja2").iterdir()
    month_ago = compiled.stat().st_mtime - (CACHE_DAYS + 1) * 24 * 3600
    os.utime(compiled, (month_ago, month_ago))
    again = render.environment([default_templates()], default_templates())
    again.get_template("base.html.j2")  # loaded from the cache: a use
    assert compiled.stat().st_mtime > month_ago + CACHE_DAYS * 24 * 3600


def test_template_syntax_error_after_a_build_is_still_reported(project: Path, cache: Path) -> None:
    flyer = project / "templates/formats/a4-flyer.html.j2"
    flyer.parent.mkdir(parents=True)
    good = (default_templates() / "formats/a4-flyer.html.j2").read_text(encoding="utf-8")
    flyer.write_text(good, encoding="utf-8")  # the same template: jugend stays up to date
    jugend_de = ("--brochure", "jugend", "--lang", "de", "--edition", "single", "--jobs", "1")
    result = run(project, "build", *jugend_de)
    assert result.exit_code == 0, result.output
    compiled = render._BytecodeCache()
    key = compiled.get_cache_key("formats/a4-flyer.html.j2", str(flyer.resolve()))
    assert compiled.entry_path(key).is_file()  # kept compiled
    lines = good.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("{% extends")) + 1
    flyer.write_text("".join([*lines[:at], "{% if %}\n", *lines[at:]]), encoding="utf-8")
    before = snapshot(project / "build")
    for _ in range(2):
        result = run(project, "build", *jugend_de)
        assert result.exit_code == 2, result.output
        assert f"error: {flyer.resolve()}:{at + 1}: template syntax error" in result.output
    assert snapshot(project / "build") == before
    flyer.write_text(good, encoding="utf-8")
    assert run(project, "build", *jugend_de).exit_code == 0


# ---- 5. permissions of what a build publishes ----


@pytest.mark.parametrize(
    "umask, mode, jobs",
    [(0o022, 0o644, "2"), (0o027, 0o640, "1")],
    ids=["umask 022, workers", "umask 027, build process"],
)
def test_published_files_have_the_permissions_of_the_umask(
    basic: Path, umask: int, mode: int, jobs: str
) -> None:
    """A build of its own (the umask is read when the tool starts), in worker processes and in
    the build process."""
    old = os.umask(umask)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "brochures", "--project", str(basic), "build", "--jobs", jobs],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.umask(old)
    assert completed.returncode == 0, completed.stderr
    build_dir = basic / "build"
    pdfs = sorted(build_dir.glob("pdf/*/*.pdf"))
    assert len(pdfs) == 2
    published = [*pdfs, build_dir / "manifest.json", build_dir / "index.html"]
    published += [*build_dir.glob("thumbs/*.png"), build_dir / ".state.json"]
    modes = {p.relative_to(build_dir).as_posix(): oct(p.stat().st_mode & 0o777) for p in published}
    assert modes == dict.fromkeys(modes, oct(mode))
    folders = [build_dir, *(p for p in build_dir.rglob("*") if p.is_dir())]
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(0o777 & ~umask)}


# ---- 6. the fork server's guess ----


def test_fork_server_not_needed_right_after_a_build(cold: tuple[Path, BuildReport]) -> None:
    assert not forkserver.likely_needed(cold[0])


def _edit_catalog(project: Path) -> None:
    edit_entry(
        project, "en", "jugendliche-foerdern/chancen", lambda e: setattr(e, "msgstr", "New text.")
    )


def _delete_pdf(project: Path) -> None:
    pdf(project, "jugend.de").unlink()


def _delete_state(project: Path) -> None:
    state_path(project).unlink()


@pytest.mark.parametrize(
    "change, rebuilt",
    [
        (_edit_catalog, {"jugend.en", "jugend.de+en"}),
        (_delete_pdf, {"jugend.de"}),
        (_delete_state, set()),
    ],
    ids=["catalog edited", "pdf deleted", "state missing"],
)
def test_fork_server_likely_needed_after_a_change(
    project: Path, change: Callable[[Path], None], rebuilt: set[str]
) -> None:
    assert not forkserver.likely_needed(project)  # the copy keeps sizes and times
    change(project)
    assert forkserver.likely_needed(project)
    report = build_once(project)
    assert names(report.built) == rebuilt, reasons(report)
    assert not forkserver.likely_needed(project)  # the build recorded the files it left


# ---- 7. thumbnails ----


def test_thumbnails_drawn_once_per_brochure_and_language(
    cold: tuple[Path, BuildReport], project: Path
) -> None:
    root, report = cold
    entries = manifest(root).values()
    pairs = {(e["brochure"], e["language"]) for e in entries}
    assert pairs == {(b, lang) for b in ("eltern", "jugend") for lang in ("de", "en")}
    assert report.published is not None
    assert (report.published.thumbnails_made, report.published.thumbnails_reused) == (4, 0)
    shown = sorted(e["thumbnail"] for e in entries if "thumbnail" in e)
    assert len(shown) == len(pairs)
    assert sorted(f"thumbs/{p.name}" for p in (root / "build/thumbs").iterdir()) == shown
    assert all((root / "build" / thumb).read_bytes().startswith(PNG) for thumb in shown)
    again = build_once(project).published
    assert again is not None
    assert (again.thumbnails_made, again.thumbnails_reused) == (0, len(pairs))
    assert sorted(f"thumbs/{p.name}" for p in (project / "build/thumbs").iterdir()) == shown


# ---- 8. the state follows the manifest ----


def test_partial_build_keeps_the_state_of_the_other_outputs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = saved_jobs(project)
    assert set(saved) == set(manifest(project)) and len(saved) == 6
    brochure = project / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("Schule verstehen", "Schule kennen"),
        encoding="utf-8",
    )
    report = build_once(project, brochures=["eltern"], langs=["de"], editions=["single"])
    assert names(report.built) == {"eltern.de"}, reasons(report)
    now = saved_jobs(project)
    assert set(now) == set(saved)
    assert now["pdf/eltern/eltern.de.pdf"]["key"] == report.built[0].key
    assert now["pdf/eltern/eltern.de.pdf"]["key"] != saved["pdf/eltern/eltern.de.pdf"]["key"]
    assert {p: e for p, e in now.items() if p != "pdf/eltern/eltern.de.pdf"} == {
        p: e for p, e in saved.items() if p != "pdf/eltern/eltern.de.pdf"
    }
    # the kept entries still spare their jobs' HTML: only the two stale eltern jobs are rendered
    rendered = count_html(monkeypatch)
    report = build_once(project)
    assert names(report.built) == {"eltern.en", "eltern.de+en"}, reasons(report)
    assert sorted(rendered) == ["eltern.de+en", "eltern.en"]


def test_removed_brochure_leaves_the_state_and_the_manifest(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "source/brochures/jugend.yaml").unlink()
    forbid_rendering(monkeypatch)
    report = build_once(project)
    assert not report.built and names(report.up_to_date) == ELTERN
    paths = {f"pdf/eltern/{name}.pdf" for name in ELTERN}
    assert set(manifest(project)) == paths
    assert set(saved_jobs(project)) == paths
    assert set(keys.read_state(project / "build")) == paths
    assert all(p.name.startswith("eltern.") for p in (project / "build/thumbs").iterdir())
    assert 'id="jugend"' not in (project / "build/index.html").read_text(encoding="utf-8")


# ---- a damaged manifest entry is not trusted for what the page shows ----


@pytest.mark.parametrize("damage", ["missing", "not a mapping"])
def test_manifest_entry_with_damaged_review_counts_is_not_trusted(
    project: Path, damage: str
) -> None:
    path = project / "build/manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    [entry] = [e for e in data["pdfs"] if e["path"] == "pdf/eltern/eltern.en.pdf"]
    review = entry.pop("review")
    if damage == "not a mapping":
        entry["review"] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    build_once(project)
    assert manifest(project)["pdf/eltern/eltern.en.pdf"]["review"] == review
    assert (project / "build/index.html").read_text(encoding="utf-8").count(BADGE) == 1
