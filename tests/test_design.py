"""Issue 14, a brochure a parent would pick up: contact data, drafts that say so on page 1,
the colophon, creation date, cover and back cover (fixture data only: nothing about the county)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import polib
import pytest
from conftest import REPO, run
from pdfinspect import metadata, text
from pypdf import PdfReader

# Fixture data only: no real office, number or address.
FULL_CONTACT = """contact:
  organisation: Musterkreis
  office: Integrationsbüro
  street: Musterstraße 1
  postcode: "00000"
  town: Musterstadt
  phone: "+49 0000 000000"
  email: buero@example.org
  web: www.example.org
  hours: Mo 9-12 Uhr
"""


def set_contact(project: Path, block: str) -> None:
    settings = project / "source/project.yaml"
    kept = settings.read_text(encoding="utf-8").split("contact:")[0]
    settings.write_text(kept + block, encoding="utf-8")


def pdf(project: Path, name: str, profile: str = "pdf") -> Path:
    return project / "build" / profile / name.split(".")[0] / f"{name}.pdf"


def links(path: Path) -> list[str]:
    found = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


@pytest.fixture
def arabic_draft(basic: Path) -> Path:
    """Every Arabic text machine-made (fuzzy): a draft."""
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales/ar/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        e.msgstr = "تجريبي" if "%(" not in e.msgid else e.msgid
        e.flags = [*e.flags, "fuzzy"]
    catalog.save(str(path))
    return basic


def test_contact_shows_every_field_with_links_in_every_language(arabic_draft: Path) -> None:
    set_contact(arabic_draft, FULL_CONTACT)
    result = run(arabic_draft, "build", "--brochure", "eltern", "--lang", "de", "--lang", "ar")
    assert result.exit_code == 0, result.output
    assert "readers cannot get back" not in result.output  # no contact warning
    for name in ("eltern.de", "eltern.ar", "eltern.de+ar"):
        path = pdf(arabic_draft, name)
        content = text(path)
        for value in (
            "Musterkreis",
            "Integrationsbüro",
            "Musterstraße 1",
            "00000 Musterstadt",
            "+49 0000 000000",  # an LTR island: not reordered in Arabic text
            "buero@example.org",
            "www.example.org",
        ):
            assert value in content, (name, value)
        assert {"tel:+490000000000", "mailto:buero@example.org", "https://www.example.org"} <= set(
            links(path)
        ), name


def test_qr_leads_to_web_without_download_address_and_to_the_copy_with_one(basic: Path) -> None:
    set_contact(basic, FULL_CONTACT)
    assert run(basic, "build", "--brochure", "eltern", "--lang", "de").exit_code == 0
    assert "Mehr im Internet: https://www.example.org" in text(pdf(basic, "eltern.de"))
    settings = basic / "source/project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "download_base_url: https://example.org/hefte\n",
        encoding="utf-8",
    )
    assert run(basic, "build", "--brochure", "eltern", "--lang", "de").exit_code == 0
    content = text(pdf(basic, "eltern.de"))
    assert "https://example.org/hefte/pdf/eltern/eltern.de.pdf" in content
    assert "Mehr im Internet" not in content


def test_print_run_without_a_way_back_is_refused_before_any_job(repo_project: Path) -> None:
    """The default project ships no invented contact data: print is refused, screen warns."""
    result = run(repo_project, "build", "--profile", "all", "--brochure", "bildungsabschluss")
    assert result.exit_code == 2
    assert "source/project.yaml:" in result.output
    assert "print PDFs refused" in result.output
    assert not (repo_project / "build").exists()
    result = run(
        repo_project,
        "build",
        "--brochure",
        "bildungsabschluss",
        "--lang",
        "de",
        "--edition",
        "single",
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "warning: source/project.yaml:" in flat and "no phone, e-mail" in flat


def test_brochure_contact_replaces_the_project_contact_and_is_named(basic: Path) -> None:
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8") + "contact:\n  organisation: Nur ein Name\n",
        encoding="utf-8",
    )
    result = run(basic, "build", "--profile", "print", "--brochure", "eltern")
    assert result.exit_code == 2
    assert "source/brochures/eltern.yaml:" in result.output
    set_contact(basic, FULL_CONTACT)
    brochure.write_text(
        brochure.read_text(encoding="utf-8")
        + "  street: Weg 2\n  postcode: '00000'\n  town: Ort\n",
        encoding="utf-8",
    )
    assert (
        run(basic, "build", "--profile", "print", "--brochure", "eltern", "--lang", "de").exit_code
        == 0
    )
    content = text(pdf(basic, "eltern.de", "print"))
    assert "Nur ein Name" in content and "00000 Ort" in content
    assert "Integrationsbüro" not in content


def test_draft_says_so_on_page_one_large_enough_and_names_no_publisher(arabic_draft: Path) -> None:
    result = run(arabic_draft, "build", "--brochure", "eltern", "--lang", "de", "--lang", "ar")
    assert result.exit_code == 0, result.output
    german = "Diese Übersetzung wurde noch nicht vollständig geprüft."
    for name in ("eltern.ar", "eltern.de+ar"):
        path = pdf(arabic_draft, name)
        first = text(path, page=1)
        assert german in first, name
        assert "تجريبي" in first, name  # and in the target language
        with pdfplumber.open(path) as document:
            chars = document.pages[0].chars
        words = "".join(c["text"] for c in chars)
        at = words.find("Diese")
        assert at >= 0
        assert min(c["size"] for c in chars[at : at + 40]) >= 9.0, name
        content = text(path)
        assert "Herausgeber" not in content, name
    assert "Entwurf: Die Übersetzung ist noch nicht geprüft und nicht" in text(
        pdf(arabic_draft, "eltern.de+ar")
    )  # the bilingual colophon in German too
    german_edition = text(pdf(arabic_draft, "eltern.de"))
    assert "Herausgeber: Musterkreis" in german_edition
    assert german not in german_edition


def test_pdf_creation_date_is_the_build_day_not_the_concept_date(basic: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01
    from click.testing import CliRunner

    from brochures.cli import cli

    result = CliRunner().invoke(
        cli, ["--project", str(basic), "build", "--lang", "de", "--brochure", "eltern"], env=env
    )
    assert result.exit_code == 0, result.output
    assert metadata(pdf(basic, "eltern.de"))["/CreationDate"].startswith("D:20260101")


def test_default_project_ships_no_invented_contact_data() -> None:
    settings = (REPO / "source/project.yaml").read_text(encoding="utf-8")
    contact = settings.split("contact:")[1]
    for key in ("phone:", "email:", "street:", "postcode:"):
        assert key not in contact


# ---- type: sizes, scripts, dates, names, quotation marks, punctuation ----


def body_size(path: Path, pages: list[int] | None = None) -> float:
    """The most common character size on the given pages (the body text)."""
    from collections import Counter

    sizes: Counter[float] = Counter()
    with pdfplumber.open(path) as document:
        for number in pages or range(1, len(document.pages) + 1):
            for char in document.pages[number - 1].chars:
                if char["text"].strip():
                    sizes[round(char["size"], 1)] += 1
    return sizes.most_common(1)[0][0]


@pytest.fixture
def arabic_pages(arabic_draft: Path) -> Path:
    """The eltern booklet also as a trifold and the flyer, in German and Arabic."""
    result = run(arabic_draft, "build", "--lang", "de", "--lang", "ar")
    assert result.exit_code == 0, result.output
    return arabic_draft


def test_body_text_is_at_least_9_5_pt_in_every_format_and_arabic_larger(
    arabic_pages: Path,
) -> None:
    german = {}
    for name, pages in (
        ("eltern.de", [2]),
        ("jugend.de", [1]),
        ("eltern.de+ar", [2]),
    ):
        german[name] = body_size(pdf(arabic_pages, name), pages)
        assert german[name] >= 9.5, (name, german[name])
    arabic = body_size(pdf(arabic_pages, "eltern.ar"), [2])
    assert 1.12 <= arabic / german["eltern.de"] <= 1.2, arabic  # Arabic script reads smaller
    trifold = arabic_pages / "source/brochures/eltern.yaml"
    trifold.write_text(
        trifold.read_text(encoding="utf-8").replace("a5-booklet", "dl-trifold"), encoding="utf-8"
    )
    assert run(arabic_pages, "build", "--lang", "de", "--edition", "single").exit_code == 0
    assert body_size(pdf(arabic_pages, "eltern.de"), [2]) >= 9.5


def test_language_names_are_capitalised_as_labels() -> None:
    from brochures.languages import capitalised, language

    assert language("ru").native_name == "Русский"
    assert language("uk").native_name == "Українська"
    assert language("ar").native_name == "العربية"
    assert capitalised("istanbulca", "tr") == "İstanbulca"  # Turkish dotted capital I
    assert capitalised("italiano", "it") == "Italiano"


def test_dates_are_the_locales_long_format() -> None:
    import datetime as dt

    from brochures.rendering.render import localized_date

    day = dt.date(2019, 5, 27)
    assert localized_date(day, "ku") == "27ê gulana 2019an"
    assert localized_date(day, "de") == "27. Mai 2019"
    assert localized_date(day, "ru") == "27 мая 2019\u202fг."


def test_typography_quotes_names_and_one_letter_words_per_language() -> None:
    from brochures.rendering.typography import typeset

    html = (
        '<html lang="ru"><head><style>p > a { content: "x" }</style></head><body>'
        "<p>Курс &#34;Kess erziehen&#34; и „Elterncafé“ в Kreis Warendorf</p>"
        '<p lang="de">Der Kurs &#34;Kess erziehen&#34; im Kreis Warendorf</p>'
        '<p lang="ar">دورة "Kess erziehen"</p></body></html>'
    )
    out = typeset(html, ["Kreis Warendorf"])
    assert '<style>p > a { content: "x" }</style>' in out  # CSS untouched
    assert "Курс «Kess erziehen» и\u00a0«Elterncafé» в\u00a0Kreis\u00a0Warendorf" in out
    assert "Der Kurs „Kess erziehen“ im Kreis\u00a0Warendorf" in out
    assert "دورة «Kess erziehen»" in out


def test_doubled_punctuation_fails_the_job(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales/en/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for e in catalog:
        if e.msgctxt == "brochure:eltern/closing":
            e.msgstr = "Ask at school.."
    catalog.save(str(path))
    result = run(basic, "build", "--brochure", "eltern", "--lang", "en", "--edition", "single")
    assert result.exit_code == 1
    assert "doubled punctuation '..'" in " ".join(result.output.split())
    assert not pdf(basic, "eltern.en").exists()


def test_russian_colophon_has_no_doubled_full_stop_after_the_date(repo_project: Path) -> None:
    """The year abbreviation "г." ends the sentence: no second full stop (it was "г.. Издатель")."""
    shutil.copytree(REPO / "locales", repo_project / "locales")
    result = run(
        repo_project, "build", "--brochure", "schule-eltern", "--lang", "ru", "--edition", "single"
    )
    assert result.exit_code == 0, result.output
    content = text(pdf(repo_project, "schule-eltern.ru"))
    assert "2019 г." in content and "г.." not in content


# ---- layout: covers, notes pages, copyfitting ----


def _booklet_with_closing(basic: Path, start: int, wanted) -> tuple:
    """The basic booklet's German HTML with a closing of `count` sentences, for the first count
    (from `start`, in steps of 4) whose own page count (laid out once) satisfies `wanted`:
    (renderer, html, pages)."""
    from brochures.build import load_catalogs
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer

    brochure = basic / "source/brochures/eltern.yaml"
    original = brochure.read_text(encoding="utf-8")
    sentence = "Ein Satz, der die Seite nach und nach füllt und weiterläuft. "
    renderer = None
    for count in range(start, 200, 4):
        brochure.write_text(
            original.replace(
                "closing: Fragen Sie in der Schule nach.", f"closing: {sentence * count}"
            ),
            encoding="utf-8",
        )
        project = load_project(basic)
        renderer = renderer or PdfRenderer(project.template_dirs)
        env = render.environment(project.template_dirs, default_templates())
        texts = load_catalogs(project, {"de"})["de"].fresh()
        html = render.render_html(env, project.content("eltern"), language("de"), texts).html
        own = len(renderer._layout(html).pages)
        if wanted(own):
            return renderer, html, own
    pytest.fail("no closing length gave the page count wanted")


def test_booklet_a_few_lines_over_is_copyfitted_instead_of_padded(basic: Path) -> None:
    """Find a closing that runs a booklet a few lines onto one more page; the PDF stage
    tightens it (within bounds) into whole sheets instead of adding three notes pages."""
    # the back cover alone on a new sheet: three notes pages would follow
    renderer, html, own = _booklet_with_closing(basic, 20, lambda pages: pages % 4 == 1)
    document = renderer.layout(html)
    assert len(document.pages) == own - 1, (own, len(document.pages))  # whole sheets: no notes
    tight = renderer._layout(html.replace('class="format-', 'class="fit-1 fit-2 fit-3 format-'))
    sizes = {
        round(float(box.style["font_size"]) * 0.75, 2)
        for page in tight.pages
        for box, _ in _boxes(page._page_box)
        if box.element_tag == "p" and box.element.get("class") is None  # body paragraphs
    }
    assert min(sizes) >= 9.5  # tightened within bounds


def test_booklet_with_notes_pages_to_spare_is_filled_out_within_bounds(basic: Path) -> None:
    """A booklet whose text ends two pages before its last sheet is full is laid out again with
    more room (larger type, at most 11.2 pt, more leading): the same sheets, its pages fuller
    (fewer notes pages where the text runs on)."""
    # two notes pages would follow
    renderer, html, own = _booklet_with_closing(
        basic, 4, lambda pages: pages % 4 == 2 and pages > 4
    )
    fitted, loose = renderer._loosen(html, renderer._layout(html))
    assert 'class="loose-' in fitted
    assert own <= len(loose.pages) <= own + 2  # no new sheet
    sizes = {
        round(float(box.style["font_size"]) * 0.75, 2)
        for page in loose.pages
        for box, _ in _boxes(page._page_box)
        if box.element_tag == "p" and box.element.get("class") is None  # body paragraphs
    }
    assert min(sizes) > 10 and max(sizes) <= 11.2  # larger, within bounds
    assert len(renderer.layout(html).pages) == own + (-own % 4)  # the same whole sheets


def test_a_word_hyphenated_at_a_page_end_is_kept_whole(tmp_path: Path) -> None:
    """The last line of a page must not end in a hyphen the layout inserted: the word is kept
    whole and the page laid out again (breaks.py); a hyphen in the text itself stays."""
    from brochures.rendering.breaks import HYPHEN, hyphenated_ends, keep_whole, line_boxes
    from brochures.rendering.pdf import PdfRenderer

    renderer = PdfRenderer([tmp_path])
    words = (
        "Das Handlungsfeld Kultur und Freizeit nimmt einen hohen Stellenwert in Bezug auf die "
        "Integrationsarbeit ein, da es gezielt den interkulturellen Austausch fördert und somit "
        "auch das gesellschaftliche Miteinander. Für eine wertschätzende kulturelle Vielfalt "
        "sind diese Angebote von großer Bedeutung. "
    )
    for height in range(30, 120):
        html = (
            (
                '<html lang="de"><head><style>@page { size: 52mm {height}mm; margin: 4mm }'
                " p { hyphens: auto; font-size: 10pt; line-height: 1.3; margin: 0 }</style></head>"
                '<body class="x"><p>{text} Erziehungs- und Bildungsarbeit.</p></body></html>'
            )
            .replace("{height}", str(height))
            .replace("{text}", words * 2)
        )
        raw = renderer._layout(html)
        found = hyphenated_ends(raw)
        lines = [len(list(line_boxes(page._page_box))) for page in raw.pages]
        if len(found) == 1 and len(lines) == 2 and lines[1] < lines[0] - 2:  # room on page 2
            break
    else:
        pytest.fail("no page height broke a word at the page end")
    page, word = found[0]
    assert word in words.replace(",", "").split() and page == 1  # the whole word, both lines
    document = renderer.layout(html)
    assert hyphenated_ends(document) == [] and len(document.pages) == len(raw.pages)
    whole = keep_whole(html, frozenset({word}))
    assert f'<span class="unbroken" style="hyphens: manual">{word}</span>' in whole
    assert "Erziehungs-" in whole and HYPHEN not in whole  # the text's own hyphen untouched
    # right-to-left text is left alone (a span there reorders a Latin run in WeasyPrint)
    rtl = '<body><p dir="rtl">كلمة Integrationsarbeit</p><p>Integrationsarbeit</p></body>'
    assert keep_whole(rtl, frozenset({"Integrationsarbeit"})) == (
        '<body><p dir="rtl">كلمة Integrationsarbeit</p>'
        '<p><span class="unbroken" style="hyphens: manual">Integrationsarbeit</span></p></body>'
    )


def test_a_line_broken_far_too_early_is_mended(tmp_path: Path) -> None:
    """WeasyPrint 70 ends a line early when words joined by no-break spaces stand before an
    inline box on the same line ("связь / с дру- / гими / …", seen in the Russian trifold);
    the PDF stage finds such runt lines and lays the text out with `nowrap` spans instead."""
    from brochures.rendering.breaks import nowrap_joins, runt_lines
    from brochures.rendering.pdf import PdfRenderer

    text = (
        "Кроме того, большое значение имеет связь с\u00a0другими объединениями в\u00a0"
        '<span class="unbroken">Kreis</span>\u00a0<span class="unbroken">Warendorf</span>, '
        "например с\u00a0музыкальными школами."
    )
    html = (
        '<html lang="ru"><head><style>@page { size: 90mm 80mm; margin: 2mm }'
        " p { hyphens: auto; font-size: 12pt; margin: 0 }</style></head>"
        f'<body><p lang="ru">{text}</p></body></html>'
    )
    renderer = PdfRenderer([tmp_path])
    assert [line for _, line in runt_lines(renderer._layout(html))][:1] == ["связь"]
    assert runt_lines(renderer.layout(html)) == []
    mended = nowrap_joins(html)
    assert '<span class="nowrap" style="white-space: nowrap">с другими</span>' in mended
    assert "с\u00a0" not in mended and "@page" in mended  # (a no-break space beside a tag stays)


def _boxes(box):
    yield box, None
    for child in getattr(box, "children", []):
        yield from _boxes(child)


# ---- parent-facing content: school-system diagram, FAQ, "Wer hilft?" ----


def test_school_system_diagram_has_real_text_vector_ways_alt_text_and_mirrors_for_rtl(
    repo_project: Path, tmp_path: Path
) -> None:
    """Boxes and labels are HTML text (WeasyPrint draws SVG text letter by letter: Arabic came
    out reversed and unjoined), the ways between them an SVG image carrying the text
    alternative; German names with the translation under them; mirrored for right to left."""
    import base64
    import re as regex

    from brochures.build import load_catalogs
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer

    shutil.copytree(REPO / "locales", repo_project / "locales")
    project = load_project(repo_project)
    env = render.environment(project.template_dirs, default_templates())
    catalogs = load_catalogs(project, {"de", "ar"})
    content = project.content("schule-eltern")
    assert content.school_system is not None
    xs = {}
    for code in ("de", "ar"):
        html = render.render_html(env, content, language(code), catalogs[code].fresh()).html
        figure = regex.search(r'<figure class="school-system">.*?</figure>', html, regex.S)
        assert figure, code
        img = regex.search(
            r'<img class="ss-curves" src="data:image/svg\+xml;base64,([^"]+)"[^>]* alt="([^"]+)"',
            figure[0],
        )
        assert img, code
        svg = base64.b64decode(img[1]).decode("utf-8")
        assert svg.startswith("<svg") and "<path" in svg and "<text" not in svg  # only curves
        if code == "de":
            for word in ("Grundschule", "Gymnasium", "Berufskolleg", "Abitur"):
                assert word in img[2], word  # the text alternative names every box
            assert "Quelle:" in figure[0] and "Schulgesetz" in figure[0]  # the public source
        boxes = {
            name: float(m[1])
            for name in ("Hauptschule", "Gymnasium")
            if (
                m := regex.search(
                    rf'class="ss-box" style="left: ([\d.]+)mm[^>]*>[^<]*<span'
                    rf"[^>]*>{name}<",
                    figure[0],
                )
            )
        }
        xs[code] = boxes
        if code == "ar":  # the German name, and the Arabic under it as text of its own
            assert ">Grundschule</span>" in figure[0] and "المدرسة الابتدائية" in figure[0]
            pdf = tmp_path / "ar.pdf"
            pdf.write_bytes(PdfRenderer(project.template_dirs).render(html).data)
            assert "المدرسة الابتدائية" in text(pdf, page=2)  # shaped, in reading order
    assert xs["de"]["Hauptschule"] < xs["de"]["Gymnasium"]
    assert xs["ar"]["Hauptschule"] > xs["ar"]["Gymnasium"]  # mirrored for right to left


def test_school_system_needs_its_file(basic: Path) -> None:
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8") + "school_system: true\n", encoding="utf-8"
    )
    result = run(basic, "build", "--lang", "de")
    assert result.exit_code == 2
    assert "source/brochures/eltern.yaml:" in result.output and "schulsystem.yaml" in result.output


def test_faq_and_helper_cards_are_shown_and_translatable(basic: Path) -> None:
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8")
        + "faq:\n  - id: frage\n    question: Eine Testfrage?\n    answer: Eine Testantwort.\n"
        "    source: Testquelle\n"
        "helpers:\n  - topic: Beratung zum Test\n    organisation: Testverein\n"
        "    phone: '0000 111111'\n",
        encoding="utf-8",
    )
    assert run(basic, "catalog", "update").exit_code == 0
    pot = (basic / "locales/messages.pot").read_text(encoding="utf-8")
    assert 'msgctxt "brochure:eltern/faq/frage"' in pot
    assert 'msgctxt "brochure:eltern/helfer/0"' in pot
    result = run(basic, "build", "--lang", "de", "--brochure", "eltern")
    assert result.exit_code == 0, result.output
    content = text(pdf(basic, "eltern.de"))
    for shown in ("Häufige Fragen", "Eine Testfrage?", "Eine Testantwort.", "Quellen: Testquelle"):
        assert shown in content
    for shown in ("Wer hilft?", "Beratung zum Test", "Testverein", "0000 111111"):
        assert shown in content


def test_font_gate_names_a_font_outside_the_stacks() -> None:
    import weasyprint

    from brochures.rendering.checks import foreign_fonts

    def pdf_with(family: str) -> bytes:
        html = f'<p style="font-family: {family}">Schule مدرسة</p>'
        return weasyprint.HTML(string=html).write_pdf()

    allowed = ("Noto Sans", "Noto Naskh Arabic")
    assert foreign_fonts(pdf_with("'Noto Sans', 'Noto Naskh Arabic'"), allowed) == []
    problems = foreign_fonts(pdf_with("'DejaVu Sans'"), allowed)
    assert problems and "DejaVu" in problems[0]


def test_proof_sheet_shows_every_page_of_every_language_labelled(basic: Path) -> None:
    result = run(basic, "proof", "--brochure", "eltern")
    assert result.exit_code == 0, result.output
    sheet = basic / "build/proof/eltern.pdf"
    assert "wrote" in result.output and sheet.exists()
    content = text(sheet)
    pdfs = sorted((basic / "build/pdf/eltern").glob("*.pdf"))
    assert pdfs
    for path in pdfs:
        assert path.name in content
    with pdfplumber.open(sheet) as document:
        images = sum(len(page.images) for page in document.pages)
    pages = sum(len(PdfReader(p).pages) for p in pdfs)
    assert images == pages  # one thumbnail per page
