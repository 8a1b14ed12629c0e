"""Accessible screen PDFs (PDF/UA-1): pdfua's rules, and this test's own checks of what pdfua does
not cover, on de, ar and de+ar of every default brochure; the gate, the claim, a failing PDF."""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pdfplumber
import pikepdf
import polib
import pytest
from conftest import REPO, build_once, run

BROCHURES = ("schule-eltern", "bildungsabschluss", "kultur-freizeit")
TAGS = ("de", "ar", "de+ar")
PDFUA = Path(sys.executable).with_name("pdfua")
# pdfua 0.1.3's UA-14-001 (headings not empty) raises on any heading whose /K is an array, which
# is how WeasyPrint writes every element ("pikepdf.Object is not a Dictionary or Stream: cannot
# get key '/is_integer'"): pdfua skips it; test_headings_in_order_and_not_empty checks the rule.
PDFUA_BROKEN = {"UA-14-001"}
ALT_DE = "QR-Code: Link zu dieser Broschüre als PDF"
ALT_AR = "رمز QR: رابط إلى هذا الكتيّب بصيغة PDF"


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's default project with a (fixture) download address, so that every PDF
    has a QR code: de, ar and de+ar of every brochure."""
    project = tmp_path_factory.mktemp("a11y") / "repo"
    for folder in ("source", "templates", "locales"):
        shutil.copytree(REPO / folder, project / folder)
    settings = project / "source/project.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        re.sub(r"(?m)^download_base_url:.*$", "download_base_url: https://example.org/b", text),
        encoding="utf-8",
    )
    build_once(project, langs=["de", "ar"], editions=["single", "bilingual"])
    return project


def pdfs(project: Path) -> list[Path]:
    return [project / f"build/pdf/{b}/{b}.{tag}.pdf" for b in BROCHURES for tag in TAGS]


# ---- a small structure-tree reader of this test's own ----


def kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_element(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and obj.get("/Type") != "/MCR"


def elements(pdf: pikepdf.Pdf):
    """(role, element, effective language) in reading order."""

    def walk(element, lang):
        lang = str(element.get("/Lang", "")) or lang
        yield str(element.S), element, lang
        for kid in kids(element):
            if is_element(kid):
                yield from walk(kid, lang)

    for top in kids(pdf.Root.StructTreeRoot):
        yield from walk(top, str(pdf.Root.Lang))


def mcids(element) -> list[tuple[int | None, int]]:
    """(page object number or None for the element's own page, MCID) under an element."""
    found = []
    for kid in kids(element):
        if isinstance(kid, int):
            found.append((element.Pg.objgen[0], kid))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.append((kid.Pg.objgen[0], int(kid.MCID)))
        elif is_element(kid):
            found += mcids(kid)
    return found


# ---- pdfua ----


def test_pdfua_finds_nothing_and_the_pdfs_claim_pdfua_1(default_build: Path) -> None:
    for path in pdfs(default_build):
        out = subprocess.run(
            [str(PDFUA), "check", "--format", "json", str(path)], capture_output=True, text=True
        )
        report = json.loads(out.stdout)
        assert report["findings"] == [], (path.name, report["findings"])
        assert out.returncode == 0, path.name
        assert {s["rule_id"] for s in report["skipped"]} <= PDFUA_BROKEN, report["skipped"]
        with pikepdf.open(path) as pdf:
            assert b'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes()
    manifest = json.loads((default_build / "build/manifest.json").read_text(encoding="utf-8"))
    screen = [e for e in manifest["pdfs"] if e["profile"] == "screen"]
    assert len(screen) == 9
    assert all(e["accessibility"] == {"pdfua": True, "problems": []} for e in screen)


# ---- what pdfua does not check ----


def test_document_title_language_tab_order(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pikepdf.open(path) as pdf:
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            assert pdf.Root.MarkInfo.Marked is True
            assert str(pdf.Root.Lang) == path.name.split(".")[1].split("+")[0]
            assert re.search(rb"<dc:title>.*?<rdf:li[^>]*>[^<]+<", pdf.Root.Metadata.read_bytes())
            assert all(page.obj.Tabs == "/S" for page in pdf.pages)


def test_headings_in_order_and_not_empty(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pikepdf.open(path) as pdf:
            levels = []
            for role, element, _lang in elements(pdf):
                if re.fullmatch(r"/H[1-6]", role):
                    levels.append(int(role[2]))
                    assert mcids(element), f"{path.name}: empty {role}"
                    inner = [r for r, _e, _l in elements_below(element)]
                    assert not any(re.fullmatch(r"/H[1-6]", r) for r in inner), path.name
            assert levels[0] == 1, path.name
            assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
            assert levels.count(2) >= 2


def elements_below(element):
    for kid in kids(element):
        if is_element(kid):
            yield str(kid.S), kid, None
            yield from elements_below(kid)


def test_lists_are_l_li_and_the_bilingual_edition_is_no_table(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pikepdf.open(path) as pdf:
            roles = [(role, element) for role, element, _lang in elements(pdf)]
            assert "/Table" not in {r for r, _ in roles} and "/TD" not in {r for r, _ in roles}
            lists = [e for r, e in roles if r == "/L"]
            assert lists, path.name
            for element in lists:
                assert {str(k.S) for k in kids(element) if is_element(k)} <= {"/LI", "/L"}
            for element in (e for r, e in roles if r == "/LI"):
                assert {str(k.S) for k in kids(element) if is_element(k)} <= {"/Lbl", "/LBody"}


def test_other_language_elements_carry_their_lang(default_build: Path) -> None:
    with pikepdf.open(default_build / "build/pdf/schule-eltern/schule-eltern.de+ar.pdf") as pdf:
        assert str(pdf.Root.Lang) == "de"
        langs = [lang for role, _e, lang in elements(pdf) if role in ("/P", "/H1", "/H2", "/H3")]
        assert langs.count("ar") >= 10 and langs.count("de") >= 10
        # each pair reads German first, then Arabic: paragraphs alternate
        paragraphs = [lang for role, _e, lang in elements(pdf) if role == "/H3"]
        assert paragraphs[:4] == ["de", "ar", "de", "ar"]


def test_running_footer_and_page_numbers_are_artifacts_the_text_is_content(
    default_build: Path,
) -> None:
    path = default_build / "build/pdf/schule-eltern/schule-eltern.de.pdf"
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[2]  # page 3 (page 2: the school-system diagram)
        artifact = "".join(c["text"] for c in page.chars if c["tag"] == "Artifact")
        tagged = "".join(c["text"] for c in page.chars if c["mcid"] is not None)
        untagged = [c["text"] for c in page.chars if c["mcid"] is None and c["tag"] != "Artifact"]
    # the footer: title and version, then the page number (3)
    assert artifact.endswith("Fassung vom 27. Mai 20193"), artifact
    assert "Fassung vom 27. Mai 2019" not in tagged and "Kreis" in tagged
    assert untagged == []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:  # backgrounds, rules and borders: artifacts
            stack: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    stack.append(str(operands[0]))
                elif op == "EMC":
                    stack.pop()
                elif op in ("f", "f*", "S", "B", "b", "sh"):  # (the QR code draws its own)
                    assert "/Artifact" in stack or stack[-1:] == ["/Figure"]
                elif op == "Do":
                    assert stack, "an image or form painted outside marked content"


def test_qr_code_is_a_figure_with_alt_text_in_its_language(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pikepdf.open(path) as pdf:
            figures = [(e, lang) for role, e, lang in elements(pdf) if role == "/Figure"]
            diagrams = [  # the school-system diagram: its alternative in the PDF's language
                f
                for f in figures
                if str(f[0].get("/Alt", "")).startswith(("Schaubild:", "رسم توضيحي:"))
            ]
            for element, lang in diagrams:
                arabic = str(element.Alt).startswith("رسم")
                assert lang == ("ar" if arabic else "de") and arabic != path.name.endswith(
                    ".de.pdf"
                ), path.name
            if "schule-eltern" in path.name or "bildungsabschluss" in path.name:
                assert len(diagrams) == 1, path.name  # the school-system diagram, own /Alt
            figures = [f for f in figures if f not in diagrams]
            assert len(figures) == 1, path.name  # the QR code (bilingual: on the back cover)
            element, lang = figures[0]
            # German, marked German; in Arabic its (draft) translation, marked Arabic
            if path.name.endswith(".de.pdf"):
                assert (str(element.Alt), lang) == (ALT_DE, "de")
            else:
                assert (str(element.Alt), lang) == (ALT_AR, "ar"), path.name


def test_translated_alt_text_is_in_the_documents_language(basic: Path) -> None:
    settings = basic / "source/project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "download_base_url: https://example.org/b\n",
        encoding="utf-8",
    )
    assert run(basic, "catalog", "update").exit_code == 0
    po = basic / "locales/ar/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(po))
    catalog.find(ALT_DE).msgstr = "رمز QR: رابط إلى هذا الكتيب بصيغة PDF"
    catalog.save(str(po))
    build_once(basic, brochures=["eltern"], langs=["ar"], editions=["single"])
    with pikepdf.open(basic / "build/pdf/eltern/eltern.ar.pdf") as pdf:
        figures = [(e, lang) for role, e, lang in elements(pdf) if role == "/Figure"]
        assert [(str(e.Alt), lang) for e, lang in figures] == [
            ("رمز QR: رابط إلى هذا الكتيب بصيغة PDF", "ar")
        ]
        assert "/Lang" not in figures[0][0]  # the document's language
        assert b'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes()


def test_every_h2_has_a_bookmark(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pikepdf.open(path) as pdf:
            pages = {page.obj.objgen[0]: i for i, page in enumerate(pdf.pages)}
            h2_pages = sorted(
                pages[(mcids(e)[0][0])] for role, e, _l in elements(pdf) if role == "/H2"
            )
            with pdf.open_outline() as outline:
                items, marks = list(outline.root), []
                while items:
                    item = items.pop()
                    items += list(item.children)
                    marks.append((item.title, pages[item.destination[0].objgen[0]]))
        assert h2_pages and all(title.strip() for title, _ in marks)
        for page in set(h2_pages):
            assert h2_pages.count(page) <= [p for _, p in marks].count(page), path.name
    # the titles: every German H2 of the booklet, as in the HTML, is a bookmark
    path = default_build / "build/pdf/schule-eltern/schule-eltern.de.pdf"
    with pdfplumber.open(path) as plumber, pikepdf.open(path) as pdf:
        chars = {(p.page_number - 1, c["mcid"]): c["text"] for p in plumber.pages for c in p.chars}
        text_of = {}
        for (page, mcid), _ in chars.items():
            text_of.setdefault((page, mcid), "")
        for p in plumber.pages:
            for c in p.chars:
                text_of[(p.page_number - 1, c["mcid"])] += c["text"]
        pages = {page.obj.objgen[0]: i for i, page in enumerate(pdf.pages)}
        h2 = [
            " ".join(" ".join(text_of.get((pages[pg], m), "") for pg, m in mcids(e)).split())
            for role, e, _l in elements(pdf)
            if role == "/H2"
        ]
        with pdf.open_outline() as outline:
            titles = set()
            items = list(outline.root)
            while items:
                item = items.pop()
                items += list(item.children)
                titles.add(" ".join(item.title.split()))
    assert "Kontakt" in h2 and "Wörter aus der Schule" in h2
    assert set(h2) <= titles


def test_every_glyph_maps_to_unicode(default_build: Path) -> None:
    for path in pdfs(default_build):
        with pdfplumber.open(path) as pdf:
            text = "".join(page.extract_text() or "" for page in pdf.pages)
        assert "(cid:" not in text and "\ufffd" not in text, path.name
        assert ("Kreis" in text) if ".de" in path.name else True
        assert re.search("[\u0600-\u06ff]{3}", text) if "ar" in path.name else True


# ---- the gate: a PDF that fails it is written without the claim ----


def test_a_failing_pdf_is_written_without_the_claim_and_warned(basic: Path) -> None:
    override = basic / "templates/partials/source.html.j2"
    override.parent.mkdir(parents=True)
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")
    override.write_text(
        '{% include "!default/partials/source.html.j2" %}\n'
        "<h4>Ohne Stufe</h4>\n"
        f'<img src="data:image/svg+xml;base64,{svg.decode()}" style="width: 5mm">\n',
        encoding="utf-8",
    )
    built = run(basic, "build", "--lang", "de", "--brochure", "eltern", "--edition", "single")
    assert built.exit_code == 0, built.output
    flat = " ".join(built.output.split())
    assert "eltern.de: written without the PDF/UA-1 claim" in flat
    assert "figure without alternative text" in flat
    assert "heading H4 follows H2 (a level skipped)" in flat
    assert "accessibility: 0 of 1 screen PDFs pass the gate" in flat
    path = basic / "build/pdf/eltern/eltern.de.pdf"
    with pikepdf.open(path) as pdf:
        assert b"pdfuaid:part" not in pdf.Root.Metadata.read_bytes()
        assert pdf.Root.get("/StructTreeRoot") is not None  # still tagged
    manifest = json.loads((basic / "build/manifest.json").read_text(encoding="utf-8"))
    assert manifest["pdfs"][0]["accessibility"]["pdfua"] is False
    checked = run(basic, "check", "--json")
    assert checked.exit_code == 0, checked.output
    gates = json.loads(checked.output)["gates"]
    warned = {(g["job"], g["severity"]) for g in gates if g["gate"] == "accessibility"}
    assert warned == {("eltern.de", "warning"), ("jugend.de", "warning")}  # (no translations)
    assert run(basic, "check", "--strict").exit_code == 1
    override.unlink()
    assert run(basic, "check", "--strict").exit_code == 0


# ---- the download page in a real browser ----

BROWSER = Path(__file__).parent / "browser"


def test_download_page_passes_axe_and_works_by_keyboard(default_build: Path) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) at desktop and phone width in Debian's Chromium: no
    violation; every link reached by Tab in document order with a focus indicator, out of the
    page after the last (no trap); each PDF link names the language, the size and that it is a
    PDF."""
    chromium = shutil.which("chromium")
    node = shutil.which("node")
    if chromium is None or node is None or not (BROWSER / "node_modules").is_dir():
        pytest.skip(  # `make test` installs all three; this names what is missing
            f"needs chromium ({chromium}), node ({node}) and `npm ci --prefix tests/browser`"
        )
    out = subprocess.run(
        [node, str(BROWSER / "audit.mjs"), str(default_build / "build/index.html"), chromium],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    audit = json.loads(out.stdout)
    manifest = json.loads((default_build / "build/manifest.json").read_text(encoding="utf-8"))
    sizes = {e["path"]: e["bytes"] for e in manifest["pdfs"]}
    for width in ("1280", "390"):
        result = audit[width]
        assert result["violations"] == [], (width, result["violations"])
        assert result["passes"] >= 10
        links = [link for link in result["links"] if link["href"]]
        focused = result["focused"]
        assert [f["href"] for f in focused if f["tag"] == "a"] == [link["href"] for link in links]
        assert [f["index"] for f in focused] == sorted(f["index"] for f in focused)
        assert all(f["indicator"] and f["visible"] for f in focused), focused
        pdf_links = [link for link in links if link["href"].endswith(".pdf")]
        assert len(pdf_links) == 9  # de, ar, de+ar of three brochures
        for link in pdf_links:
            path = unquote(link["href"])
            name = link["name"]
            lang = path.rsplit(".", 2)[-2].split("+")[-1]
            native = {"de": "Deutsch", "ar": "العربية"}[lang]
            size = sizes[path]
            assert link["role"] == "link" and "PDF" in name and native in name, name
            assert re.search(rf"\b{round(size / 1024)} KB\b", name), (name, size)
            assert ("zweisprachig" in name) == ("+" in path), name


# ---- the gate finds what breaks PDF/UA (each check can fail) ----


def test_the_gate_reports_each_kind_of_problem(default_build: Path) -> None:
    from brochures.rendering import accessibility

    path = default_build / "build/pdf/schule-eltern/schule-eltern.de.pdf"
    with pikepdf.open(path) as pdf:
        assert accessibility.check(pdf) == []
        del pdf.pages[1].obj["/Tabs"]
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        del pdf.Root["/Outlines"]
        roles = [(role, element) for role, element, _lang in elements(pdf)]
        figure = next(e for r, e in roles if r == "/Figure")
        figure.Alt = pikepdf.String("رمز الاستجابة السريعة")  # Arabic, in a German element
        h3 = next(e for r, e in roles if r == "/H3")
        h3.S = pikepdf.Name("/H5")
        paragraph = next(e for r, e in roles if r == "/P")  # cut out of the tree
        parent = paragraph.P
        parent.K = pikepdf.Array([k for k in kids(parent) if k.objgen != paragraph.objgen])
        page = pdf.pages[0]  # a rectangle painted outside any marked content
        page.obj.Contents = pdf.make_stream(b"0 0 10 10 re f\n" + page.obj.Contents.read_bytes())
        font = next(iter(pdf.pages[2].obj.Resources.Font.values()))
        cmap = font.ToUnicode.read_bytes()
        font.ToUnicode = pdf.make_stream(re.sub(rb"beginbfchar.*?endbfchar", b"", cmap, flags=re.S))
        found = " | ".join(accessibility.check(pdf))
    for expected in (
        "page 2: tab order does not follow the structure (/Tabs /S)",
        "viewers are not asked to show the title (DisplayDocTitle)",
        "H2 heading(s) without a bookmark",
        "the figure's alternative text is in Arabic script, its language (de) is written in Latin",
        "heading H5 follows H",
        "marked-content sequences belong to no element of the structure tree",
        "page 1: content neither tagged nor an artifact (1 f painting operators)",
        "glyph(s) shown without a Unicode mapping",
    ):
        assert expected in found, (expected, found)
