"""XLIFF 1.2 for translation agencies' CAT tools: one trans-unit per catalog entry, by its id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from brochures import __version__
from brochures.errors import Problem
from brochures.languages import SOURCE_LANGUAGE
from brochures.translation.catalogs import State

if TYPE_CHECKING:
    from brochures.content.project import Project
    from brochures.review.exchange import ReviewFile, Section

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
STATES = {
    State.MISSING: "needs-translation",
    State.UNREVIEWED: "needs-review-translation",
    State.OUTDATED: "needs-review-translation",
    State.REVIEWED: "final",
}
REVIEWED_STATES = {"final", "signed-off"}
OTHER = "(texts on no brochure page)"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def write(project: Project, lang: str, sections: list[Section]) -> bytes:
    """One <file> per brochure (`original` = its id), its texts in page order; the catalog's
    comment and where the text appears as notes; outdated texts with the German they were
    translated from as an alt-trans (previous-version)."""
    from brochures.review.exchange import where_shown

    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    for section in sections:
        file = etree.SubElement(
            root,
            _q("file"),
            original=section.brochure or OTHER,
            datatype="plaintext",
            attrib={"source-language": SOURCE_LANGUAGE, "target-language": lang},
        )
        header = etree.SubElement(file, _q("header"))
        etree.SubElement(
            header,
            _q("tool"),
            attrib={"tool-id": "brochures", "tool-name": "brochures", "tool-version": __version__},
        )
        body = etree.SubElement(file, _q("body"))
        for entry in section.entries:
            unit = etree.SubElement(body, _q("trans-unit"), id=entry.id)
            unit.set(XML_SPACE, "preserve")
            if entry.state is State.REVIEWED:
                unit.set("approved", "yes")
            source = etree.SubElement(unit, _q("source"))
            source.set(XML_LANG, SOURCE_LANGUAGE)
            source.text = entry.source
            target = etree.SubElement(unit, _q("target"), state=STATES[entry.state])
            target.set(XML_LANG, lang)
            target.text = entry.translation
            if entry.state is State.OUTDATED and entry.previous:
                alt = etree.SubElement(unit, _q("alt-trans"), alttranstype="previous-version")
                etree.SubElement(alt, _q("source")).text = entry.previous
                etree.SubElement(alt, _q("target")).text = entry.translation
            if entry.notes.strip():  # for translators, from the source
                etree.SubElement(unit, _q("note"), annotates="source").text = entry.notes
            if entry.comment.strip():  # review records, send-back comments
                etree.SubElement(unit, _q("note"), **{"from": "translator"}).text = entry.comment
            note = etree.SubElement(unit, _q("note"), **{"from": "brochures"})
            note.text = f"appears in {where_shown(entry)}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parser() -> etree.XMLParser:
    """Untrusted input: no entities resolved, no DTD loaded, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def read(data: bytes, display: str) -> ReviewFile:
    """The units of an XLIFF 1.2 file; a problem of its structure is an ImportProblem naming
    `file:line`. `final`, `signed-off` or `approved="yes"` is reviewed."""
    from brochures.review.exchange import ImportProblem, ReviewFile, Unit

    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise ImportProblem(Problem(display, line, f"not XLIFF: {exc.msg}")) from None
    if root.tag != _q("xliff"):
        raise ImportProblem(
            Problem(display, root.sourceline, f"not XLIFF 1.2: root element {root.tag}")
        )
    if root.get("version") != "1.2":
        raise ImportProblem(
            Problem(display, root.sourceline, f"XLIFF version {root.get('version')}, not 1.2")
        )
    problems = []
    langs = set()
    units = []
    for file in root.iter(_q("file")):
        lang = (file.get("target-language") or "").replace("-", "_")
        if not lang:
            problems.append(Problem(display, file.sourceline, "<file> without target-language"))
        langs.add(lang)
        for unit in file.iter(_q("trans-unit")):
            unit_id = unit.get("id")
            source = unit.find(_q("source"))
            if not unit_id or source is None:
                problems.append(
                    Problem(display, unit.sourceline, "trans-unit without id or source")
                )
                continue
            target = unit.find(_q("target"))
            text = "".join(target.itertext()) if target is not None else None
            state = target.get("state") if target is not None else None
            reviewed = unit.get("approved") == "yes" or state in REVIEWED_STATES
            units.append(
                Unit(
                    unit_id,
                    "".join(source.itertext()),
                    text,
                    reviewed,
                    f"{display}:{unit.sourceline}",
                )
            )
    langs.discard("")
    if len(langs) > 1:
        problems.append(Problem(display, None, f"several target languages: {sorted(langs)}"))
    if not units and not problems:
        problems.append(Problem(display, root.sourceline, "no trans-unit in the file"))
    if problems:
        raise ImportProblem(problems)
    return ReviewFile(langs.pop(), units)
