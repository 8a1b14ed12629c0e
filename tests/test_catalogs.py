"""Catalogs: extraction, merge by identity, review states, strict reading, and what the PDFs
show in other languages (RTL, fallbacks, notice, bilingual edition)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest
from babel import __version__ as babel_version
from conftest import run, snapshot

from brochures.translation.catalogs import DRAFT_COMMENT, State, serialise, state_of

AR = "ar/LC_MESSAGES/messages.po"


def po(project: Path, rel: str = AR) -> polib.POFile:
    return polib.pofile(str(project / "locales" / rel))


def entry(catalog: polib.POFile, context: str | None, msgid: str | None = None) -> polib.POEntry:
    for e in catalog:
        if (context and e.msgctxt == context) or (not context and e.msgid == msgid):
            return e
    raise AssertionError(f"no entry {context or msgid}")


def translate(project: Path, rel: str, texts: dict[str, str], fuzzy: bool = False) -> None:
    """Fill entries (by context, or by msgid for template strings) as a translator would."""
    path = project / "locales" / rel
    catalog = polib.pofile(str(path))
    for e in catalog:
        key = e.msgctxt or e.msgid
        if key in texts:
            e.msgstr = texts[key]
            e.flags = [f for f in e.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
            if fuzzy:
                e.tcomment = DRAFT_COMMENT
    catalog.save(str(path))


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new), encoding="utf-8")


def msgfmt_ok(path: Path) -> bool:
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0


def test_extraction_uses_ids_as_context_with_source_references(catalogued: Path) -> None:
    pot = polib.pofile(str(catalogued / "locales/messages.pot"))
    beratung = entry(pot, "eltern-informieren/beratung")
    assert (
        beratung.msgid == "Die Beratung richtet sich nach den <strong>Bedarfen</strong> der Eltern."
    )
    assert beratung.occurrences == [("source/konzept.yaml", "31")]
    assert "Eltern über die Schule informieren" in beratung.comment
    intro = entry(pot, "brochure:eltern/intro")
    assert intro.occurrences == [("source/brochures/eltern.yaml", "8")]
    assert "\n\n" in intro.msgid
    kontakt = entry(pot, None, "Kontakt")
    assert kontakt.msgctxt is None
    assert kontakt.occurrences[0][0] == "templates/partials/contact.html.j2"
    assert "python-format" in entry(pot, None, "Für: %(audience)s").flags
    # the removed paragraph is not shown by the later version, so it is not extracted
    assert all(e.msgctxt != "eltern-informieren/entfallen" for e in pot)


def test_changed_source_becomes_outdated_with_previous_msgid(catalogued: Path) -> None:
    translate(
        catalogued,
        AR,
        {
            "eltern-informieren/wichtig": "من المهم إبلاغ الوالدين مبكرا.",
            "jugendliche-foerdern/chancen": "الشهادة تحسن الفرص.",
        },
    )
    before = po(catalogued)
    edit(
        catalogued / "source/konzept.yaml",
        "Eltern früh zu informieren",
        "Eltern sehr früh zu informieren",
    )
    assert run(catalogued, "catalog", "update").exit_code == 0
    after = po(catalogued)
    changed = entry(after, "eltern-informieren/wichtig")
    assert changed.msgid == "Folglich ist es wichtig, Eltern sehr früh zu informieren."
    assert changed.msgstr == "من المهم إبلاغ الوالدين مبكرا."
    assert "fuzzy" in changed.flags
    assert changed.previous_msgid == "Folglich ist es wichtig, Eltern früh zu informieren."
    assert state_of(changed) is State.OUTDATED
    assert '#| msgid "Folglich ist es wichtig, Eltern früh zu informieren."' in (
        catalogued / "locales" / AR
    ).read_text(encoding="utf-8")
    for e in after:
        if e.msgctxt != "eltern-informieren/wichtig":
            old = entry(before, e.msgctxt, e.msgid)
            assert (e.msgid, e.msgstr, e.flags) == (old.msgid, old.msgstr, old.flags)


def test_new_similar_text_never_inherits_a_translation(catalogued: Path) -> None:
    translate(catalogued, AR, {"jugendliche-foerdern/chancen": "الشهادة تحسن الفرص."})
    edit(
        catalogued / "source/konzept.yaml",
        "              - id: chancen\n",
        "              - id: chancen-neu\n                text: Ein Abschluss verbessert die "
        "Chancen auf eine Lehrstelle.\n              - id: chancen\n",
    )
    assert run(catalogued, "catalog", "update").exit_code == 0
    catalog = po(catalogued)
    new = entry(catalog, "jugendliche-foerdern/chancen-neu")
    assert new.msgstr == "" and "fuzzy" not in new.flags
    assert entry(catalog, "jugendliche-foerdern/chancen").msgstr == "الشهادة تحسن الفرص."


def test_removed_text_becomes_obsolete(catalogued: Path) -> None:
    translate(catalogued, AR, {"jugendliche-foerdern/chancen": "الشهادة تحسن الفرص."})
    brochure = catalogued / "source/brochures/jugend.yaml"
    edit(brochure, "goals: [jugendliche-foerdern]", "goals: [eltern-informieren]")
    assert run(catalogued, "catalog", "update").exit_code == 0
    content = (catalogued / "locales" / AR).read_text(encoding="utf-8")
    assert '#~ msgctxt "jugendliche-foerdern/chancen"' in content
    assert '#~ msgstr "الشهادة تحسن الفرص."' in content


def test_written_catalog_round_trips_byte_identical_and_passes_msgfmt(catalogued: Path) -> None:
    translate(catalogued, AR, {"Kontakt": "اتصال"}, fuzzy=True)
    edit(catalogued / "source/brochures/eltern.yaml", "Schule verstehen", "Schule gut verstehen")
    assert run(catalogued, "catalog", "update").exit_code == 0  # the tool's own writing
    path = catalogued / "locales" / AR
    written = path.read_bytes()
    assert serialise(polib.pofile(str(path), wrapwidth=78)) == written
    assert msgfmt_ok(path) and msgfmt_ok(catalogued / "locales/messages.pot")
    assert run(catalogued, "catalog", "update").exit_code == 0
    assert path.read_bytes() == written


def test_nothing_is_rewritten_when_nothing_changed(catalogued: Path) -> None:
    before = snapshot(catalogued / "locales")
    result = run(catalogued, "catalog", "update")
    assert "all 3 catalogs up to date" in result.output
    assert snapshot(catalogued / "locales") == before


def test_bom_and_crlf_are_accepted_and_normalised(catalogued: Path) -> None:
    translate(catalogued, AR, {"Kontakt": "اتصال"})
    path = catalogued / "locales" / AR
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    assert run(catalogued, "catalog", "update", "--check").exit_code == 0  # same content
    assert run(catalogued, "build", "--lang", "ar", "--edition", "single").exit_code == 0
    edit(catalogued / "source/brochures/eltern.yaml", "Schule verstehen", "Schule gut verstehen")
    assert run(catalogued, "catalog", "update").exit_code == 0
    rewritten = path.read_bytes()
    assert not rewritten.startswith(b"\xef\xbb\xbf") and b"\r\n" not in rewritten
    assert entry(po(catalogued), None, "Kontakt").msgstr == "اتصال"


def test_check_fails_on_stale_catalog_and_passes_after_update(catalogued: Path) -> None:
    edit(catalogued / "source/brochures/eltern.yaml", "Schule verstehen", "Schule gut verstehen")
    before = snapshot(catalogued / "locales")
    result = run(catalogued, "catalog", "update", "--check")
    assert result.exit_code == 1
    assert "stale locales/messages.pot" in result.output
    assert snapshot(catalogued / "locales") == before
    assert run(catalogued, "catalog", "update").exit_code == 0
    assert run(catalogued, "catalog", "update", "--check").exit_code == 0


def test_resaved_catalog_with_other_wrapping_and_dates_is_not_stale(catalogued: Path) -> None:
    path = catalogued / "locales" / AR
    catalog = polib.pofile(str(path), wrapwidth=40)
    catalog.metadata["PO-Revision-Date"] = "2026-11-20 10:00+0100"
    catalog.metadata["X-Generator"] = "Poedit 3.4"
    catalog.save(str(path))
    assert run(catalogued, "catalog", "update", "--check").exit_code == 0


BROKEN = {
    "unterminated-string": ('msgstr ""\n', 'msgstr "abc\n', 2, ""),
    "wrong-language": (
        '"Language: ar\\n"',
        '"Language: tr\\n"',
        2,
        "catalog is for language 'tr', but lies in the folder of 'ar'",
    ),
    "wrong-plural": ("nplurals=6;", "nplurals=2;", 2, "nplurals = 2 but plural expression"),
}


@pytest.mark.parametrize(("old", "new", "status", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_catalog_is_an_input_error(catalogued: Path, old, new, status, message) -> None:
    path = catalogued / "locales" / AR
    content = path.read_text(encoding="utf-8")
    # break the first occurrence after the header
    head, _, tail = content.partition("\n\n")
    if old in head:
        head = head.replace(old, new, 1)
    else:
        tail = tail.replace(old, new, 1)
    path.write_text(head + "\n\n" + tail, encoding="utf-8")
    before = snapshot(catalogued)
    for args in (("build",), ("catalog", "update")):
        result = run(catalogued, *args)
        assert result.exit_code == status, result.output
        assert "error: locales/ar/LC_MESSAGES/messages.po:" in result.output
        assert message in result.output
        assert "Traceback" not in result.output
    assert snapshot(catalogued) == before


def test_plural_rule_other_than_cldr_is_a_warning_not_an_input_error(catalogued: Path) -> None:
    """CLDR's plural rules change between Babel releases (Persian and Turkish went from one form
    to two in Babel 2.19): a catalog's own header must not stop a build, `check` names it."""
    import json

    from babel.messages.plurals import get_plural

    translate(catalogued, AR, {"Kontakt": "اتصال"})
    path = catalogued / "locales" / AR
    content = path.read_text(encoding="utf-8")
    declared = get_plural("ar").plural_forms
    assert declared in content
    path.write_text(content.replace(declared, "nplurals=2; plural=(n != 1);"), encoding="utf-8")
    assert run(catalogued, "build", "--lang", "ar", "--edition", "single").exit_code == 0
    assert run(catalogued, "catalog", "update", "--check").exit_code == 0
    assert "nplurals=2; plural=(n != 1);" in path.read_text(encoding="utf-8")  # kept
    checked = run(catalogued, "check", "--json")
    rows = json.loads(checked.output)["messages"]
    assert [r for r in rows if r["check"] == "plural rule"] == [
        {
            "lang": "ar",
            "context": "(header)",
            "severity": "warning",
            "check": "plural rule",
            "detail": f"Plural-Forms 'nplurals=2; plural=(n != 1);' differs from the CLDR rule "
            f"of Babel {babel_version} for 'ar': {declared}",
        }
    ]
    path.write_text(content, encoding="utf-8")  # back to CLDR's rule: nothing to say
    rows = json.loads(run(catalogued, "check", "--json").output)["messages"]
    assert not [r for r in rows if r["check"] == "plural rule"]


def test_catalog_changed_meanwhile_is_not_overwritten(catalogued: Path, monkeypatch) -> None:
    from brochures.translation import catalogs

    path = catalogued / "locales" / AR
    real_merge = catalogs.merge

    def translator_saves_meanwhile(old, template, lang, *more):
        if lang == "ar":
            path.write_bytes(path.read_bytes() + b"\n# saved by Poedit\n")
        return real_merge(old, template, lang, *more)

    monkeypatch.setattr(catalogs, "merge", translator_saves_meanwhile)
    edit(catalogued / "source/brochures/eltern.yaml", "Schule verstehen", "Schule gut verstehen")
    result = run(catalogued, "catalog", "update")
    assert result.exit_code == 1
    assert "changed on disk after it was read" in result.output
    assert path.read_bytes().endswith(b"# saved by Poedit\n")
