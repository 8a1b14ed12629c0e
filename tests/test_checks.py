"""Message checks between German and translations, and what the build and `check` do with them."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from conftest import run
from pdfinspect import text

from brochures.translation.messages import message_issues

CASES = {
    "placeholder-lost": (
        "Stand: %(title)s, Fassung vom %(date)s",
        "As of: %(title)s",
        "error",
        "placeholders: missing %(date)s",
    ),
    "tag-lost": (
        "Die <strong>Bedarfe</strong> zählen.",
        "The needs count.",
        "error",
        "inline tags: missing </strong>, <strong>",
    ),
    "link-changed": (
        'Siehe <a href="https://a.example">hier</a>.',
        'See <a href="https://b.example">here</a>.',
        "error",
        "inline tags",
    ),
    "url-lost": (
        "Infos unter www.example.org.",
        "Information online.",
        "error",
        "URLs and e-mail addresses: missing www.example.org",
    ),
    "number-changed": (
        "Rufen Sie 0251 123 an.",
        "Call 0251 124.",
        "error",
        "numbers: missing 123; unexpected 124",
    ),
    "identical": ("Elterncafé", "Elterncafé", "warning", "identical"),
    "punctuation": ("Fragen Sie nach.", "Ask", "warning", "ending punctuation"),
}


@pytest.mark.parametrize(
    ("msgid", "msgstr", "severity", "expected"), CASES.values(), ids=CASES.keys()
)
def test_message_checks_find_what_translation_broke(msgid, msgstr, severity, expected) -> None:
    issues = message_issues(msgid, msgstr)
    assert any(i.severity == severity and str(i).startswith(expected) for i in issues), issues


def test_arabic_digits_count_as_the_same_number() -> None:
    assert message_issues("Rufen Sie 0251 an.", "اتصلوا بالرقم ٠٢٥١.") == []


def test_good_translation_passes() -> None:
    assert (
        message_issues(
            "Stand: %(title)s, Fassung vom %(date)s", "As of: %(title)s, version of %(date)s"
        )
        == []
    )


def set_entry(project: Path, lang: str, key: str, msgstr: str, fuzzy: bool) -> None:
    path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        if (e.msgctxt or e.msgid) == key:
            e.msgstr = msgstr
            e.flags = [f for f in e.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
    catalog.save(str(path))


def test_unreviewed_translation_failing_a_check_falls_back_to_german(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    set_entry(basic, "en", "eltern-informieren/beratung", "Counselling follows needs.", fuzzy=True)
    set_entry(basic, "en", "jugendliche-foerdern/chancen", "A degree helps.", fuzzy=True)
    result = run(basic, "build", "--lang", "en", "--edition", "single", "--brochure", "eltern")
    assert result.exit_code == 0, result.output
    content = text(basic / "build/pdf/eltern/eltern.en.pdf")
    assert "Die Beratung richtet sich nach den Bedarfen der Eltern." in content
    assert "Counselling follows needs." not in content
    checked = run(basic, "check", "--json")
    assert checked.exit_code == 1
    rows = json.loads(checked.output)["messages"]
    assert {(r["lang"], r["context"], r["severity"], r["check"]) for r in rows} == {
        ("en", "eltern-informieren/beratung", "error", "inline tags")
    }


def test_reviewed_translation_failing_a_check_keeps_the_language_out_of_print(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales/en/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        e.msgstr = e.msgid.replace("Bedarfen", "needs")
        e.flags = [f for f in e.flags if f != "fuzzy"]
    catalog.save(str(path))
    set_entry(basic, "en", "Stand: %(title)s, Fassung vom %(date)s", "As of %(title)s", fuzzy=False)
    result = run(basic, "build", "--reviewed-only", "--lang", "en", "--edition", "single")
    assert result.exit_code == 0, result.output
    assert "failing message checks" in result.output
    assert not (basic / "build/pdf/eltern/eltern.en.pdf").exists()
    result = run(basic, "build", "--lang", "en", "--lang", "de", "--edition", "single")
    assert result.exit_code == 1
    assert (
        "reviewed translation of Stand: %(title)s, Fassung vom %(date)s fails a message check: "
        "placeholders: missing %(date)s" in " ".join(result.output.split())
    )
    assert (basic / "build/pdf/eltern/eltern.de.pdf").exists()  # the other jobs still ran
    assert not (basic / "build/pdf/eltern/eltern.en.pdf").exists()


# ---- the glyph gate's font facts, kept in the user cache ----


@pytest.fixture
def font_cache(tmp_path: Path, monkeypatch) -> Path:
    from brochures.rendering import checks

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for cached in (checks._cmap, checks._font_files, checks.fontconfig_stamp):
        cached.cache_clear()
    yield tmp_path / "cache" / "brochures" / "fonts"
    for cached in (checks._cmap, checks._font_files, checks.fontconfig_stamp):
        cached.cache_clear()


def test_a_font_files_characters_are_kept_until_the_file_changes(
    font_cache: Path, tmp_path: Path
) -> None:
    import os

    from fontTools.ttLib import TTFont

    from brochures.rendering import checks

    arabic, latin = checks.font_file("Noto Naskh Arabic"), checks.font_file("DejaVu Sans")
    assert arabic and latin
    font = tmp_path / "font.ttf"
    font.write_bytes(Path(arabic).read_bytes())
    first = checks._cmap(str(font))
    assert first == frozenset(TTFont(arabic).getBestCmap())
    assert 0x0627 in first  # ARABIC LETTER ALEF
    assert len(list(font_cache.glob("cmap-*.json"))) == 1
    checks._cmap.cache_clear()
    assert checks._cmap(str(font)) == first  # from the user cache
    font.write_bytes(Path(latin).read_bytes())  # another font under the same name
    os.utime(font, ns=(1, 1))
    checks._cmap.cache_clear()
    second = checks._cmap(str(font))
    assert second == frozenset(TTFont(latin).getBestCmap()) != first
    assert len(list(font_cache.glob("cmap-*.json"))) == 2


def test_fontconfig_answers_are_kept_until_a_font_folder_changes(
    font_cache: Path, tmp_path: Path, monkeypatch
) -> None:
    import subprocess

    from brochures.rendering import checks

    folder = tmp_path / "fonts"
    folder.mkdir()
    monkeypatch.setattr(checks, "FONT_DIRS", (folder,))
    checks.fontconfig_stamp.cache_clear()
    stamp = checks.fontconfig_stamp()
    assert checks.font_file("Noto Sans").endswith(".ttf")
    assert checks.font_file("No Such Family") is None
    asked = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        asked.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    checks._font_files.cache_clear()
    assert checks.font_file("Noto Sans").endswith(".ttf")
    assert checks.font_file("No Such Family") is None
    assert asked == []  # both answers came from the user cache
    (folder / "new-package").mkdir()  # a font package installed
    for cached in (checks._font_files, checks.fontconfig_stamp):
        cached.cache_clear()
    assert checks.fontconfig_stamp() != stamp
    assert checks.font_file("Noto Sans").endswith(".ttf")
    assert [a[0] for a in asked] == ["fc-match"]  # asked fontconfig again


def test_check_on_an_up_to_date_project_reuses_what_the_build_measured(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import snapshot

    from brochures.rendering.pdf import PdfRenderer

    assert run(basic, "build", "--jobs", "1").exit_code == 0
    manifest = json.loads((basic / "build/manifest.json").read_text(encoding="utf-8"))["pdfs"]
    before = snapshot(basic / "build")
    real_render = PdfRenderer.render

    def no_layout(*args, **kwargs):
        raise AssertionError("an up-to-date PDF was laid out again")

    monkeypatch.setattr(PdfRenderer, "render", no_layout)
    checked = run(basic, "check", "--json")
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert [(p["job"], p["pages"], p["bytes"], p["checked"]) for p in report["pdfs"]] == [
        (f"{e['brochure']}.de", e["pages"], e["bytes"], "last build") for e in manifest
    ]
    assert report["gates"] == []
    assert {(x["job"], x["why"]) for x in report["left_out"]} == {
        (f"{b}.{lang}", "no catalog yet: run `brochures catalog update`")
        for b in ("eltern", "jugend")
        for lang in ("en", "ar", "de+en", "de+ar")
    }
    assert snapshot(basic / "build") == before  # nothing written

    # a changed brochure: its PDF is laid out and checked now, the other one is still reused
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("Schule verstehen", "Schule kennen"),
        encoding="utf-8",
    )
    laid_out = []

    def counting(self, html, **kwargs):
        laid_out.append(html)
        return real_render(self, html, **kwargs)

    monkeypatch.setattr(PdfRenderer, "render", counting)
    report = json.loads(run(basic, "check", "--json").output)
    assert {p["job"]: p["checked"] for p in report["pdfs"]} == {
        "eltern.de": "now",
        "jugend.de": "last build",
    }
    assert len(laid_out) == 1 and "Schule kennen" in laid_out[0]
    text_output = run(basic, "check").output
    assert "eltern.de" in text_output and "German original" in text_output
    assert "0 errors, 0 warnings" in text_output


def test_check_lays_out_changed_screen_pdfs_and_lists_changed_print_pdfs(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    set_entry(basic, "en", "brochure:jugend/title", "A good school-leaving certificate", fuzzy=True)
    built = run(basic, "build", "--jobs", "1", "--brochure", "jugend", "--profile", "all")
    assert built.exit_code == 0, built.output
    set_entry(basic, "en", "brochure:jugend/title", "A good certificate", fuzzy=True)
    report = json.loads(run(basic, "check", "--json").output)
    rows = {p["job"]: p for p in report["pdfs"]}
    assert rows["jugend.de"]["checked"] == "last build"
    assert rows["print:jugend.de"]["checked"] == "last build"
    assert rows["jugend.en"]["checked"] == rows["jugend.de+en"]["checked"] == "now"
    assert rows["print:jugend.en"]["checked"] == "changed"  # the next build checks it
    assert rows["print:jugend.en"]["accessibility"] is None  # the gate is for screen PDFs
    assert rows["jugend.en"]["review"]["unreviewed"] == 1
    assert rows["jugend.en"]["german"] > 0  # the untranslated texts are shown in German
    text_output = " ".join(run(basic, "check").output.split())
    assert "changed: inputs changed since the last build; `brochures build` checks them" in (
        text_output
    )
