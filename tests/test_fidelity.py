"""Localization fidelity: escaping, invisible characters, hyphenation, new languages, RTL."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import polib
from babel import Locale
from conftest import run
from pdfinspect import fonts, metadata, text
from pypdf import PdfReader

from brochures.languages import document_stacks
from brochures.rendering import checks
from brochures.rendering.render import ltr_islands

TRICKY = "'a' \"b\" c & d < e > f 12:30"


def pdf(project: Path, name: str) -> Path:
    return project / "build" / "pdf" / name.split(".")[0] / f"{name}.pdf"


def test_ltr_islands_work_on_text_not_on_entities() -> None:
    assert ltr_islands("Almanya&#39;da 2019") == 'Almanya&#39;da <bdi dir="ltr">2019</bdi>'
    assert ltr_islands("A &amp; B &lt;12&gt;") == 'A &amp; B &lt;<bdi dir="ltr">12</bdi>&gt;'
    assert ltr_islands('<a href="x">0251 12</a>') == '<a href="x"><bdi dir="ltr">0251 12</bdi></a>'
    assert ltr_islands('"www.example.org"') == '&#34;<bdi dir="ltr">www.example.org</bdi>&#34;'


def test_quotes_ampersands_and_angles_reach_the_pdf_once(basic: Path) -> None:
    """' " & < in every kind of text: template string, concept text, brochure text, glossary,
    translation; shown as themselves in German and in the translated PDF."""
    concept = basic / "source/konzept.yaml"
    concept.write_text(
        concept.read_text().replace(
            "text: Bildung ist der Schlüssel zur Teilhabe.",
            "text: 'Konzept ''Bildung'' \"Teilhabe\" & Schule < Beruf'",
        )
    )
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text().replace(
            "closing: Fragen Sie in der Schule nach.",
            "closing: 'Broschüre ''Fragen'' \"Schule\" & Eltern < Kinder'\nglossary: true",
        )
    )
    (basic / "source/schulwoerter.yaml").write_text(
        "words:\n  - id: zeugnis\n    term: 'Zeugnis ''Noten'' & \"Halbjahr\"'\n"
        "    explanation: 'Erklärung: 1 < 2 & ''gut'''\n"
    )
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales/en/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for entry in catalog:
        if entry.msgid == "Kontakt":  # a template string
            entry.msgstr = "Contact 'us' \"now\" & < here"
        elif entry.msgctxt == "jugendliche-foerdern/chancen":
            entry.msgstr = "Translation 'x' \"y\" & z < w"
        else:
            entry.msgstr = entry.msgid
    catalog.save(str(path))
    result = run(basic, "build", "--lang", "de", "--lang", "en", "--edition", "single")
    assert result.exit_code == 0, result.output
    german = text(pdf(basic, "eltern.de"))
    for shown in (  # double quotation marks as the language writes them (typography.QUOTES)
        "Konzept 'Bildung' „Teilhabe“ & Schule < Beruf",
        "Broschüre 'Fragen' „Schule“ & Eltern < Kinder",
        "Zeugnis 'Noten' & „Halbjahr“",
        "Erklärung: 1 < 2 & 'gut'",
    ):
        assert shown in german, german
    english = text(pdf(basic, "eltern.en")) + text(pdf(basic, "jugend.en"))
    assert "Contact 'us' “now” & < here" in english
    assert "Translation 'x' “y” & z < w" in english
    for content in (german, english):
        assert "&#" not in content and "&amp;" not in content and "&lt;" not in content
        assert "&quot;" not in content and "<bdi" not in content


def test_gate_fails_a_pdf_that_prints_html(basic: Path) -> None:
    from brochures.rendering.pdf import PdfRenderer

    renderer = PdfRenderer([basic])
    doubled = renderer.render("<p>Almanya&amp;#39;da &amp;amp; &lt;b&gt;x&lt;/b&gt; 1 &lt; 2</p>")
    problems = checks.markup_in_text(doubled)
    assert [p.split(":", 1)[1].split("(")[0].strip() for p in problems] == [
        "'&#39;'",
        "'&amp;'",
        "'<b>'",
        "'</b>'",
    ]
    clean = renderer.render(f"<p>{TRICKY.replace('&', '&amp;').replace('<', '&lt;')}</p>")
    assert clean.text.strip() == TRICKY
    assert checks.markup_in_text(clean) == []


PERSIAN = "به‌روز شده می‌شود"  # "updated", "becomes": each with a ZWNJ (U+200C)


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub("[\u202a-\u202e]", "", out)  # poppler's directional embeddings


def test_zwnj_zwj_and_no_break_space_reach_the_text_layer(tmp_path: Path) -> None:
    from brochures.rendering.pdf import PdfRenderer, invisible_characters_dropped

    renderer = PdfRenderer([tmp_path])
    html = (
        '<html lang="fa" dir="rtl"><body style="font-family: \'Noto Naskh Arabic\'">'
        f'<p>{PERSIAN}</p><p>ک\u200dه</p><p lang="de">Kreis\u00a0Warendorf</p></body></html>'
    )
    extracted = _pdftotext(renderer.render(html).data, tmp_path)
    for word in PERSIAN.split():
        assert word in extracted.split(), extracted
    assert "ک\u200dه" in extracted
    layer = PdfReader(io.BytesIO(renderer.render(html).data)).pages[0].extract_text()
    assert "Kreis\u00a0Warendorf" in layer
    with invisible_characters_dropped():  # WeasyPrint alone: what the patch is for
        unpatched = _pdftotext(renderer.render(html).data, tmp_path)
    assert "\u200c" not in unpatched and "بهروز" in unpatched
    # the patch changes the text layer, not the drawing: the same glyph positions
    with pdfplumber.open(io.BytesIO(renderer.render(html).data)) as pdf:
        patched_chars = [(round(c["x0"], 2), c["text"]) for c in pdf.pages[0].chars]
    with (
        invisible_characters_dropped(),
        pdfplumber.open(io.BytesIO(renderer.render(html).data)) as pdf,
    ):
        plain_chars = [(round(c["x0"], 2), c["text"]) for c in pdf.pages[0].chars]
    invisible = {"\u200c", "\u200d"}
    assert [c for c in patched_chars if c[1] not in invisible] == plain_chars


# ---- hyphenation ----

LONG_WORDS = {
    "en": ("authoritative", "Warendorf", "information", "intercultural", "responsibility"),
    "uk": ("залучення", "батьківське", "Warendorf", "відповідальність", "міжкультурний"),
    "pl": ("Warendorf", "dostosowana", "odpowiedzialność", "międzykulturowy", "informacja"),
}


def _narrow_lines(project: Path, lang: str, tmp_path: Path) -> list[str]:
    """The lines pdftotext reads from the eltern brochure's PDF, its paragraphs set 30 mm wide
    (so that words are hyphenated at line ends wherever the language allows it)."""
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer
    from brochures.translation.catalogs import load_texts

    loaded = load_project(project)
    env = render.environment(loaded.template_dirs, default_templates())
    page = render.render_html(
        env, loaded.content("eltern"), language(lang), load_texts(loaded, lang)
    )
    html = page.html.replace("</style>", "p { width: 30mm; }</style>", 1)
    out = _pdftotext(PdfRenderer(loaded.template_dirs).render(html).data, tmp_path)
    return [line.strip() for line in out.splitlines()]


def _hyphenated(lines: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for line, following in itertools.pairwise(lines):
        if line.endswith("\u2010") and following:
            pairs.append((line[:-1].split()[-1], following.split()[0]))
    return pairs


def test_hyphenation_per_language_never_names_short_fragments(basic: Path, tmp_path: Path) -> None:
    from test_languages import fill, pseudo

    concept = basic / "source/konzept.yaml"
    concept.write_text(
        concept.read_text().replace("issuer: Musterkreis", "issuer: Kreis Warendorf")
    )
    settings = basic / "source/project.yaml"
    settings.write_text(settings.read_text().replace("[de, en, ar]", "[de, en, ar, uk, pl]"))
    assert run(basic, "catalog", "update").exit_code == 0
    for lang, long_words in LONG_WORDS.items():
        fill(basic, lang, pseudo(*long_words))
    english = _hyphenated(_narrow_lines(basic, "en", tmp_path))
    polish = _hyphenated(_narrow_lines(basic, "pl", tmp_path))
    assert english and polish  # hyphenated at all: the dictionaries are in use
    for first, rest in english + polish:
        joined = first + rest
        assert "Warendorf" not in joined, (first, rest)  # names stay whole
        assert len(first) >= 3 and len(rest.rstrip(".,;:")) >= 3, (first, rest)
        assert len(joined.rstrip(".,;:")) >= 6, (first, rest)
    assert ("authorit", "ative") not in english  # en_GB's wrong point, en_US patterns in use
    # Ukrainian is not hyphenated (its dictionary breaks залуче-ння); German fallbacks are
    assert not [p for p in _hyphenated(_narrow_lines(basic, "uk", tmp_path)) if p[0][-1] > "z"]


# ---- new languages: Sorani, Pashto, Dari, Somali; languages in preparation ----


def _cldr_words(code: str, letters: str) -> list[str]:
    """Real words of a language from CLDR (its name, months, days, and territory names with
    the letters a glyph check must see), never invented ones."""
    locale = Locale.parse(code)
    words = [
        locale.languages.get(code.split("_")[0], ""),
        *locale.months["format"]["wide"].values(),
        *locale.days["format"]["wide"].values(),
    ]
    names = sorted({w for v in locale.territories.values() for w in v.split()})
    words += [next(w for w in names if ch in w) for ch in letters if ch not in "".join(words)]
    return [w for word in words for w in word.split() if w]


NEW = {"ckb": "ەێۆ", "ps": "ښځډ", "fa_AF": "", "so": ""}


def test_new_languages_build_with_their_letters_direction_and_no_hyphenation(
    basic: Path,
) -> None:
    from test_languages import fill, pseudo

    from brochures.languages import language

    settings = basic / "source/project.yaml"
    # Dari written the gettext way here; fa-AF everywhere else
    settings.write_text(settings.read_text().replace("[de, en, ar]", "[de, ckb, ps, fa_AF, so]"))
    assert run(basic, "catalog", "update").exit_code == 0
    dari = basic / "locales/fa_AF/LC_MESSAGES/messages.po"
    assert polib.pofile(str(dari)).metadata["Language"] == "fa_AF"
    samples = {}
    for code, letters in NEW.items():
        words = _cldr_words(code, letters)
        assert set(letters) <= set("".join(words))
        samples[code] = words
        fill(basic, code.replace("-", "_"), pseudo(*words))
    result = run(basic, "build", "--brochure", "eltern", "--edition", "single")
    assert result.exit_code == 0, result.output  # the glyph gate passed for every language
    manifest = json.loads((basic / "build/manifest.json").read_text())
    assert {e["language"] for e in manifest["pdfs"] if "language" in e} >= {"fa-AF", "ckb"}
    for code, words in samples.items():
        spelled = code.replace("_", "-")
        facts = language(code)
        assert facts.code == spelled and facts.hyphenation is None
        path = pdf(basic, f"eltern.{spelled}")
        assert metadata(path)["/Lang"] == spelled
        content = text(path)
        assert facts.native_name in content  # the cover names the language in its own script
        for word in words[:8]:
            assert word in content, (code, word)
        # the glyph gate: every letter in the language's fonts; it would see a missing one
        sample = f"<p>{' '.join(words)}</p>"
        assert checks.glyph_coverage(sample, code, document_stacks(code)) == []
        if letters := NEW[code]:
            latin_only = checks.glyph_coverage(sample, code, [("Noto Sans",)])
            assert all(f"U+{ord(ch):04X}" in " ".join(latin_only) for ch in letters)
        if facts.direction == "rtl":
            assert '<html lang="' + spelled + '" dir="rtl">' in _html(basic, code)
            assert any("Naskh-Arabic" in name for name in fonts(path))
    assert language("fa-AF").native_name == "دری"
    assert run(basic, "build", "--lang", "fa_AF", "--brochure", "eltern").exit_code == 0
    assert pdf(basic, "eltern.de+fa-AF").exists()  # the CLI takes both spellings


def _html(project: Path, lang: str) -> str:
    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.translation.catalogs import load_texts

    loaded = load_project(project)
    env = render.environment(loaded.template_dirs, default_templates())
    return render.render_html(
        env, loaded.content("eltern"), language(lang), load_texts(loaded, lang)
    ).html


def test_languages_without_translations_are_announced_not_hidden(basic: Path) -> None:
    settings = basic / "source/project.yaml"
    settings.write_text(settings.read_text().replace("[de, en, ar]", "[de, en, ar, ti, ps]"))
    assert run(basic, "catalog", "update").exit_code == 0
    from test_languages import fill, pseudo

    fill(basic, "en", pseudo("Draft"), fuzzy=True)
    fill(basic, "ar", pseudo("تجريبي"), fuzzy=True)
    result = run(basic, "build", "--edition", "single")
    assert result.exit_code == 0, result.output
    assert not (basic / "build/pdf/eltern/eltern.ti.pdf").exists()
    page = (basic / "build/index.html").read_text()
    for native in ("ትግርኛ", "پښتو"):
        card = page[page.index(f">{native}</span>") :]
        card = card[: card.index("</li>")]
        assert 'in Vorbereitung / <span lang="en">in preparation</span>' in card
        assert "PDF herunterladen" not in card
    assert page.count("in Vorbereitung") == 4  # two languages in each of two brochures
    rows = json.loads(run(basic, "status", "--json").output)
    preparing = {(r["brochure"], r["language"]) for r in rows if r["in_preparation"]}
    assert preparing == {(b, c) for b in ("eltern", "jugend") for c in ("ti", "ps")}
    assert "ti – in preparation" in run(basic, "status").output


# ---- term base ----


def test_term_base_warns_about_missing_and_shared_approved_terms(basic: Path) -> None:
    from test_languages import fill, pseudo

    (basic / "source/terms.yaml").write_text(
        "terms:\n"
        "  Abschluss:\n    en: qualification\n    ar: الشهادة المدرسية\n"
        "  Schule:\n    en: school\n    ar: شهادة مدرسية\n"  # the same Arabic term: warned
        "  Elterncafé:\n    en: ''\n"  # no approved term yet: nothing checked
    )
    assert run(basic, "catalog", "update").exit_code == 0
    fill(basic, "en", pseudo("Draft"), fuzzy=True)
    path = basic / "locales/en/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    for entry in catalog:
        if entry.msgctxt == "jugendliche-foerdern/chancen":  # "Ein Abschluss verbessert …"
            entry.msgstr = "A qualification improves the chances of an apprenticeship."
    catalog.save(str(path))
    result = run(basic, "check", "--json")
    rows = [r for r in json.loads(result.output)["messages"] if r["check"] == "term base"]
    missing = {(r["lang"], r["context"]) for r in rows if "is not translated" in r["detail"]}
    assert ("en", "jugendliche-foerdern") in missing  # "Jugendliche beim Abschluss …"
    assert ("en", "jugendliche-foerdern/chancen") not in missing  # has "qualification"
    assert ("en", "eltern-informieren") in missing  # "Eltern über die Schule informieren"
    assert not [r for r in rows if "Elterncafé" in r["detail"]]
    assert [r["detail"] for r in rows if r["context"] == "(term base)"] == [
        "Abschluss and Schule share the approved term 'شهادة مدرسية'"
    ]
    assert {r["severity"] for r in rows} == {"warning"}


def test_term_base_in_the_repository_names_only_project_languages() -> None:
    from brochures.content.project import load_project
    from brochures.translation.terms import load_terms, shared_targets

    project = load_project(Path(__file__).parent.parent)
    base = load_terms(project.source_dir, project.settings.languages)
    assert base.approved("ar")["Zeugnis"] != base.approved("ar")["Schulabschluss"]
    assert shared_targets(base) == []


# ---- right-to-left: mirrored blocks, by positions in the laid-out document ----


def _boxes(document):
    """Every laid-out box of every page with its element's class."""

    def walk(box):
        yield box
        for child in getattr(box, "children", []):
            yield from walk(child)

    for page in document.pages:
        yield from walk(page._page_box)


def _text_boxes_in(box):
    from weasyprint.formatting_structure.boxes import TextBox

    if isinstance(box, TextBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _text_boxes_in(child)


def _is_marker(text: str) -> bool:
    """A list item's marker: a number (ordered lists) or a bullet (measures are not numbered)."""
    return bool(text) and (text.rstrip(".").isdigit() or text in "•◦▪‣–·")


def _span(box) -> tuple[float, float]:
    """Left and right edge of the text laid out inside a box."""
    texts = [t for t in _text_boxes_in(box) if t.text.strip()]
    return min(t.position_x for t in texts), max(t.position_x + t.width for t in texts)


def test_rtl_contact_lists_boxes_and_definitions_are_mirrored(basic: Path) -> None:
    """In an Arabic brochure every label stands right of its value, list markers and box rules
    stand on the right, and definitions start at the right; the same blocks in German the other
    way round."""
    from test_languages import fill, pseudo

    from brochures.rendering.pdf import PdfRenderer

    settings = basic / "source/project.yaml"
    settings.write_text(settings.read_text() + "  email: info@example.org\n")
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(brochure.read_text() + "glossary: true\nwhats_new: true\n")
    (basic / "source/schulwoerter.yaml").write_text(
        "words:\n  - id: zeugnis\n    term: Zeugnis\n    explanation: Bewertung der Leistungen.\n"
    )
    assert run(basic, "catalog", "update").exit_code == 0
    fill(basic, "ar", pseudo("تجريبي", "نص"), fuzzy=True)
    for lang in ("ar", "de"):
        html = _html(basic, lang)
        document = PdfRenderer([basic / "templates"])._layout(html)
        rtl = lang == "ar"
        boxes = list(_boxes(document))

        root = next(b.element for b in boxes if b.element_tag == "html")
        parent = {child: node for node in root.iter() for child in node}

        def in_block(tag: str, block: str, boxes: list = boxes, parent: dict = parent) -> list:
            """The outermost box of each `tag` element whose grandparent has class `block`."""
            found: dict = {}
            for b in boxes:
                if b.element_tag == tag and parent[parent[b.element]].get("class") == block:
                    found.setdefault(id(b.element), b)
            return list(found.values())

        pairs = list(zip(in_block("dt", "contact"), in_block("dd", "contact"), strict=True))
        assert len(pairs) == 2  # phone and e-mail
        for dt, dd in pairs:
            label, value = _span(dt), _span(dd)
            assert (label[0] > value[1]) if rtl else (label[1] < value[0]), (lang, label, value)
        measures = next(
            b for b in boxes if b.element is not None and b.element.get("class") == "measures"
        )
        assert (measures.border_right_width > 0) == rtl and (measures.border_left_width > 0) != rtl
        item = next(
            b for b in boxes if b.element_tag == "li" and parent[b.element].tag in ("ol", "ul")
        )
        marker = next(t for t in _text_boxes_in(item) if _is_marker(t.text.strip()))
        words = [t for t in _text_boxes_in(item) if t is not marker and t.text.strip()]
        if rtl:
            assert marker.position_x >= max(t.position_x + t.width for t in words) - 0.5
        else:
            assert marker.position_x + marker.width <= min(t.position_x for t in words) + 0.5
        glossary = in_block("dd", "glossary")[0]
        left, right = _span(glossary)
        edge = glossary.content_box_x(), glossary.content_box_x() + glossary.width
        assert abs((right - edge[1]) if rtl else (left - edge[0])) < 1, (lang, left, right, edge)
