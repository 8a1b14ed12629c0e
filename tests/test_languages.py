"""Other languages in the PDFs: RTL layout, LTR islands, German fallbacks and the review notice,
the Tigrinya script, the bilingual edition, `--reviewed-only` and `status`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import polib
import pytest
from babel import Locale
from conftest import run
from fontTools.ttLib import TTFont
from pdfinspect import metadata, text
from pypdf import PdfReader

ARABIC = "تجريبي"


def fill(project: Path, lang: str, make, fuzzy: bool = False, skip: tuple[str, ...] = ()) -> None:
    """Translate every entry of a catalog with `make(entry)`, as reviewed (or fuzzy drafts)."""
    path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        if (e.msgctxt or e.msgid) in skip:
            continue
        e.msgstr = make(e)
        e.flags = [f for f in e.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
    catalog.save(str(path))


PROTECTED = re.compile(r"(<[^>]+>|%\(\w+\)s|(?:https?://|www\.)\S+[\w/]|[\w.+-]+@[\w.-]+\w)")


def pseudo(*words: str):
    """A pseudo-translation: every German word becomes one of `words`; markup, placeholders,
    numbers, URLs, punctuation and paragraphs stay as they are (so message checks pass)."""
    cycle = iter(words * 1000)

    def make(e: polib.POEntry) -> str:
        parts = PROTECTED.split(e.msgid)
        return "".join(
            part if i % 2 else re.sub(r"[^\W\d_]+", lambda _: next(cycle), part)
            for i, part in enumerate(parts)
        )

    return make


@pytest.fixture
def arabic(basic: Path) -> Path:
    assert run(basic, "catalog", "update").exit_code == 0
    fill(basic, "ar", pseudo(ARABIC), skip=("eltern-informieren/wandel",))
    path = basic / "locales/ar/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        if e.msgctxt == "jugendliche-foerdern/auskunft":
            e.msgstr = "للاستفسار: 0251 123456 أو www.example.org."
        if e.msgctxt == "brochure:eltern/intro":
            e.msgstr = "مرحبا\n\nفقرة ثانية"
    catalog.save(str(path))
    return basic


def pdf(project: Path, name: str) -> Path:
    return project / "build" / "pdf" / name.split(".")[0] / f"{name}.pdf"


def test_arabic_pdf_is_rtl_with_ltr_islands_notice_and_fallback(arabic: Path) -> None:
    result = run(arabic, "build", "--lang", "ar", "--edition", "single")
    assert result.exit_code == 0, result.output
    assert (
        "eltern.ar: 1 text shown in German (outdated or missing): eltern-informieren/wandel"
        in " ".join(result.output.split())
    )
    flyer = text(pdf(arabic, "jugend.ar"))
    assert "0251 123456" in flyer  # not reordered to "123456 0251"
    assert "www.example.org" in flyer
    path = pdf(arabic, "eltern.ar")
    assert metadata(path)["/Lang"] == "ar"
    content = text(path)
    pages = int(metadata(path)["pages"])
    assert pages % 4 == 0  # a booklet is padded to a multiple of four pages
    numbered = [n for n in range(2, pages + 1) if re.search(r"\d ?/ ?\d", text(path, page=n))]
    assert numbered == list(range(2, len(numbered) + 2))  # then unnumbered notes pages, back
    own = len(numbered) + 2  # "x / y" counts the brochure's own pages (with both covers)
    for number in numbered:  # page numbers stay left-to-right: "2/3", not "3/2"
        assert re.search(rf"\b{number} ?/ ?{own}\b", text(path, page=number))
    assert "Diese Übersetzung wurde noch nicht vollständig geprüft." in content  # notice, German
    assert "Ein Elterncafé kann helfen." in content  # the German fallback of the missing entry
    assert "العربية" in content  # the language's name in its own script on the cover
    with pdfplumber.open(path) as document:
        page = document.pages[1]
        words = [w for w in page.extract_words() if w["text"] in ("مرحبا", "ابحرم")]
        assert words, page.extract_text()
        right_margin = float(page.width) - 15 / 25.4 * 72
        assert abs(words[0]["x1"] - right_margin) < 3  # right-aligned
        assert words[0]["x0"] > float(page.width) / 2


def test_fallback_is_marked_german_in_the_html(arabic: Path) -> None:
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.translation.catalogs import load_texts

    project = load_project(arabic)
    env = render.environment(project.template_dirs, default_templates())
    page = render.render_html(
        env, project.content("eltern"), language("ar"), load_texts(project, "ar")
    )
    assert '<html lang="ar" dir="rtl">' in page.html
    assert (
        '<span lang="de" dir="ltr" class="fallback">Ein Elterncafé kann helfen. '
        "Ein Elternkurs kann ebenfalls helfen.</span>"
    ) in page.html
    assert "Noto Naskh Arabic" in page.html
    flyer = render.render_html(
        env, project.content("jugend"), language("ar"), load_texts(project, "ar")
    )
    assert '<bdi dir="ltr">0251 123456</bdi>' in flyer.html
    assert '<bdi dir="ltr">www.example.org</bdi>' in flyer.html


def test_tigrinya_pdf_has_every_glyph(basic: Path) -> None:
    settings = basic / "source/project.yaml"
    settings.write_text(settings.read_text().replace("[de, en, ar]", "[de, en, ar, ti]"))
    assert run(basic, "catalog", "update").exit_code == 0
    ti = Locale.parse("ti")  # real Tigrinya words from CLDR, not invented
    words = [
        ti.languages["ti"],
        *ti.months["format"]["wide"].values(),
        *ti.days["format"]["wide"].values(),
    ]
    sample = " ".join(words)
    fill(basic, "ti", pseudo(*words))
    assert run(basic, "build", "--lang", "ti", "--brochure", "eltern").exit_code == 0
    path = pdf(basic, "eltern.ti")
    content = text(path)
    for word in words:
        assert word in content
    covered: set[int] = set()
    names = []
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.append(str(font["/BaseFont"]))
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            import io

            covered |= set(TTFont(io.BytesIO(data)).getBestCmap() or {})
    needed = {ord(c) for c in sample if not c.isspace()}
    assert needed <= covered, [hex(c) for c in needed - covered]
    assert any("Ethiopic" in n for n in names), names


def test_bilingual_edition_has_both_languages_on_one_page(arabic: Path) -> None:
    result = run(arabic, "build", "--lang", "ar", "--edition", "bilingual")
    assert result.exit_code == 0, result.output
    path = pdf(arabic, "eltern.de+ar")
    assert path.exists() and not pdf(arabic, "eltern.ar").exists()
    page_text = text(path, page=2)
    assert "Folglich ist es wichtig" in page_text
    assert ARABIC in page_text
    sizes = {(round(p.mediabox.width), round(p.mediabox.height)) for p in PdfReader(path).pages}
    assert sizes == {(420, 595)}  # A5, whatever the brochure's own format


def test_flyer_bilingual_edition_is_an_a5_booklet(arabic: Path) -> None:
    assert run(arabic, "build", "--lang", "ar", "--brochure", "jugend").exit_code == 0
    sizes = {
        (round(p.mediabox.width), round(p.mediabox.height))
        for p in PdfReader(pdf(arabic, "jugend.de+ar")).pages
    }
    assert sizes == {(420, 595)}
    assert {
        (round(p.mediabox.width), round(p.mediabox.height))
        for p in PdfReader(pdf(arabic, "jugend.ar")).pages
    } == {(595, 842)}


def test_reviewed_only_builds_only_complete_languages(arabic: Path) -> None:
    fill(arabic, "en", pseudo("English", "text"))
    result = run(arabic, "build", "--reviewed-only", "--edition", "single")
    assert result.exit_code == 0, result.output
    assert pdf(arabic, "eltern.en").exists() and pdf(arabic, "eltern.de").exists()
    assert not pdf(arabic, "eltern.ar").exists()
    assert "skipped eltern.ar: not fully reviewed (1 missing)" in result.output
    assert "Diese Übersetzung" not in text(pdf(arabic, "eltern.en"))  # no notice when reviewed


def test_drafts_are_used_but_disclosed(arabic: Path) -> None:
    fill(arabic, "en", pseudo("Draft", "text"), fuzzy=True)
    assert run(arabic, "build", "--lang", "en", "--edition", "single").exit_code == 0
    content = text(pdf(arabic, "eltern.en"))
    assert "Draft text" in content
    assert "Diese Übersetzung wurde noch nicht vollständig geprüft." in content


def test_language_without_translations_is_skipped(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    result = run(basic, "build", "--edition", "single")
    assert result.exit_code == 0
    assert "skipped eltern.en: no translations yet" in result.output
    assert not pdf(basic, "eltern.en").exists()


def test_status_counts_review_states(arabic: Path) -> None:
    fill(arabic, "en", pseudo("Draft"), fuzzy=True, skip=("Kontakt",))
    result = run(arabic, "status", "--json")
    assert result.exit_code == 0, result.output
    rows = {(r["brochure"], r["language"]): r for r in json.loads(result.output)}
    ar = rows[("eltern", "ar")]
    assert (ar["missing"], ar["outdated"], ar["unreviewed"]) == (1, 0, 0)
    assert ar["reviewed"] > 10
    en = rows[("eltern", "en")]
    assert en["reviewed"] == 0 and en["missing"] == 1 and en["unreviewed"] > 10
