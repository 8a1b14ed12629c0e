"""XLIFF 1.2 and DOCX round trips: `catalog export` and `catalog import`, the edits a CAT tool
or Word makes, the error paths, and catalogs msgfmt accepts after every import."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import docx
import polib
import pytest
from conftest import run, snapshot
from lxml import etree

from brochures.review import exchange
from brochures.translation.catalogs import DRAFT_COMMENT

AR = "ar/LC_MESSAGES/messages.po"
NS = "urn:oasis:names:tc:xliff:document:1.2"
X = {"x": NS}
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def catalog(project: Path) -> dict[str, polib.POEntry]:
    po = polib.pofile(str(project / "locales" / AR))
    return {e.msgctxt or e.msgid: e for e in po if not e.obsolete}


def msgfmt_ok(project: Path) -> None:
    path = project / "locales" / AR
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


@pytest.fixture
def project(basic: Path) -> Path:
    """Arabic: the title reviewed, the closing a draft, 'bildung' outdated, the rest missing."""
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales" / AR
    po = polib.pofile(str(path))
    for e in po:
        if e.msgctxt == "brochure:eltern/title":
            e.msgstr, e.tcomment = "فهم المدرسة", "reviewed by Amira, 2026-01-02"
        elif e.msgctxt == "brochure:eltern/closing":
            e.msgstr, e.flags, e.tcomment = "اسألوا في المدرسة.", ["fuzzy"], DRAFT_COMMENT
        elif e.msgctxt == "bildung":
            e.msgstr, e.flags, e.previous_msgid = "التعليم", ["fuzzy"], "Bildungsarbeit"
    po.save(str(path))
    return basic


def export(project: Path, name: str, *args: str) -> Path:
    out = project.parent / name
    result = run(project, "catalog", "export", "--lang", "ar", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def units(tree: etree._ElementTree) -> dict[str, etree._Element]:
    return {u.get("id"): u for u in tree.iterfind(".//x:trans-unit", X)}


def test_xliff_structure_namespace_version_ids_and_states(project: Path) -> None:
    tree = etree.parse(str(export(project, "ar.xlf", "--brochure", "eltern")))
    root = tree.getroot()
    assert root.tag == f"{{{NS}}}xliff" and root.get("version") == "1.2"
    (file,) = root.findall("x:file", X)
    assert (file.get("original"), file.get("source-language"), file.get("target-language")) == (
        "eltern",
        "de",
        "ar",
    )
    found = units(tree)
    ids = [u.get("id") for u in tree.iterfind(".//x:trans-unit", X)]
    assert len(ids) == len(set(ids)) and ids[0] == "brochure:eltern/title"  # page order
    assert "brochure:jugend/title" not in found
    title = found["brochure:eltern/title"]
    assert title.get("approved") == "yes"
    assert title.find("x:target", X).get("state") == "final"
    assert title.find("x:target", X).text == "فهم المدرسة"
    assert found["brochure:eltern/closing"].find("x:target", X).get("state") == (
        "needs-review-translation"
    )
    assert found["brochure:eltern/closing"].get("approved") is None
    outdated = found["bildung"]
    assert outdated.find("x:target", X).get("state") == "needs-review-translation"
    assert outdated.find("x:alt-trans/x:source", X).text == "Bildungsarbeit"
    missing = found["eltern-informieren"]
    assert missing.find("x:target", X).get("state") == "needs-translation"
    assert missing.find("x:source", X).text == "Eltern über die Schule informieren"
    notes = [n.text for n in missing.findall("x:note", X)]
    assert any("eltern: page" in n for n in notes)  # where the text appears
    # every brochure: one <file> each, every live entry exactly once
    whole = etree.parse(str(export(project, "all.xlf")))
    everything = [u.get("id") for u in whole.iterfind(".//x:trans-unit", X)]
    assert sorted(everything) == sorted(catalog(project))


def test_cat_tool_edit_imports_with_states(project: Path) -> None:
    path = export(project, "ar.xlf", "--brochure", "eltern")
    tree = etree.parse(str(path))
    found = units(tree)
    # a CAT tool: a new translation confirmed "translated", another one signed off, and the
    # draft approved with the unit's attribute
    target = found["eltern-informieren"].find("x:target", X)
    target.text, target.attrib["state"] = "إعلام الأهل عن المدرسة", "translated"
    target = found["Kontakt"].find("x:target", X)
    target.text, target.attrib["state"] = "اتصال", "signed-off"
    found["brochure:eltern/closing"].set("approved", "yes")
    found["brochure:eltern/closing"].find("x:target", X).set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-16")  # another tool's encoding
    result = run(project, "catalog", "import", str(path), "--reviewer", "Agentur Beispiel")
    assert result.exit_code == 0, result.output
    assert "applied" in result.output and "│ 3 " in result.output
    entries = catalog(project)
    new = entries["eltern-informieren"]
    assert new.msgstr == "إعلام الأهل عن المدرسة" and "fuzzy" in new.flags
    assert "fuzzy" not in entries["Kontakt"].flags
    assert "reviewed by Agentur Beispiel" in entries["Kontakt"].tcomment
    closing = entries["brochure:eltern/closing"]
    assert "fuzzy" not in closing.flags and DRAFT_COMMENT not in closing.tcomment
    assert entries["bildung"].previous_msgid == "Bildungsarbeit"  # untouched: still outdated
    msgfmt_ok(project)
    # the same file again changes nothing
    again = run(project, "catalog", "import", str(path), "--reviewer", "Agentur Beispiel")
    assert again.exit_code == 0 and "applied" in again.output
    assert catalog(project)["Kontakt"].tcomment == entries["Kontakt"].tcomment


def test_docx_edited_with_python_docx_imports(project: Path) -> None:
    path = export(project, "ar.docx", "--brochure", "eltern")
    document = docx.Document(str(path))
    (table,) = document.tables
    assert (
        table._tbl.tblPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidiVisual"
        )
        is not None
    )  # Arabic: columns right to left
    rows = {r.cells[0].paragraphs[0].text: r for r in table.rows[1:]}
    assert [c.text for c in table.rows[0].cells][3] == "geprüft / reviewed"
    # a new translation, typed "x" as reviewed
    rows["eltern-informieren"].cells[2].paragraphs[0].add_run("إعلام الأهل")
    rows["eltern-informieren"].cells[3].paragraphs[0].add_run("x")
    # the draft approved by ticking the checkbox content control, as Word does
    box = rows["brochure:eltern/closing"].cells[3]._tc.find(f".//{{{W14}}}checked")
    box.set(f"{{{W14}}}val", "1")
    # a translation in two paragraphs, not reviewed
    cell = rows["brochure:eltern/intro"].cells[2]
    cell.paragraphs[0].add_run("أعزائي الأهل.")
    cell.add_paragraph("")
    cell.add_paragraph("فقرة ثانية.")
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        assert b"brochures-language" in archive.read("docProps/custom.xml")
    result = run(project, "catalog", "import", str(path), "--reviewer", "Samira")
    assert result.exit_code == 0, result.output
    entries = catalog(project)
    assert entries["eltern-informieren"].msgstr == "إعلام الأهل"
    assert "fuzzy" not in entries["eltern-informieren"].flags
    assert "reviewed by Samira" in entries["brochure:eltern/closing"].tcomment
    assert entries["brochure:eltern/intro"].msgstr == "أعزائي الأهل.\n\nفقرة ثانية."
    assert "fuzzy" in entries["brochure:eltern/intro"].flags
    assert "fuzzy" not in entries["brochure:eltern/title"].flags  # ticked at export: stays
    msgfmt_ok(project)


def test_german_changed_since_export_is_written_outdated(project: Path) -> None:
    path = export(project, "ar.xlf", "--brochure", "eltern")
    tree = etree.parse(str(path))
    target = units(tree)["eltern-informieren"].find("x:target", X)
    target.text, target.attrib["state"] = "إعلام الأهل", "final"
    tree.write(str(path))
    yaml = project / "source" / "konzept.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "Eltern über die Schule informieren" in text
    yaml.write_text(text.replace("Eltern über die Schule informieren", "Eltern informieren"))
    assert run(project, "catalog", "update").exit_code == 0
    result = run(project, "catalog", "import", str(path), "--reviewer", "Samira")
    assert result.exit_code == 0, result.output
    assert "eltern-informieren: the German changed since the export" in result.output
    entry = catalog(project)["eltern-informieren"]
    assert entry.msgstr == "إعلام الأهل" and "fuzzy" in entry.flags
    assert entry.previous_msgid == "Eltern über die Schule informieren"
    msgfmt_ok(project)


def test_failed_message_check_is_refused_and_the_rest_applied(project: Path) -> None:
    path = export(project, "ar.xlf", "--brochure", "eltern")
    tree = etree.parse(str(path))
    found = units(tree)
    found["Für: %(audience)s"].find("x:target", X).text = "لـ: الجمهور"  # placeholder lost
    found["Kontakt"].find("x:target", X).text = "اتصال"
    tree.write(str(path))
    result = run(project, "catalog", "import", str(path))
    assert result.exit_code == 1, result.output
    assert "Für: %(audience)s: refused: placeholders" in result.output
    entries = catalog(project)
    assert entries["Kontakt"].msgstr == "اتصال"
    assert entries["Für: %(audience)s"].msgstr == ""
    msgfmt_ok(project)


def broken(project: Path, text: str) -> tuple[Path, int, str]:
    path = project.parent / "broken.xlf"
    path.write_text(text, encoding="utf-8")
    before = snapshot(project)
    result = run(project, "catalog", "import", str(path), "--reviewer", "R")
    assert snapshot(project) == before  # nothing written
    return path, result.exit_code, result.output


def xliff(lang: str, body: str) -> str:
    return (
        f'<?xml version="1.0"?>\n<xliff xmlns="{NS}" version="1.2">\n'
        f'<file original="x" source-language="de" target-language="{lang}" datatype="plaintext">'
        f"\n<body>\n{body}\n</body></file></xliff>\n"
    )


UNIT = (
    '<trans-unit id="{id}"><source>{src}</source>'
    '<target state="{state}">{tgt}</target></trans-unit>'
)


def test_structural_errors_exit_2_naming_the_place_and_write_nothing(project: Path) -> None:
    path, status, output = broken(project, "<xliff><file>")
    assert status == 2 and f"{path}:1: not XLIFF" in output
    _, status, output = broken(project, xliff("ar", "").replace('version="1.2"', 'version="2.0"'))
    assert status == 2 and "not 1.2" in output
    _, status, output = broken(
        project,
        xliff(
            "fr",
            UNIT.format(id="Ziel des Kreises", src="Ziel des Kreises", tgt="But", state="final"),
        ),
    )
    assert status == 2 and "'fr' is not one of the project's translated languages" in output
    body = "\n".join(
        [
            UNIT.format(
                id="Ziel des Kreises", src="Ziel des Kreises", tgt="هدف", state="translated"
            ),
            UNIT.format(id="no/such-id", src="x", tgt="y", state="translated"),
        ]
    )
    path, status, output = broken(project, xliff("ar", body))
    assert status == 2 and f"{path}:6: unknown id 'no/such-id'" in output
    _, status, output = run_without_reviewer(project)
    assert status == 2 and "--reviewer" in output
    _, status, output = broken(project, "")
    assert status == 2 and "not XLIFF" in output
    (project.parent / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run(project, "catalog", "import", str(project.parent / "fake.docx"))
    assert result.exit_code == 2 and "not a DOCX document" in result.output


def run_without_reviewer(project: Path) -> tuple[Path, int, str]:
    path = project.parent / "reviewed.xlf"
    path.write_text(
        xliff(
            "ar",
            UNIT.format(id="Ziel des Kreises", src="Ziel des Kreises", tgt="هدف", state="final"),
        )
    )
    before = snapshot(project)
    result = run(project, "catalog", "import", str(path))
    assert snapshot(project) == before
    return path, result.exit_code, result.output


def test_untrusted_xliff_resolves_no_entities(project: Path) -> None:
    secret = project.parent / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = UNIT.format(
        id="Ziel des Kreises", src="Ziel des Kreises", tgt="&xxe;", state="translated"
    )
    text = xliff("ar", body).replace(
        '<?xml version="1.0"?>',
        f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    path = project.parent / "xxe.xlf"
    path.write_text(text)
    run(project, "catalog", "import", str(path), "--reviewer", "R")
    assert "TOP-SECRET" not in (project / "locales" / AR).read_text(encoding="utf-8")


def test_docx_that_unpacks_too_large_is_refused(project: Path, monkeypatch) -> None:
    path = export(project, "ar.docx", "--brochure", "eltern")
    monkeypatch.setattr("brochures.review.docx.MAX_UNPACKED", 1000)
    before = snapshot(project)
    result = run(project, "catalog", "import", str(path), "--reviewer", "R")
    assert result.exit_code == 2 and "refused" in result.output
    assert snapshot(project) == before
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 10)
    result = run(project, "catalog", "import", str(path), "--reviewer", "R")
    assert result.exit_code == 2 and "larger than a review file" in result.output


def test_a_brochure_reviewed_in_word_is_built_for_print_without_the_draft_notice(
    project: Path,
) -> None:
    """Done-when of the review issue, through Word: every text of the brochure (both editions)
    translated where missing and ticked, imported, then `build --reviewed-only` writes the
    Arabic PDFs without the draft notice."""
    from pypdf import PdfReader

    # jugend: its bilingual edition shows texts its single edition does not ("Notizen")
    build = ["build", "--reviewed-only", "--brochure", "jugend", "--lang", "ar"]
    pdf = project / "build" / "pdf" / "jugend" / "jugend.ar.pdf"
    assert run(project, *build).exit_code == 0 and not pdf.exists()  # drafts: no print run
    path = export(project, "ar.docx", "--brochure", "jugend")
    document = docx.Document(str(path))
    ids = []
    for table in document.tables:
        for row in table.rows[1:]:
            ids.append(row.cells[0].paragraphs[0].text)
            german, translation, reviewed = row.cells[1], row.cells[2], row.cells[3]
            if not translation.paragraphs[0].text:
                lines = [p.text for p in german.paragraphs if p.style.name != "Brochures Note"]
                translation.paragraphs[0].add_run(f"نص {lines[0]}")
                for line in lines[1:]:
                    translation.add_paragraph(line)
            reviewed.paragraphs[0].add_run("x")
    document.save(str(path))
    assert {"Notizen", "Was der Kreis sich vorgenommen hat"} <= set(ids)  # bilingual's too
    result = run(project, "catalog", "import", str(path), "--reviewer", "Amira")
    assert result.exit_code == 0, result.output
    msgfmt_ok(project)
    result = run(project, *build)
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "نص" in text
    assert "nicht vollständig geprüft" not in text  # no draft notice
    assert (project / "build" / "pdf" / "jugend" / "jugend.de+ar.pdf").exists(), result.output


def test_docx_of_a_left_to_right_language_has_no_rtl_marks(project: Path) -> None:
    out = project.parent / "en.docx"
    result = run(project, "catalog", "export", "--lang", "en", "-o", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        body = archive.read("word/document.xml")
    assert b"bidiVisual" not in body and b"<w:rtl/>" not in body
    assert b'w:cs="Noto Sans"' in body  # the language's font
    arabic = export(project, "ar.docx")
    with zipfile.ZipFile(arabic) as archive:
        body = archive.read("word/document.xml")
    assert b"<w:bidiVisual/>" in body and b'w:cs="Noto Naskh Arabic"' in body
