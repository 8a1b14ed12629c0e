"""DOCX for volunteers who review in Word: per brochure a bilingual table with a reviewed column."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from brochures.errors import Problem
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.translation.catalogs import State

if TYPE_CHECKING:
    from brochures.content.project import Project
    from brochures.review.exchange import ReviewFile, Section

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
PROPERTY_LANGUAGE = "brochures-language"
PROPERTY_BROCHURES = "brochures-brochures"
TABLE_CAPTION = "brochures:"  # + the brochure id: which tables are ours
ID_STYLE = "Brochures Id"  # the id (small, grey): read back
NOTE_STYLE = "Brochures Note"  # pages, previous German: for the reader only, not read back
REVIEWED_HEADER = "geprüft / reviewed"
TICKS = {"x", "☒", "✓", "✔", "☑", "ja", "yes"}
MAX_UNPACKED = 100 * 1024 * 1024  # a zip bomb is refused before python-docx unpacks it
GREY = RGBColor(0x6B, 0x6B, 0x6B)


def write(project: Project, lang: str, sections: list[Section]) -> bytes:
    """Landscape A4; per brochure a heading and a table: id, German, translation (to edit),
    reviewed (a checkbox content control; an "x" typed in the cell counts as well)."""
    from brochures.review.exchange import where_shown

    target = language(lang)
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    _styles(document)
    document.core_properties.title = f"brochures: {target.english_name} review"
    document.core_properties.language = lang
    _custom_properties(
        document,
        {
            PROPERTY_LANGUAGE: lang,
            PROPERTY_BROCHURES: " ".join(s.brochure for s in sections if s.brochure),
        },
    )
    document.add_paragraph(
        f"Übersetzung prüfen: {target.native_name} ({lang}). Ändern Sie nur die Spalte der "
        "Übersetzung; kreuzen Sie „geprüft“ an oder schreiben Sie x, wenn der Text stimmt. / "
        "Review the translation column only; tick “reviewed” or type x when a text is right."
    )
    for part in sections:
        title = part.brochure or "(texts on no brochure page)"
        document.add_heading(title, level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        _table_properties(table, part.brochure or "", target.direction == "rtl")
        widths = (Cm(4.2), Cm(9.6), Cm(9.6), Cm(3.0))
        headers = ("ID", "Deutsch", f"{target.native_name} ({lang})", REVIEWED_HEADER)
        for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
            cell.width = width
            cell.paragraphs[0].add_run(text).bold = True
        _repeat_header(table.rows[0])
        for entry in part.entries:
            cells = table.add_row().cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            cells[0].paragraphs[0].text = entry.id
            cells[0].paragraphs[0].style = document.styles[ID_STYLE]
            note = cells[0].add_paragraph(where_shown(entry), style=document.styles[NOTE_STYLE])
            if entry.state is not State.REVIEWED:
                note.add_run(f" – {entry.state.value}")
            _texts(cells[1], entry.source, language(SOURCE_LANGUAGE))
            if entry.state is State.OUTDATED and entry.previous:
                cells[1].add_paragraph(
                    f"vorher / before: {entry.previous}", style=document.styles[NOTE_STYLE]
                )
            _texts(cells[2], entry.translation, target)
            _checkbox(cells[3], entry.state is State.REVIEWED)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _styles(document) -> None:
    for name, size in ((ID_STYLE, 7), (NOTE_STYLE, 7)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(size)
        style.font.color.rgb = GREY
        style.paragraph_format.space_after = Pt(0)


def _texts(cell, text: str, lang) -> None:
    """A text in its language's direction and font, one paragraph per line."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        font = lang.font_stack[0]
        run.font.name = font
        properties = run._r.get_or_add_rPr()
        fonts = properties.get_or_add_rFonts()
        fonts.set(qn("w:cs"), font)
        fonts.set(qn("w:eastAsia"), font)
        lang_tag = parse_xml(f"<w:lang {nsdecls('w')} w:val={quoteattr(lang.code)}/>")
        if lang.direction == "rtl":
            properties.append(parse_xml(f"<w:rtl {nsdecls('w')}/>"))
            lang_tag.set(qn("w:bidi"), lang.code)
            paragraph._p.get_or_add_pPr().append(parse_xml(f"<w:bidi {nsdecls('w')}/>"))
        properties.append(lang_tag)


def _table_properties(table, brochure: str, rtl: bool) -> None:
    properties = table._tbl.tblPr
    caption = parse_xml(
        f"<w:tblCaption {nsdecls('w')} w:val={quoteattr(TABLE_CAPTION + brochure)}/>"
    )
    properties.append(caption)
    if rtl:  # columns from right to left
        properties.append(parse_xml(f"<w:bidiVisual {nsdecls('w')}/>"))


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def _checkbox(cell, checked: bool) -> None:
    """A checkbox content control (Word 2010 and later; LibreOffice shows it too)."""
    mark = "☒" if checked else "☐"
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")} xmlns:w14="{W14_NS}">'
        "<w:sdtPr>"
        f'<w:alias w:val="{REVIEWED_HEADER}"/><w:tag w:val="brochures-reviewed"/>'
        f'<w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
        "</w:sdtPr>"
        f"<w:sdtContent><w:p><w:r><w:t>{mark}</w:t></w:r></w:p></w:sdtContent>"
        "</w:sdt>"
    )
    cell._tc.insert(cell._tc.index(cell.paragraphs[0]._p), sdt)


def _custom_properties(document, values: dict[str, str]) -> None:
    """docProps/custom.xml (python-docx has no API for it)."""
    properties = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{properties}</Properties>'
    ).encode()
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def custom_properties(document) -> dict[str, str]:
    for rel in document.part.package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            from brochures.review.xliff import parser

            root = etree.fromstring(rel.target_part.blob, parser())
            return {
                p.get("name"): "".join(p.itertext()) for p in root.iter(f"{{{CUSTOM_NS}}}property")
            }
    return {}


def read(data: bytes, display: str) -> ReviewFile:
    """The units of a DOCX this module wrote (and a person edited): language from its custom
    properties, one unit per row of our tables; a problem is an ImportProblem naming the row."""
    from brochures.review.exchange import ImportProblem, ReviewFile, Unit

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise ImportProblem(Problem(display, None, f"unpacks to {unpacked} bytes: refused"))
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ImportProblem(Problem(display, None, f"not a DOCX document: {exc}")) from None
    lang = custom_properties(document).get(PROPERTY_LANGUAGE, "").strip()
    if not lang:
        raise ImportProblem(
            Problem(
                display,
                None,
                f"no custom property '{PROPERTY_LANGUAGE}': not exported by "
                "`brochures catalog export --format docx`",
            )
        )
    units = []
    problems = []
    tables = [t for t in document.tables if _caption(t) is not None]
    if not tables:
        problems.append(Problem(display, None, "no review table in the document"))
    for number, table in enumerate(tables, start=1):
        for row_number, row in enumerate(table.rows[1:], start=2):
            where = f"{display}: table {number} row {row_number}"
            cells = row.cells
            if len(cells) != 4:
                problems.append(Problem(None, None, f"{where}: {len(cells)} columns, not 4"))
                continue
            ids = [p.text.strip() for p in cells[0].paragraphs if _style(p) != NOTE_STYLE]
            unit_id = next((i for i in ids if i), "")
            if not unit_id:
                problems.append(Problem(None, None, f"{where}: no id in the first column"))
                continue
            units.append(
                Unit(
                    unit_id,
                    _text(cells[1]),
                    _text(cells[2]) or None,
                    _ticked(cells[3]),
                    f"{where} ({unit_id})",
                )
            )
    if problems:
        raise ImportProblem(problems)
    return ReviewFile(lang, units)


def _caption(table) -> str | None:
    found = table._tbl.tblPr.find(qn("w:tblCaption"))
    value = found.get(qn("w:val")) if found is not None else None
    return value[len(TABLE_CAPTION) :] if value and value.startswith(TABLE_CAPTION) else None


def _style(paragraph) -> str | None:
    style = paragraph._p.style
    return paragraph.style.name if style is not None else None


def _text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs if _style(p) != NOTE_STYLE)


def _ticked(cell) -> bool:
    checked = cell._tc.findall(f".//{{{W14_NS}}}checked")
    if any(c.get(f"{{{W14_NS}}}val") in ("1", "true") for c in checked):
        return True
    typed = "".join(p.text for p in cell.paragraphs).strip().lower()  # outside the control
    return typed in TICKS
