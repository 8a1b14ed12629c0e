"""The office's everyday work: the next step named, texts listed, exact matches reused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from conftest import run
from test_catalogs import edit, entry, po, translate

from brochures.cli import cli


def flat(text: str) -> str:
    return " ".join(text.split())


def test_first_update_of_a_language_lists_its_texts(basic: Path) -> None:
    result = run(basic, "catalog", "update")
    assert result.exit_code == 0, result.output
    assert re.search(r"^ar: new catalog with \d+ texts to translate:$", result.output, re.M)
    assert "  brochure:eltern/title  Schule verstehen\n" in result.output
    assert "  eltern-informieren/wichtig  Folglich ist es wichtig, Eltern früh zu …" in (
        result.output
    )
    assert "\n  Ziel des Kreises\n" in result.output  # a template string: its id is its German
    assert "next: translate the new and outdated texts" in result.output
    again = run(basic, "catalog", "update")
    assert "new catalog" not in again.output
    assert "all 3 catalogs up to date" in again.output


def test_update_says_what_it_added_outdated_and_made_obsolete(catalogued: Path) -> None:
    translate(catalogued, "ar/LC_MESSAGES/messages.po", {"eltern-informieren/wandel": "قد يساعد"})
    concept = catalogued / "source" / "konzept.yaml"
    edit(concept, "Ein Elternkurs kann ebenfalls helfen.", "Ein Elternkurs hilft auch.")
    edit(
        concept,
        "              - id: auskunft\n"
        "                text: Auskunft unter 0251 123456 oder www.example.org.\n",
        "              - id: neu-dabei\n                text: Ein ganz neuer Satz.\n",
    )
    translate(
        catalogued,
        "ar/LC_MESSAGES/messages.po",
        {"jugendliche-foerdern/auskunft": "معلومات على 0251 123456 أو www.example.org."},
    )
    check = run(catalogued, "catalog", "update", "--check")
    assert check.exit_code == 1
    result = run(catalogued, "catalog", "update")
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0]: line for line in result.output.splitlines() if ": " in line}
    assert lines["ar"] == (
        "ar: 1 added (jugendliche-foerdern/neu-dabei); "
        "1 outdated (eltern-informieren/wandel); 1 obsolete (jugendliche-foerdern/auskunft)"
    )
    assert lines["en"] == "en: 1 added (jugendliche-foerdern/neu-dabei)"  # nothing translated


def test_identical_german_is_reused_as_a_draft_naming_its_source(catalogued: Path) -> None:
    translate(catalogued, "ar/LC_MESSAGES/messages.po", {"brochure:jugend/audience": "الشباب"})
    brochures = catalogued / "source" / "brochures"
    (brochures / "neu.yaml").write_text(
        "id: neu\ntitle: Neuer Flyer\naudience: Jugendliche\nformat: a4-flyer\n"
        "goals: [jugendliche-foerdern]\n",
        encoding="utf-8",
    )
    (brochures / "andere.yaml").write_text(
        "id: andere\ntitle: Anderer Flyer\naudience: Jugendliche und Eltern\n"
        "format: a4-flyer\ngoals: [jugendliche-foerdern]\n",
        encoding="utf-8",
    )
    result = run(catalogued, "catalog", "update")
    assert result.exit_code == 0, result.output
    assert (
        "1 draft copied from the same German text "
        "(brochure:neu/audience ← brochure:jugend/audience)" in result.output
    )
    catalog = po(catalogued)
    copied = entry(catalog, "brochure:neu/audience")
    assert copied.msgstr == "الشباب"
    assert "fuzzy" in copied.flags and not copied.previous_msgid  # unreviewed, not outdated
    assert "draft copied from brochure:jugend/audience" in " ".join(copied.tcomment.split())
    assert entry(catalog, "brochure:andere/audience").msgstr == ""  # similar is not identical
    assert entry(catalog, "brochure:jugend/audience").msgstr == "الشباب"  # the source untouched
    assert entry(catalog, "brochure:jugend/audience").flags == []
    english = entry(po(catalogued, "en/LC_MESSAGES/messages.po"), "brochure:neu/audience")
    assert english.msgstr == ""  # nothing to copy from in English
    assert run(catalogued, "catalog", "update", "--check").exit_code == 0


def test_build_names_the_next_step_for_languages_without_catalogs(basic: Path) -> None:
    result = run(basic, "build", "--brochure", "jugend", "--edition", "single")
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "skipped jugend.en: no catalog yet: run `brochures catalog update`" in output
    assert (
        "the catalogs are behind the sources (ar en: no catalog yet): "
        "run `brochures catalog update`" in output
    )
    assert run(basic, "catalog", "update").exit_code == 0
    result = run(basic, "build", "--brochure", "jugend", "--edition", "single", "--lang", "ar")
    output = flat(result.output)
    assert (
        "skipped jugend.ar: no translations yet: translate locales/ar/LC_MESSAGES/messages.po"
        in output
    )
    assert "behind the sources" not in output


def test_status_says_when_catalogs_are_behind(catalogued: Path) -> None:
    assert "behind" not in run(catalogued, "status").output
    edit(catalogued / "source" / "brochures" / "jugend.yaml", "title: Guter Abschluss", "title: X")
    result = run(catalogued, "status", "--lang", "ar")
    assert (
        "the catalogs are behind the sources (ar: 1 changed): run `brochures catalog "
        "update`" in flat(result.output)
    )


def test_status_lists_the_texts_of_a_language_and_brochure(catalogued: Path) -> None:
    path = catalogued / "locales" / "ar" / "LC_MESSAGES" / "messages.po"
    translate(catalogued, "ar/LC_MESSAGES/messages.po", {"brochure:jugend/title": "خاتمة جيدة"})
    catalog = polib.pofile(str(path))
    entry(catalog, "brochure:jugend/title").tcomment = "reviewed by Amira, 2026-01-02"
    catalog.save(str(path))
    translate(catalogued, "ar/LC_MESSAGES/messages.po", {"jugendliche-foerdern": "دعم"}, fuzzy=True)
    result = run(catalogued, "status", "--lang", "ar", "--brochure", "jugend", "--texts", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert rows["brochure:jugend/title"]["state"] == "reviewed"
    assert rows["brochure:jugend/title"]["reviewer"] == "Amira"
    assert rows["brochure:jugend/title"]["reviewed_on"] == "2026-01-02"
    assert rows["jugendliche-foerdern"]["state"] == "unreviewed"
    assert rows["jugendliche-foerdern/chancen"] == {
        "id": "jugendliche-foerdern/chancen",
        "state": "missing",
        "german": "Ein Abschluss verbessert die Chancen auf eine Ausbildung.",
        "translation": "",
        "brochures": ["jugend"],
        "occurrences": [rows["jugendliche-foerdern/chancen"]["occurrences"][0]],
        "reviewer": None,
        "reviewed_on": None,
    }
    assert rows["jugendliche-foerdern/chancen"]["occurrences"][0].startswith("source/konzept")
    assert "brochure:eltern/title" not in rows  # the other brochure's own text
    assert "eltern-informieren/wichtig" not in rows
    shared = [r for r in rows.values() if r["id"] == r["german"]]  # template strings
    assert shared and all(r["brochures"] == ["eltern", "jugend"] for r in shared)
    everything = run(catalogued, "status", "--lang", "ar", "--texts", "--json")
    all_ids = {row["id"] for row in json.loads(everything.output)}
    assert {"brochure:eltern/title", "brochure:jugend/title"} <= all_ids
    todo = run(catalogued, "status", "--lang", "ar", "--texts", "--state", "missing", "--json")
    assert {row["state"] for row in json.loads(todo.output)} == {"missing"}
    table = run(catalogued, "status", "--lang", "ar", "--brochure", "jugend", "--texts")
    assert table.exit_code == 0
    assert re.search(r"brochure:jugend/title +reviewed +Amira, 2026-01-02 +jugend", table.output)
    assert " Ein Abschluss verbessert die Chancen auf eine …" in table.output  # shortened
    assert re.search(r"\d+ texts$", table.output.strip())


def test_status_texts_needs_one_language(catalogued: Path) -> None:
    result = run(catalogued, "status", "--texts")
    assert result.exit_code == 2
    assert "--texts lists one language" in result.output
    wrong = run(catalogued, "status", "--texts", "--lang", "ar", "--brochure", "nope")
    assert wrong.exit_code == 2
    assert "unknown brochure 'nope'" in wrong.output


def test_next_steps_in_german(basic: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--project", str(basic), "catalog", "update"], env={"LANG": "de_DE.UTF-8"}
    )
    assert re.search(r"^ar: neuer Katalog mit \d+ zu übersetzenden Texten:$", result.output, re.M)
    assert "als Nächstes: die neuen und veralteten Texte übersetzen" in result.output


def test_page_fit_names_the_block_how_much_and_the_way_out(catalogued: Path) -> None:
    translate(catalogued, "en/LC_MESSAGES/messages.po", {"brochure:jugend/title": "Good grades"})
    long = " ".join(["Ein sehr langer Absatz, der die Seite füllt."] * 60)
    flyer = catalogued / "source" / "brochures" / "jugend.yaml"
    flyer.write_text(
        flyer.read_text(encoding="utf-8")
        + f"intro: |\n  Kurz.\n\n  {long}\n\n  {long}\n\n  {long} Ende.\n",
        encoding="utf-8",
    )
    assert run(catalogued, "catalog", "update").exit_code == 0
    result = run(
        catalogued, "build", "--brochure", "jugend", "--lang", "de", "--lang", "en",
        "--edition", "single", "--jobs", "1",
    )  # fmt: skip
    assert result.exit_code == 1
    output = flat(result.output)
    for lang in ("de", "en"):
        found = re.search(
            rf"jugend\.{lang}: content does not fit the a4-flyer format: [34] pages, at most 2; "
            r"page 3 begins with [\w.-]+ “[^”]*” "
            r"\(in [\w-]+\); about (\d+) mm of content more than fits\. Way out: shorten that "
            r"text .*?, present fewer goals \(`goals:` of the brochure file\), or choose a "
            r"larger format",
            output,
        )
        assert found, output
        assert 5 < int(found[1]) < 297
    assert "jugend does not fit its format in: de, en" in output


ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Debian's libgs-common


def test_print_report_after_a_print_build(basic: Path) -> None:
    args = ["build", "--profile", "print", "--lang", "de", "--edition", "single", "--jobs", "1"]
    result = run(basic, *args)
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "Print report (build/print/)" in output
    assert re.search(
        r"eltern \(single\): de │ 148 × 210 mm │ 3 mm │ 4 \(1 sheet\) │ no │ none", output
    )
    assert re.search(r"jugend \(single\): de │ 210 × 297 mm │ 3 mm │ 1 │ no │ none", output)
    assert "not PDF/X: no print_color_profile in source/project.yaml" in output
    assert "FOGRA51" in output and "RGB" not in output
    settings = basic / "source" / "project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"print_color_profile: {ICC}\n", encoding="utf-8"
    )
    result = run(basic, *args)
    output = flat(result.output)
    assert re.search(r"│ 4 \(1 sheet\) │ PDF/X-4 │ Artifex CMYK SWOP Profile │ DeviceCMYK", output)
    assert "not PDF/X" not in output


def test_print_pdfs_blend_in_cmyk_and_the_report_finds_rgb(basic: Path) -> None:
    from pypdf import PdfReader

    from brochures.publishing.printreport import read_facts

    args = ["build", "--brochure", "eltern", "--lang", "de", "--edition", "single", "--jobs", "1"]
    assert run(basic, *args, "--profile", "all").exit_code == 0
    printed = basic / "build/print/eltern/eltern.de.pdf"
    groups = []
    for page in PdfReader(printed).pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            group = xobject.get_object().get("/Group")
            if group is not None:
                groups.append(group.get("/CS"))
    assert set(groups) <= {"/DeviceCMYK"}  # WeasyPrint writes /DeviceRGB
    facts = read_facts(printed)
    assert facts.spaces == ["DeviceCMYK"] and facts.rgb == []
    assert facts.trim_mm == (148.0, 210.0) and facts.bleed_mm == 3.0 and facts.pages == 4
    screen = read_facts(basic / "build/pdf/eltern/eltern.de.pdf")  # RGB by design
    assert "DeviceRGB" in screen.spaces
    assert any("colour set in DeviceRGB" in where for where in screen.rgb)


def test_transparency_groups_blend_in_cmyk_in_print(tmp_path: Path) -> None:
    """WeasyPrint gives every transparency group (here: opacity) an RGB blending space; the
    print profile's finisher makes it DeviceCMYK, and the print report sees either."""
    import weasyprint

    from brochures.publishing.printreport import read_facts
    from brochures.rendering.pdf import cmyk_blending

    html = (
        "<style>@page { size: A5 } p { opacity: 0.5; color: device-cmyk(0 0 0 1) }</style>"
        "<p>Hallo</p>"
    )
    plain, fixed = tmp_path / "plain.pdf", tmp_path / "fixed.pdf"
    weasyprint.HTML(string=html).write_pdf(plain)
    weasyprint.HTML(string=html).write_pdf(fixed, finisher=cmyk_blending)
    assert any("transparency group blends in DeviceRGB" in w for w in read_facts(plain).rgb)
    facts = read_facts(fixed)
    assert facts.rgb == [] and facts.spaces == ["DeviceCMYK"]


def test_list_shows_each_brochures_languages(basic: Path) -> None:
    flyer = basic / "source" / "brochures" / "jugend.yaml"
    flyer.write_text(flyer.read_text(encoding="utf-8") + "languages: [de, ar]\n", encoding="utf-8")
    output = run(basic, "list").output
    assert re.search(r"eltern .*\n    languages: de en ar\n", output)
    assert re.search(r"jugend .*\n    languages: de ar\n", output)


def test_one_german_notice_and_dates_in_the_language_of_their_sentence(
    catalogued: Path,
) -> None:
    from pypdf import PdfReader

    # English: the title translated, the notice and the "Fassung vom" sentences not yet
    translate(catalogued, "en/LC_MESSAGES/messages.po", {"brochure:eltern/title": "School"})
    translate(catalogued, "ar/LC_MESSAGES/messages.po", {"Fassung vom %(date)s": "نسخة %(date)s"})
    args = ["build", "--brochure", "eltern", "--edition", "single", "--jobs", "1"]
    assert run(catalogued, *args, "--lang", "en", "--lang", "ar").exit_code == 0
    english = " ".join(
        page.extract_text()
        for page in PdfReader(catalogued / "build/pdf/eltern/eltern.en.pdf").pages
    )
    assert english.count("Diese Übersetzung wurde noch nicht vollständig geprüft") == 1
    # the footer's sentence is German (not translated yet): its date too, not "Jun 30, 2021"
    assert "School · Fassung vom 30. Juni 2021" in " ".join(english.split())
    assert "Jun 30, 2021" not in english
    arabic = PdfReader(catalogued / "build/pdf/eltern/eltern.ar.pdf").pages[1].extract_text()
    assert "يونيو30 نسخة" in arabic or "30 يونيو" in arabic  # the Arabic long date


def test_doctor_names_the_venvs_pip_and_the_print_profile(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import sys

    from brochures import doctor

    real = importlib.util.find_spec
    monkeypatch.setattr(
        doctor.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "argostranslate" else real(name, *a),
    )
    findings = {f.what: f for f in doctor.diagnose(basic, ["de"])}
    hint = findings["argostranslate (for brochures translate)"].fix
    assert hint.endswith("bin/pip install -e '.[translate]'")
    if Path(sys.prefix) == Path.cwd() / ".venv":
        assert hint == ".venv/bin/pip install -e '.[translate]'"
    profile = findings["print colour profile (PDF/X-4 for the print shop)"]
    assert not profile.ok and profile.optional
    assert "FOGRA51" in profile.fix and "FOGRA39" in profile.fix and "eci.org" in profile.fix
    assert "print_color_profile:" in profile.fix
    named = {f.what: f for f in doctor.diagnose(basic, ["de"], str(ICC))}
    assert named["print colour profile (PDF/X-4 for the print shop)"].ok
