"""`brochures import-synopsis`: the council synopsis into the structured concept, merged by id."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from conftest import REPO, ROOTS, run, snapshot

from brochures.content.concept import Concept, Field, Measure, Paragraph, load_concept
from brochures.content.conceptfile import slug
from brochures.content.synopsis import import_synopsis, pair, shares_sentence

SEED = "synopsen/integrationskonzept-synopse-2019.txt"
SPORT = ROOTS / "synopsis" / "sportkonzept-synopse.txt"


def copy_source(tmp_path: Path) -> Path:
    """A copy of the repository's source/ folder (concept, synopsis, brochures)."""
    target = tmp_path / "project" / "source"
    shutil.copytree(REPO / "source", target)
    return target


def texts(items: list[Paragraph] | list[Measure]) -> list[dict[str, Any]]:
    """Number, previous number, change mark, texts and elision of each text, without its id."""
    return [t.model_dump(exclude={"id"}) for t in items]


def goals(fld: Field) -> list[tuple[Any, ...]]:
    return [
        (g.number, g.title, g.change, g.title_only, texts(g.paragraphs), texts(g.measures))
        for g in fld.goals
    ]


def outline(concept: Concept) -> list[Any]:
    """Structure, texts and change marks without ids (and without hand-written notes)."""
    versions = [(v.label, v.date) for v in concept.versions] + [concept.version().label]
    return [versions] + [
        (s.number, s.title, texts(s.paragraphs),
         [(f.number, f.title, texts(f.paragraphs), goals(f)) for f in s.fields])
        for s in concept.sections
    ]  # fmt: skip


def ids(concept: Concept) -> list[str]:
    structure = [s.id for s in concept.sections] + [f.id for _, f in concept.fields()]
    return structure + list(concept.goals()) + [t.full_id for t in concept.texts()]


def test_seed_into_the_repository_concept_changes_nothing(tmp_path: Path) -> None:
    source = copy_source(tmp_path)
    before = snapshot(source)
    result = run(
        source.parent, "import-synopsis", str(source / SEED), "-o", str(source / "konzept.yaml")
    )
    assert result.exit_code == 0, result.output
    assert f"unchanged: {source / 'konzept.yaml'}" in result.output
    assert "not mapped" not in result.output
    assert snapshot(source) == before  # same bytes, and no temporary file left behind


def test_fresh_import_gives_the_hand_made_structure(tmp_path: Path) -> None:
    source = tmp_path / "new" / "source"
    (source / "synopsen").mkdir(parents=True)
    shutil.copy(REPO / "source" / SEED, source / SEED)
    target = source / "konzept.yaml"

    result = import_synopsis(source / SEED, target, issuer="Kreis Warendorf")

    assert result.written and result.unmapped == [] and result.dropped == []
    imported, _ = load_concept(target, "imported")
    hand_made, _ = load_concept(REPO / "source" / "konzept.yaml", "hand-made")
    assert outline(imported) == outline(hand_made)
    assert imported.origin == hand_made.origin == SEED
    unnamed = imported.sections[1].fields[0]
    assert (unnamed.number, unnamed.title) == (None, None)
    assert unnamed.note == hand_made.sections[1].fields[0].note  # "… nennt … nicht …", no guess
    assert import_synopsis(source / SEED, target).written is False  # a second run is a no-op


def test_ids_and_comments_stay_when_a_text_is_brought_back(tmp_path: Path) -> None:
    source = copy_source(tmp_path)
    concept_file = source / "konzept.yaml"
    original = concept_file.read_bytes()
    seed_text = "an den Bedarfen der Elternschaft orientieren."
    edited = original.decode("utf-8").replace(seed_text, "an den Wünschen der Eltern orientieren.")
    assert edited.count("Wünschen der Eltern") == 1
    concept_file.write_text(edited, encoding="utf-8")

    result = run(source.parent, "import-synopsis", str(source / SEED), "-o", str(concept_file))

    assert result.exit_code == 0, result.output
    assert f"wrote: {concept_file}" in result.output
    merged, _ = load_concept(concept_file, "merged")
    original_concept, _ = load_concept(REPO / "source" / "konzept.yaml", "original")
    assert ids(merged) == ids(original_concept)
    beratung = next(t for t in merged.texts() if t.full_id == "eltern-schulsystem/beratungsangebot")
    assert beratung.text is not None and beratung.text.endswith(seed_text)
    assert concept_file.read_bytes() == original  # comments, quoting and key order kept


def test_made_up_synopsis_with_other_sections(tmp_path: Path) -> None:
    target = tmp_path / "sport" / "konzept.yaml"
    result = run(tmp_path, "import-synopsis", str(SPORT), "-o", str(target), "--issuer", "Kreis")

    assert result.exit_code == 0, result.output
    assert f"{SPORT}:11: not mapped: 3 tab-separated cells" in result.output
    assert result.output.count("not mapped") == 1
    concept, _ = load_concept(target, "sport")
    assert [(v.id, v.label, v.date.isoformat()) for v in concept.versions] == [
        ("jha", "JHA", "2021-02-02"),
        ("kreistag", "Kreistag", "2021-06-15"),
    ]
    assert concept.default_version == "kreistag"
    alltag, sport = concept.sections
    assert (alltag.number, alltag.title, sport.number, sport.title) == (
        "3",
        "Bewegung im Alltag",
        "4",
        "Sport und Verein",
    )
    changed, removed = alltag.paragraphs
    assert changed.change == "changed" and changed.new_sentences() == [
        "Schon kurze Wege zu Fuß helfen."
    ]
    assert (removed.change, removed.text) == (
        "removed",
        "Die Sporthallen sind am Wochenende geschlossen.",
    )
    (verein,) = sport.fields
    assert (verein.number, verein.title) == ("4.1", "Sport & Verein")
    assert [(g.number, g.title, g.change, g.title_only) for g in verein.goals] == [
        (1, "Kinder für Vereinssport gewinnen", "unchanged", False),
        (2, "Ehrenamt stärken", "unchanged", False),
        (3, "Sportangebote für Mädchen ausbauen", "added", True),
    ]
    kinder, ehrenamt, _ = verein.goals
    assert [(p.change, p.elided_before) for p in kinder.paragraphs] == [("unchanged", True)]
    assert [(m.number, m.previous_number, m.change, m.text) for m in kinder.measures] == [
        (1, None, "added", "Vereinsmentoren ausbilden"),
        (2, 1, "unchanged", "Trainerlizenzen fördern"),  # only renumbered
        (2, None, "removed", "Hallenzeiten erweitern"),
    ]
    # plain-text block: the later version starts where its first paragraph repeats
    assert [(p.change, p.text) for p in ehrenamt.paragraphs] == [
        ("unchanged", "Ehrenamtliche tragen den Vereinssport."),
        ("added", "Eine Ehrenamtskarte würdigt ihren Einsatz."),
        ("added", "Der Kreissportbund berät die Vereine."),
    ]
    again = run(tmp_path, "import-synopsis", str(SPORT), "-o", str(target))
    assert f"unchanged: {target}" in again.output


def test_hand_edits_survive_a_reimport(tmp_path: Path) -> None:
    """Renamed ids, notes and alt titles are the editor's; the default output is the project's."""
    concept_file = tmp_path / "source" / "konzept.yaml"
    assert run(tmp_path, "import-synopsis", str(SPORT), "--issuer", "Kreis").exit_code == 0
    text = concept_file.read_text(encoding="utf-8")
    text = text.replace("id: sportangebote-maedchen-ausbauen", "id: maedchen")
    text = text.replace(
        "id: ehrenamt-staerken\n", "id: ehrenamt-staerken\n            note: Neu.\n"
    )
    concept_file.write_text(text, encoding="utf-8")

    result = run(tmp_path, "import-synopsis", str(SPORT))

    assert f"unchanged: {concept_file}" in result.output
    assert concept_file.read_text(encoding="utf-8") == text
    goals = load_concept(concept_file, "sport")[0].goals()
    assert goals["ehrenamt-staerken"].goal.note == "Neu." and "maedchen" in goals


def test_not_a_synopsis_is_a_user_error(tmp_path: Path) -> None:
    text = tmp_path / "brief.txt"
    text.write_text("Sehr geehrte Damen und Herren,\tanbei die Unterlagen.\n", encoding="utf-8")
    target = tmp_path / "out" / "konzept.yaml"

    result = run(tmp_path, "import-synopsis", str(text), "-o", str(target))

    assert result.exit_code == 2
    assert f"error: {text}:1: not a synopsis" in result.output
    assert not target.parent.exists()


def test_a_new_concept_needs_an_issuer(tmp_path: Path) -> None:
    target = tmp_path / "konzept.yaml"
    result = run(tmp_path, "import-synopsis", str(SPORT), "-o", str(target))
    assert result.exit_code == 2
    assert "needs --issuer" in result.output and not target.exists()


def test_pairing_matches_paragraphs_by_common_sentences() -> None:
    earlier = ["A eins. A zwei.", "B eins."]
    later = ["Neu eins. Neu zwei.", "A eins. Neu drei. A zwei.", "B eins."]
    assert pair(earlier, later, shares_sentence) == [(None, 0), (0, 1), (1, 2)]
    assert pair(["Weg."], [], shares_sentence) == [(0, None)]


def test_slugs_are_readable_ascii() -> None:
    assert slug("Das Beratungsangebot der Erziehungs- und Bildungseinrichtungen", "x") == (
        "beratungsangebot-erziehungs-bildungseinrichtungen"
    )
    assert slug("Interreligiösen Dialog etablieren", "x") == "interreligioesen-dialog-etablieren"
    assert slug("Größe & Maß", "x") == "groesse-mass"
    assert slug("(...)", "absatz") == "absatz"
