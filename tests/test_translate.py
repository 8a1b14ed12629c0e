"""Machine translation: tiny real argostranslate packages end to end, and the catalog rules."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from conftest import REPO, run
from tinymodel import build_argosmodel

from brochures.content.project import load_project
from brochures.translation.catalogs import (
    DRAFT_COMMENT,
    CatalogTexts,
    State,
    machine_flag,
    machine_owned,
    state_of,
)
from brochures.translation.protect import Protector, split_text
from brochures.translation.translate import Hop, Route, find_route, translate

DE_EN = {"Eltern": "parents", "Beratung": "counselling", "Schule": "school", "Angebot": "offer"}
EN_AR = {"parents": "الآباء", "counselling": "الإرشاد", "school": "المدرسة", "offer": "العرض"}
EN = "en/LC_MESSAGES/messages.po"
AR = "ar/LC_MESSAGES/messages.po"
RICH = (
    "Eltern erhalten am 21.03.2019 Auskunft unter 0251 123456, per E-Mail an "
    'eltern_buero@example.org oder unter <a href="https://www.example.org/eltern_info">'
    "www.example.org/eltern_info</a>. Das Angebot von Kreis Warendorf gilt z. B. für %(name)s."
)


# ---- fixtures: argostranslate pointed at temporary folders, tiny packages installed ----


@pytest.fixture(scope="session")
def argos_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """argostranslate reads its folders from the environment once, when it is imported (and
    creates them): point them at a temporary folder, import it, and put the environment back."""
    home = tmp_path_factory.mktemp("argos-home")
    wanted = {
        "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",  # nothing listens there: refused at once
    }
    assert "argostranslate" not in sys.modules, "imported before its folders were set"
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        from argostranslate import settings
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert Path(settings.package_data_dir) == home / "packages"
    return home


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("argosmodels")
    return {
        "de_en": build_argosmodel(folder / "de_en.argosmodel", "de", "en", DE_EN),
        "en_ar": build_argosmodel(folder / "en_ar.argosmodel", "en", "ar", EN_AR),
        "de_fr": build_argosmodel(folder / "de_fr.argosmodel", "de", "fr", {"Eltern": "parents"}),
    }


@pytest.fixture
def models_dir(argos_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty packages folder of this test's own."""
    from argostranslate import settings

    folder = tmp_path / "argos-packages"
    folder.mkdir()
    monkeypatch.setattr(settings, "package_data_dir", folder)
    monkeypatch.setattr(settings, "package_dirs", [folder])
    return folder


@pytest.fixture
def installed(models_dir: Path, packages: dict[str, Path]) -> Path:
    """de→en and en→ar installed (unpacked as argostranslate's install_from_path does)."""
    for package in packages.values():
        with zipfile.ZipFile(package) as archive:
            archive.extractall(models_dir)
    return models_dir


@pytest.fixture
def project(basic: Path) -> Path:
    """The basic project (de, en, ar) with a text full of protected pieces, catalogs updated."""
    konzept = basic / "source" / "konzept.yaml"
    text = konzept.read_text(encoding="utf-8")
    old = "text: Auskunft unter 0251 123456 oder www.example.org."
    konzept.write_text(text.replace(old, f"text: '{RICH}'"), encoding="utf-8")
    (basic / "source" / "mt-terms.yaml").write_text(
        "keep: [Kreis Warendorf]\nterms:\n  ar:\n    Auskunft: معلومات\n", encoding="utf-8"
    )
    assert run(basic, "catalog", "update").exit_code == 0
    return basic


def catalog(project: Path, rel: str) -> polib.POFile:
    return polib.pofile(str(project / "locales" / rel))


def entry(po: polib.POFile, context: str) -> polib.POEntry:
    return next(e for e in po if (e.msgctxt or e.msgid) == context)


def edit(project: Path, rel: str, changes: dict[str, tuple[str, bool, str | None]]) -> None:
    """Set entries as a translator would: context → (msgstr, fuzzy, translator comment)."""
    po = catalog(project, rel)
    for context, (msgstr, fuzzy, comment) in changes.items():
        e = entry(po, context)
        e.msgstr = msgstr
        e.flags = [f for f in e.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
        if comment is not None:
            e.tcomment = comment
    po.save(str(project / "locales" / rel))


class Counting:
    """A real engine that counts its calls and can be stopped after some (a crash, Ctrl-C)."""

    def __init__(self, engine, stop_after: int | None = None):
        self.engine, self.stop_after = engine, stop_after
        self.name, self.calls = engine.name, 0

    def route(self, source: str, target: str) -> Route | None:
        return self.engine.route(source, target)

    def translate(self, hop: Hop, sentences: list[str]) -> list[str]:
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        return self.engine.translate(hop, sentences)


def argos() -> Counting:
    from brochures.translation.models import ArgosEngine

    return Counting(ArgosEngine(beam_size=2))


class FakeEngine:
    """For the catalog rules: 'translates' by a function of the text; de→en and en→ar."""

    name = "fake"

    def __init__(self, change=lambda hop, text: f"[{hop.target}] {text}"):
        self.change, self.calls = change, 0

    def route(self, source: str, target: str) -> Route | None:
        return find_route({("de", "en"): "1", ("en", "ar"): "1"}, source, target)

    def translate(self, hop: Hop, sentences: list[str]) -> list[str]:
        self.calls += 1
        return [self.change(hop, s) for s in sentences]


# ---- the real path ----


def test_models_install_and_list_read_the_packages(
    models_dir: Path, packages: dict[str, Path], basic: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.argosmodel"
    broken.write_bytes(b"not a zip")
    result = run(basic, "models", "install", str(broken))
    assert result.exit_code == 2
    assert "not an .argosmodel package" in result.output
    assert list(models_dir.iterdir()) == []

    for name in ("de_en", "en_ar"):
        result = run(basic, "models", "install", str(packages[name]))
        assert result.exit_code == 0, result.output
    assert "installed en→ar 1.0" in result.output
    assert "replaced" in run(basic, "models", "install", str(packages["en_ar"])).output
    assert len(list(models_dir.iterdir())) == 2

    result = run(basic, "models", "list")
    assert result.exit_code == 0, result.output
    assert "de→en  1.0" in result.output and "en→ar  1.0" in result.output
    assert "en   reached: de→en\n" in result.output
    assert "ar   reached: de→en→ar\n" in result.output


def texts_in(project: Path) -> int:
    """How many texts the project's template (messages.pot) has."""
    return len(polib.pofile(str(project / "locales" / "messages.pot")))


def test_translate_fills_catalogs_through_the_real_model(installed: Path, project: Path) -> None:
    result = run(project, "translate")
    assert result.exit_code == 0, result.output
    n = texts_in(project)
    assert f"en: {n} translated (de→en; de→en 1.0), 0 flagged" in result.output
    assert f"ar: {n} translated (de→en→ar; de→en 1.0, en→ar 1.0), 0 flagged" in result.output

    en, ar = catalog(project, EN), catalog(project, AR)
    beratung = entry(en, "eltern-informieren/beratung")
    assert beratung.msgstr == (
        "Die counselling richtet sich nach den <strong>Bedarfen</strong> der parents."
    )
    assert state_of(beratung) is State.UNREVIEWED and machine_owned(beratung)
    assert "machine translation: argostranslate de→en (de→en 1.0), 20" in beratung.tcomment
    assert entry(ar, "eltern-informieren/beratung").msgstr == (
        "Die الإرشاد richtet sich nach den <strong>Bedarfen</strong> der الآباء."
    )
    assert "de→en→ar (de→en 1.0, en→ar 1.0)" in entry(ar, "eltern-informieren/beratung").tcomment
    # markup, URLs, e-mail, date, phone, placeholder, kept name and required term: intact
    assert entry(en, "jugendliche-foerdern/auskunft").msgstr == RICH.replace(
        "Eltern", "parents"
    ).replace("Angebot", "offer")
    assert entry(ar, "jugendliche-foerdern/auskunft").msgstr == RICH.replace(
        "Eltern", "الآباء"
    ).replace("Angebot", "العرض").replace("Auskunft", "معلومات")
    assert entry(en, "brochure:eltern/intro").msgstr == (
        "Liebe parents, dieses Heft erklärt, was der Kreis vorhat.\n\n"
        "Ein zweiter Absatz der Einleitung."
    )
    # the catalogs stay current, and the build uses the unreviewed translation
    assert run(project, "catalog", "update", "--check").exit_code == 0
    looked = CatalogTexts("en", en).lookup("eltern-informieren/beratung", beratung.msgid)
    assert (looked.state, looked.fallback) == (State.UNREVIEWED, False)


def translate_in_a_fresh_process(project: Path) -> str:
    """`brochures translate`, then which heavy modules the process imported."""
    code = (
        "import sys\n"
        "from brochures.cli import cli\n"
        f"cli(['--project', {str(project)!r}, 'translate'], standalone_mode=False)\n"
        "heavy = [m for m in ('argostranslate', 'ctranslate2', 'torch') if m in sys.modules]\n"
        "print('imported:', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return done.stdout


def test_unchanged_catalog_loads_no_model_and_imports_no_argostranslate(
    installed: Path, project: Path
) -> None:
    assert run(project, "translate").exit_code == 0
    output = translate_in_a_fresh_process(project)
    assert "nothing to translate: no model was loaded" in output
    assert "imported: []" in output


def test_one_batch_call_per_hop_and_the_memory_spares_a_second(
    installed: Path, project: Path
) -> None:
    empty = {rel: (project / "locales" / rel).read_bytes() for rel in (EN, AR)}
    engine = argos()
    report = translate(load_project(project), load_engine=lambda: engine, batch_texts=100)
    # en: de→en once. ar: en→ar once; de→en from the memory except the one sentence that
    # reads differently to the model because of ar's required term ("Auskunft"): one call more
    assert engine.calls == 3
    assert [r.translated for r in report.languages] == [texts_in(project)] * 2
    written = {rel: (project / "locales" / rel).read_bytes() for rel in (EN, AR)}
    for rel, data in empty.items():  # the same texts again: nothing for the engine to do
        (project / "locales" / rel).write_bytes(data)
    again = argos()
    translate(load_project(project), load_engine=lambda: again, batch_texts=100)
    assert again.calls == 0
    assert {rel: (project / "locales" / rel).read_bytes() for rel in (EN, AR)} == written
    assert (project / "build" / "translation-memory.json").exists()


def test_an_interrupted_run_keeps_its_batches_and_resumes(installed: Path, project: Path) -> None:
    stopping = Counting(argos().engine, stop_after=2)
    with pytest.raises(KeyboardInterrupt):
        translate(load_project(project), ["en"], load_engine=lambda: stopping, batch_texts=10)
    po = catalog(project, EN)  # a valid catalog with the first two batches
    assert sum(machine_owned(e) for e in po) == 20
    rest = texts_in(project) - 20
    assert sum(state_of(e) is State.MISSING for e in po) == rest
    resumed = argos()
    report = translate(load_project(project), ["en"], load_engine=lambda: resumed)
    assert report.languages[0].translated == rest and report.languages[0].machine == 20
    assert all(machine_owned(e) for e in catalog(project, EN))


def test_unreachable_languages_need_a_human_translator(installed: Path, project: Path) -> None:
    settings = project / "source" / "project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("[de, en, ar]", "[de, en, ar, ku, ti]"),
        encoding="utf-8",
    )
    assert run(project, "catalog", "update").exit_code == 0
    before = (project / "locales/ku/LC_MESSAGES/messages.po").read_bytes()
    result = run(project, "translate")
    assert result.exit_code == 0, result.output
    assert "ku: needs a human translator: no installed model reaches 'ku' from German" in (
        result.output
    )
    assert "ti: needs a human translator" in result.output
    assert (project / "locales/ku/LC_MESSAGES/messages.po").read_bytes() == before
    # the next run knows, without argostranslate, that nothing installed reaches ku and ti
    output = translate_in_a_fresh_process(project)
    assert "ku: needs a human translator" in output and "imported: []" in output
    # until the packages change
    from brochures.translation.models import ROUTES_FILE, RouteCache

    assert RouteCache(project / "build" / ROUTES_FILE).unreachable("ku")
    (installed / "translate-de_en-1_0" / "metadata.json").touch()
    assert not RouteCache(project / "build" / ROUTES_FILE).unreachable("ku")


def test_reviewed_and_drafted_entries_are_never_touched(installed: Path, project: Path) -> None:
    person = {
        "brochure:eltern/title": ("Understanding school", False, None),  # reviewed
        "brochure:eltern/subtitle": ("Information for parents", True, DRAFT_COMMENT),  # draft
    }
    edit(project, EN, person)
    assert run(project, "translate", "--lang", "en").exit_code == 0
    en = catalog(project, EN)
    for context, (msgstr, fuzzy, _) in person.items():
        assert entry(en, context).msgstr == msgstr
        assert ("fuzzy" in entry(en, context).flags) == fuzzy
    assert entry(en, "brochure:eltern/subtitle").tcomment == DRAFT_COMMENT

    # a person edits one engine entry and reviews another; then the German of all three changes
    edit(project, EN, {"brochure:eltern/closing": ("Ask at school.", True, None)})
    engines = entry(en, "jugendliche-foerdern/chancen").msgstr
    edit(project, EN, {"jugendliche-foerdern/chancen": (engines, False, None)})  # reviewed
    for path, old, new in [
        ("brochures/eltern.yaml", "Fragen Sie in der Schule nach.", "Fragen Sie bitte nach."),
        ("konzept.yaml", "die Chancen auf", "die Aussichten auf"),
        ("konzept.yaml", "Bildung ist der Schlüssel", "Eltern sind der Schlüssel"),
    ]:
        file = project / "source" / path
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert run(project, "translate").exit_code == 2  # stale catalogs are refused
    assert run(project, "catalog", "update").exit_code == 0
    result = run(project, "translate", "--lang", "en")
    assert "en: 1 translated" in result.output  # only the engine's own outdated entry
    en = catalog(project, EN)
    assert entry(en, "bildung/einleitung").msgstr == "parents sind der Schlüssel zur Teilhabe."
    assert entry(en, "bildung/einleitung").previous_msgid is None
    assert entry(en, "brochure:eltern/closing").msgstr == "Ask at school."
    chancen = entry(en, "jugendliche-foerdern/chancen")
    assert chancen.previous_msgid and not machine_owned(chancen)  # reviewed once: a person's
    assert "[reviewed]" in chancen.tcomment


def test_refresh_translates_the_engines_entries_again(installed: Path, project: Path) -> None:
    assert run(project, "translate", "--lang", "en").exit_code == 0
    result = run(project, "translate", "--lang", "en", "--refresh", "--beam-size", "1")
    assert f"en: {texts_in(project)} translated" in result.output  # the memory is not asked
    assert "1 engine call\n" in result.output  # all texts in one batch call


def test_brochure_option_limits_the_texts(installed: Path, project: Path) -> None:
    result = run(project, "translate", "--brochure", "jugend", "--lang", "en")
    assert result.exit_code == 0, result.output
    en = catalog(project, EN)
    assert machine_owned(entry(en, "jugendliche-foerdern/chancen"))
    assert state_of(entry(en, "brochure:eltern/intro")) is State.MISSING
    assert run(project, "translate", "--brochure", "nope").exit_code == 2


# ---- protection, flags and the catalog rules (a fake engine) ----


def test_a_lost_protected_piece_is_written_flagged_and_the_build_uses_german(
    project: Path,
) -> None:
    def careless(hop: Hop, text: str) -> str:  # drops the second span, doubles the first
        return text.replace("{1}", "").replace("{0}", "{0} {0}")

    report = translate(load_project(project), ["en"], load_engine=lambda: FakeEngine(careless))
    flagged = dict(report.languages[0].flagged)
    reason = flagged["eltern-informieren/beratung"]
    assert "lost '</strong>'" in reason and "doubled '<strong>'" in reason
    en = catalog(project, EN)
    beratung = entry(en, "eltern-informieren/beratung")
    assert "<" not in beratung.msgstr  # never broken markup: the words without it
    assert machine_flag(beratung) == reason
    looked = CatalogTexts("en", en).lookup("eltern-informieren/beratung", beratung.msgid)
    assert looked.fallback and looked.text == beratung.msgid
    assert run(project, "catalog", "update", "--check").exit_code == 0
    rows = json.loads(run(project, "check", "--json").output)["messages"]
    assert {"lang": "en", "context": "eltern-informieren/beratung", "severity": "warning",
            "check": "machine translation", "detail": reason} in rows  # fmt: skip

    mine = "Advice as <strong>parents</strong> need it."
    edit(project, EN, {"eltern-informieren/beratung": (mine, True, None)})
    en = catalog(project, EN)  # a person's edit takes the entry over: no longer flagged
    beratung = entry(en, "eltern-informieren/beratung")
    assert machine_flag(beratung) is None and not machine_owned(beratung)
    assert not CatalogTexts("en", en).lookup(beratung.msgctxt, beratung.msgid).fallback


def test_protector_masks_and_restores() -> None:
    protector = Protector({"Kreis Warendorf": "Kreis Warendorf"}, {"Elterncafé": "parents' café"})
    masked = protector.protect(RICH.replace("Angebot", "Elterncafé"))
    assert masked.text == (
        "Eltern erhalten am {0} Auskunft unter {1}, per E-Mail an {2} oder unter {3}{4}{5}. "
        "Das {6} von {7} gilt z. B. für {8}."
    )
    kinds = [s.kind for s in masked.spans]
    assert kinds == [
        "date", "phone number", "URL or e-mail address", "inline markup",
        "URL or e-mail address", "inline markup", "term", "name", "placeholder",
    ]  # fmt: skip
    text, problems = Protector.restore(masked, masked.text.replace("{8}.", "{8} {9}."))
    assert "parents' café" in text and problems == ["invented '{9}'"]
    swapped = masked.text.replace("{5}", "").replace("{3}", "{5}{3}")  # </a> before <a href>
    text, problems = Protector.restore(masked, swapped)
    assert "<a" not in text and "www.example.org/eltern_info." in text
    assert problems == ["inline markup lost or out of order: written without it"]


def test_sentences_are_cut_and_joined_back_exactly() -> None:
    text = "  Erster Satz, z. B. mit Nr. 5. Zweiter Satz! „Dritter“ folgt.\n\nNeu: {0}. {1} hier  "
    parts = split_text(text)
    assert [s for s, _ in parts if s] == [
        "Erster Satz, z. B. mit Nr. 5.",
        "Zweiter Satz!",
        "„Dritter“ folgt.",
        "Neu: {0}.",
        "{1} hier",
    ]
    assert "".join(s + sep for s, sep in parts) == text


def test_terms_file_is_validated_with_lines(project: Path) -> None:
    (project / "source" / "mt-terms.yaml").write_text(
        "keep: [Kreis Warendorf]\nkeep_forms:\n  Kreises Warendorf: Kreis Borken\nterms:\n"
        "  xx:\n    Eltern: parents\n",
        encoding="utf-8",
    )
    result = run(project, "translate")
    assert result.exit_code == 2
    assert "source/mt-terms.yaml:3: 'Kreis Borken' is not listed in keep" in result.output
    assert "source/mt-terms.yaml:5: terms.xx: unknown language code 'xx'" in result.output


def test_the_repositorys_terms_file_is_valid(repo_project: Path) -> None:
    from brochures.translation.translate import load_terms

    terms = load_terms(load_project(repo_project))
    assert "Kess erziehen" in terms.keep and "Kreis Warendorf" in terms.keep


def test_without_argostranslate_translate_says_how_to_install_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "argostranslate", None)
    monkeypatch.setitem(sys.modules, "argostranslate.package", None)
    result = run(project, "translate")
    assert result.exit_code == 2
    assert "argostranslate is not installed" in result.output
    assert ".[translate]" in result.output and "torch" not in result.output.replace("no torch", "")
    assert run(project, "models", "list").exit_code == 2


# ---- installing from the package index ----


@pytest.fixture
def index_server(packages: dict[str, Path]) -> Iterator[str]:
    """A package index on this machine, offering de→fr (and a de→it that holds de→en)."""
    files = {"/de_fr": packages["de_fr"].read_bytes(), "/de_it": packages["de_en"].read_bytes()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            index = [
                {"from_code": "de", "to_code": lang, "links": [f"{base}/de_{lang}"]}
                for lang in ("fr", "it")
            ]
            body = json.dumps(index).encode() if self.path == "/index.json" else files[self.path]
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.json"
    server.shutdown()
    server.server_close()


def test_online_install_fails_fast_and_clearly_without_a_network(
    models_dir: Path, basic: Path
) -> None:
    start = time.monotonic()
    result = run(basic, "models", "install", "--online", "fr")
    assert result.exit_code == 2
    assert "cannot fetch http://127.0.0.1:9/index.json" in result.output
    assert "brochures models install PATH.argosmodel" in result.output
    assert time.monotonic() - start < 5


def test_online_install_gives_up_on_a_server_that_never_answers(models_dir: Path) -> None:
    from brochures.errors import EnvironmentProblem
    from brochures.translation.models import install_online

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    start = time.monotonic()
    with pytest.raises(EnvironmentProblem, match=r"timed out|no answer"):
        install_online("fr", f"http://127.0.0.1:{silent.getsockname()[1]}/index.json", 0.5)
    assert time.monotonic() - start < 3
    silent.close()


def test_online_install_fetches_from_an_index(models_dir: Path, index_server: str) -> None:
    from brochures.translation.models import PackageError, install_online, installed

    with pytest.raises(PackageError, match="holds de→en, the index said de→it"):
        install_online("it", index_server, 5)
    done = install_online("fr", index_server, 5)
    assert [(m.source, m.target, m.version) for m, _ in done] == [("de", "fr", "1.0")]
    assert [(m.source, m.target) for m in installed()] == [("de", "fr")]
    assert install_online("fr", index_server, 5) == []  # already there


def test_sigkill_during_translate_keeps_every_saved_translation(
    project: Path, packages: dict[str, Path], tmp_path: Path
) -> None:
    """Kill `brochures translate` (a fresh process, real models) at several moments: every
    catalog still parses, a translator's reviewed entry is intact, and a final run completes."""
    home = tmp_path / "argos"
    for package in packages.values():
        with zipfile.ZipFile(package) as archive:
            archive.extractall(home / "packages")
    env = {
        **os.environ,
        "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
    }
    edit(project, EN, {"eltern-informieren/wichtig": ("Reviewed by a person.", False, None)})
    command = [sys.executable, "-m", "brochures", "--project", str(project), "translate"]
    for delay in (1.5, 2.5, 3.5):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for rel in (EN, "ar/LC_MESSAGES/messages.po"):
            path = project / "locales" / rel
            assert (
                subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0
            )
            assert entry(catalog(project, EN), "eltern-informieren/wichtig").msgstr == (
                "Reviewed by a person."
            )
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    en = catalog(project, EN)
    assert entry(en, "eltern-informieren/wichtig").msgstr == "Reviewed by a person."
    assert entry(en, "eltern-informieren/beratung").msgstr  # filled by the engine after all
