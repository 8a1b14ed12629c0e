"""Print and screen profiles, formats (booklet padding, imposition, DL trifold) and the gates that
stop a bad print run: colour operators, page boxes, structure languages, determinism, glyphs."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from conftest import run
from pdfinspect import metadata, page_sizes_mm, text
from pypdf import PdfReader

from brochures.rendering.impose import saddle_stitch_order

GS_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
MM = 72 / 25.4


def mm(value: float) -> float:
    return round(float(value) / MM, 1)


def box_mm(box) -> tuple[float, float]:
    return (mm(box.width), mm(box.height))


def content_streams(path: Path) -> list[bytes]:
    """Every page content stream and every form XObject stream (backgrounds, patterns)."""
    out = []
    reader = PdfReader(path)
    for page in reader.pages:
        out.append(page.get_contents().get_data())
        xobjects = page["/Resources"].get("/XObject") or {}
        stack = list(xobjects.values())
        while stack:
            obj = stack.pop().get_object()
            out.append(obj.get_data())
            inner = (obj.get("/Resources") or {}).get("/XObject") or {}
            stack.extend(inner.values())
    return out


@pytest.fixture
def printable(basic: Path) -> Path:
    settings = basic / "source/project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"print_color_profile: {GS_CMYK}\n", encoding="utf-8"
    )
    return basic


def translate(project: Path, lang: str, context: str, msgstr: str) -> None:
    """Update the catalogs, then set one reviewed translation as a translator would."""
    assert run(project, "catalog", "update").exit_code == 0
    path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        if e.msgctxt == context:
            e.msgstr = msgstr
    catalog.save(str(path))


def build(project: Path, *args: str) -> None:
    result = run(project, "build", *args)
    assert result.exit_code == 0, result.output


def test_print_profile_has_bleed_trim_and_cmyk_only(printable: Path) -> None:
    build(printable, "--profile", "print", "--lang", "de")
    for name, trim in (("eltern", (148.0, 210.0)), ("jugend", (210.0, 297.0))):
        path = printable / "build/print" / name / f"{name}.de.pdf"
        for page in PdfReader(path).pages:
            assert box_mm(page.trimbox) == trim
            assert box_mm(page.bleedbox) == (trim[0] + 6, trim[1] + 6)
            assert box_mm(page.mediabox) == (trim[0] + 6, trim[1] + 6)
        streams = content_streams(path)
        assert not any(re.search(rb"\b(rg|RG)\b", s) for s in streams), "RGB colour operator"
        assert any(b"/DeviceCMYK" in s or re.search(rb"\b(k|K)\b", s) for s in streams)


def test_print_profile_is_pdf_x4_with_output_intent(printable: Path) -> None:
    build(printable, "--profile", "print", "--lang", "de", "--brochure", "eltern")
    path = printable / "build/print/eltern/eltern.de.pdf"
    root = PdfReader(path).trailer["/Root"]
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFX"
    xmp = root["/Metadata"].get_object().get_data()
    assert b"PDF/X-4" in xmp


def test_print_without_icc_profile_is_cmyk_but_no_pdf_x(basic: Path) -> None:
    build(basic, "--profile", "print", "--lang", "de", "--brochure", "eltern")
    root = PdfReader(basic / "build/print/eltern/eltern.de.pdf").trailer["/Root"]
    assert "/OutputIntents" not in root


def test_both_profiles_are_byte_identical_when_rebuilt(printable: Path) -> None:
    build(printable, "--profile", "all", "--lang", "de", "--brochure", "eltern", "--force")
    first = [
        (printable / p).read_bytes()
        for p in ("build/pdf/eltern/eltern.de.pdf", "build/print/eltern/eltern.de.pdf")
    ]
    build(printable, "--profile", "all", "--lang", "de", "--brochure", "eltern", "--force")
    again = [
        (printable / p).read_bytes()
        for p in ("build/pdf/eltern/eltern.de.pdf", "build/print/eltern/eltern.de.pdf")
    ]
    assert first == again


def test_screen_pdf_is_tagged_with_languages_of_other_language_text(basic: Path) -> None:
    translate(basic, "ar", "brochure:eltern/title", "فهم المدرسة")
    build(basic, "--lang", "ar", "--brochure", "eltern")
    for name, expected in (("eltern.ar", {"de", "ar"}), ("eltern.de+ar", {"de", "ar"})):
        reader = PdfReader(basic / f"build/pdf/eltern/{name}.pdf")
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"]
        langs = set()
        stack = [root["/StructTreeRoot"]]
        while stack:
            node = stack.pop()
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, dict):
                if "/Lang" in node:
                    langs.add(str(node["/Lang"]))
                kids = node.get("/K")
                if kids is not None:
                    stack.extend(kids if isinstance(kids, list) else [kids])
        assert expected <= langs, (name, langs)


def test_booklet_is_padded_to_a_multiple_of_four_with_notes(basic: Path) -> None:
    """The notes pages are laid out on their own and appended before the back cover: they carry
    no page number, and the others carry the number the PDF gives them."""
    build(basic, "--lang", "de", "--brochure", "eltern")
    path = basic / "build/pdf/eltern/eltern.de.pdf"
    pages = int(metadata(path)["pages"])
    assert pages % 4 == 0
    notes = [n for n in range(1, pages + 1) if "Notizen" in text(path, page=n)]
    assert notes and notes == list(range(pages - len(notes), pages)), notes  # before the back
    content = pages - len(notes)
    assert "Kontakt" in text(path, page=pages)  # the back cover, last
    for number in range(2, content):  # the covers have no footer
        assert re.search(rf"Fassung vom 30\. Juni 2021 {number}$", text(path, page=number))
    for number in notes:
        assert "Fassung vom" not in text(path, page=number), text(path, page=number)
        assert page_sizes_mm(path)[number - 1] == page_sizes_mm(path)[0]  # A5 like the rest


def test_a_booklet_is_laid_out_once_and_its_notes_pages_are_reused(basic: Path) -> None:
    """Padding does not lay the brochure out again: the notes pages are a document of their own,
    kept by the renderer for the next PDF that needs the same ones. (The brochure itself may be
    laid out a few times first: filled out to its sheets, `loose-N`.)"""
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer, notes_html
    from brochures.translation.catalogs import load_texts

    project = load_project(basic)
    env = render.environment(project.template_dirs, default_templates())
    html = render.render_html(
        env, project.content("eltern"), language("de"), load_texts(project, "de")
    ).html
    renderer = PdfRenderer(project.template_dirs)
    laid_out: list[str] = []
    layout = renderer._layout

    def counting(source: str):
        laid_out.append("notes" if "<template" not in source else "brochure")
        return layout(source)

    renderer._layout = counting  # type: ignore[method-assign]
    first = renderer.render(html)
    assert first.pages % 4 == 0 and first.pages > len(layout(html).pages)  # padded
    notes = notes_html(html, len(layout(html).pages))
    assert notes is not None and "<template" not in notes and "Notizen" in notes
    brochure = laid_out.count("brochure")
    assert laid_out == ["brochure"] * brochure + ["notes"] and brochure <= 5  # base + 4 levels
    second = renderer.render(html)
    # the same layouts of the brochure again; the notes pages came from the cache
    assert laid_out == ["brochure"] * brochure + ["notes"] + ["brochure"] * brochure
    assert second.data == first.data  # and make the same PDF
    assert notes_html(html, first.pages) is None  # a multiple of four needs none


def test_saddle_stitch_order_of_an_eight_page_booklet() -> None:
    assert saddle_stitch_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert saddle_stitch_order(8, rtl=True) == [(1, 8), (7, 2), (3, 6), (5, 4)]
    with pytest.raises(ValueError):
        saddle_stitch_order(6)


def test_impose_puts_trim_size_pages_on_a4_landscape_in_booklet_order(basic: Path) -> None:
    konzept = basic / "source/konzept.yaml"
    sentence = "Ein langer Satz über Schule. " * 40
    long_paragraphs = "".join(
        f"              - id: lang-{i}\n                text: {sentence}\n" for i in range(6)
    )
    konzept.write_text(konzept.read_text(encoding="utf-8") + long_paragraphs, encoding="utf-8")
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace(
            "goals: [eltern-informieren]", "goals: [eltern-informieren, jugendliche-foerdern]"
        ),
        encoding="utf-8",
    )
    build(basic, "--lang", "de", "--brochure", "eltern", "--edition", "single")
    source = basic / "build/pdf/eltern/eltern.de.pdf"
    pages = int(metadata(source)["pages"])
    assert pages == 8, pages
    notes = {n for n in range(1, pages + 1) if text(source, page=n).lstrip().startswith("Notizen")}
    content = pages - len(notes)  # the brochure's own pages, the back cover included
    assert notes == set(range(content, pages)) and 0 < len(notes) < 4, notes  # before the back
    assert "Kontakt" in text(source, page=pages)
    result = run(basic, "impose", "--brochure", "eltern", "--lang", "de")
    assert result.exit_code == 0, result.output
    # for a printer, not for handing out: beside the print files, not among the screen PDFs
    assert "wrote build/print/eltern/eltern.de.imposed.pdf (4 sheet sides)" in result.output
    assert [p.name for p in (basic / "build/pdf/eltern").iterdir()] == ["eltern.de.pdf"]
    imposed = PdfReader(basic / "build/print/eltern/eltern.de.imposed.pdf")
    assert len(imposed.pages) == 4
    assert {box_mm(p.mediabox) for p in imposed.pages} == {(297.0, 210.0)}
    # page numbers printed in the footers ("x / y", y the brochure's own pages) and the notes
    # pages' heading tell where each page landed: left half, right half
    for side, (left, right) in zip(imposed.pages, saddle_stitch_order(8), strict=True):
        width = float(side.mediabox.width)
        found = {}
        for x_half, number in ((0, left), (1, right)):
            parts: list[str] = []

            def visitor(text_, cm, tm, font, size, parts=parts, x_half=x_half, width=width):
                x = cm[4] + tm[4] * cm[0]
                if (x >= width / 2) == bool(x_half):
                    parts.append(text_)

            side.extract_text(visitor_text=visitor)
            found[number] = "".join(parts)
        for number in (left, right):
            if number in notes:
                assert "Notizen" in found[number], (number, found[number])
                assert "Fassung vom" not in found[number], (number, found[number])
            elif number not in (1, pages):  # the covers have no footer
                assert re.search(rf"Fassung vom 30\. Juni 2021 {number}$", found[number]), (
                    number,
                    found[number],
                )


def test_impose_refuses_a_flyer(basic: Path) -> None:
    build(basic, "--lang", "de", "--brochure", "jugend")
    result = run(basic, "impose", "--brochure", "jugend", "--lang", "de")
    assert result.exit_code == 2
    assert "not a booklet" in result.output


def trifold(basic: Path) -> Path:
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("format: a5-booklet", "format: dl-trifold"),
        encoding="utf-8",
    )
    return basic


def panel_x(path: Path, page: int, needle: str) -> float:
    import pdfplumber

    with pdfplumber.open(path) as document:
        words = document.pages[page].extract_words()
    xs = [w["x0"] for w in words if needle in w["text"]]
    assert xs, needle
    return min(xs)


def test_trifold_is_a4_landscape_with_cover_outer_right_and_mirrored_for_rtl(basic: Path) -> None:
    project = trifold(basic)
    translate(project, "ar", "brochure:eltern/title", "فهم المدرسة")
    build(project, "--lang", "de", "--lang", "ar", "--brochure", "eltern", "--edition", "single")
    de = project / "build/pdf/eltern/eltern.de.pdf"
    reader = PdfReader(de)
    assert len(reader.pages) == 2
    assert {box_mm(p.mediabox) for p in reader.pages} == {(297.0, 210.0)}
    width = float(reader.pages[0].mediabox.width)
    assert panel_x(de, 0, "verstehen") > width * 2 / 3  # the cover: outer right panel
    assert panel_x(de, 0, "Kontakt") < width * 2 / 3  # the back: middle panel
    ar = project / "build/pdf/eltern/eltern.ar.pdf"
    assert panel_x(ar, 0, "Musterkreis") < width / 3  # cover mirrored: outer left panel


def test_trifold_panel_that_overflows_fails_page_fit_naming_the_slot(basic: Path) -> None:
    project = trifold(basic)
    brochure = project / "source/brochures/eltern.yaml"
    long_intro = "Ein sehr langer Satz für die Klappe des Faltblatts. " * 60
    content = brochure.read_text(encoding="utf-8")
    content = re.sub(r"intro: \|\n(  .*\n|\n)*", f"intro: {long_intro}\n", content)
    brochure.write_text(content, encoding="utf-8")
    result = run(project, "build", "--lang", "de", "--brochure", "eltern", "--edition", "single")
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "slot 'flap'" in flat and "runs past the bottom of its panel" in flat
    assert not (project / "build/pdf/eltern/eltern.de.pdf").exists()


def test_uncovered_character_fails_the_glyph_gate(basic: Path) -> None:
    translate(basic, "en", "brochure:eltern/title", "Understanding school ትግርኛ")
    result = run(basic, "build", "--lang", "en", "--brochure", "eltern", "--edition", "single")
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "[en] character U+1275 ETHIOPIC SYLLABLE TE is in no font of the stack" in flat
    assert "installed font that has it: Noto Sans Ethiopic" in flat
    checked = run(basic, "check")
    assert checked.exit_code == 1


def test_a_long_translation_that_spills_off_the_flyer_fails_page_fit(basic: Path) -> None:
    # a German paragraph of 15 sentences (its translation may be up to 10x as long)
    konzept = basic / "source/konzept.yaml"
    german = "Ein Abschluss verbessert die Chancen auf eine Ausbildung."
    text = konzept.read_text(encoding="utf-8")
    konzept.write_text(text.replace(german, " ".join([german] * 15)), encoding="utf-8")
    long_text = " ".join(["A school-leaving certificate improves the chances of training."] * 120)
    translate(basic, "en", "jugendliche-foerdern/chancen", long_text)
    result = run(basic, "build", "--lang", "en", "--lang", "de", "--edition", "single")
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "jugend.en" in flat and "content does not fit the a4-flyer format" in flat
    assert not (basic / "build/pdf/jugend/jugend.en.pdf").exists()
    assert (basic / "build/pdf/jugend/jugend.de.pdf").exists()  # the other jobs still ran
