"""End to end: the CLI builds real PDFs with WeasyPrint; the PDFs are inspected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run, snapshot
from pdfinspect import fonts, metadata, page_sizes_mm, text


@pytest.fixture(scope="module")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's default content, built once for every test of this module."""
    import shutil

    from conftest import REPO

    target = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO / "source", target / "source")
    shutil.copytree(REPO / "templates", target / "templates")
    result = run(target, "build")
    assert result.exit_code == 0, result.output
    return target


def pdf_of(project: Path, brochure: str, lang: str = "de") -> Path:
    return project / "build" / "pdf" / brochure / f"{brochure}.{lang}.pdf"


def test_default_brochures_are_built(repo_build: Path) -> None:
    for brochure in ("schule-eltern", "bildungsabschluss", "kultur-freizeit"):
        assert pdf_of(repo_build, brochure).stat().st_size > 5000


def test_school_brochure_is_a5_with_goal_texts_from_the_concept(repo_build: Path) -> None:
    pdf = pdf_of(repo_build, "schule-eltern")
    assert set(page_sizes_mm(pdf)) == {(148, 210)}
    content = text(pdf)
    assert "Eltern mit Migrationshintergrund über das Schulsystem aufklären" in content
    # the paragraph the later version added, and the course name from the concept
    assert "Das Beratungsangebot der Erziehungs- und Bildungseinrichtungen muss sich" in content
    assert "„Kess erziehen“" in content  # German quotation marks, as in the introduction
    assert "Broschüre über das Schulsystem in verschiedenen Sprachen" in content
    assert "Stand: Integrationskonzept des Kreises Warendorf, Fassung vom 27. Mai 2019" in content


def test_booklet_pages_carry_footer_with_page_numbers(repo_build: Path) -> None:
    pdf = pdf_of(repo_build, "schule-eltern")
    pages = int(metadata(pdf)["pages"])
    content = text(pdf)
    notes = [n for n in range(1, pages + 1) if "Notizen" in text(pdf, page=n)]
    for number in range(2, pages):  # inside pages; the covers have no footer
        footer = f"Schule in Deutschland verstehen · Fassung vom 27. Mai 2019 {number}"
        # each page its own number, as the PDF counts (no "of y": notes pages come later)
        assert text(pdf, page=number).endswith(footer) != (number in notes), number
    assert "Schule in Deutschland verstehen · Fassung vom 27. Mai 2019" in content


def test_flyer_is_a4_and_shows_measures_without_council_numbers(repo_build: Path) -> None:
    pdf = pdf_of(repo_build, "bildungsabschluss")
    sizes = page_sizes_mm(pdf)
    assert set(sizes) == {(210, 297)} and len(sizes) <= 2
    content = text(pdf)
    for measure in (  # as a parent reads them: no council numbering
        "Intensivere Kooperationen mit weiterführenden Schulen",
        "Einbezug der Schulsozialarbeiter",
        "Schulbegleitende Maßnahmen installieren",
    ):
        assert measure in content
        assert not re.search(rf"\d\. {measure}", content)


def test_culture_brochure_follows_later_version(repo_build: Path) -> None:
    content = text(pdf_of(repo_build, "kultur-freizeit"))
    assert "Musikschulen" in content  # only in a paragraph the later version adds
    assert "Kontakt zu ansässigen Religionsgemeinschaften herstellen" in content
    assert "Interreligiösen Dialog etablieren" in content


def test_fonts_are_embedded_noto_subsets(repo_build: Path) -> None:
    found = fonts(pdf_of(repo_build, "schule-eltern"))
    assert found and all(found.values()), found
    assert all("Noto" in name for name in found), found
    assert all("+" in name for name in found), "fonts should be subset"


def test_metadata_title_author_subject_language(repo_build: Path) -> None:
    info = metadata(pdf_of(repo_build, "schule-eltern"))
    assert info["/Title"] == "Schule in Deutschland verstehen"
    assert info["/Author"] == "Kreis Warendorf"
    assert "Fassung vom 27. Mai 2019" in info["/Subject"]
    assert info["/Lang"] == "de"


def test_build_is_byte_identical_when_repeated(basic: Path) -> None:
    assert run(basic, "build").exit_code == 0
    first = snapshot(basic / "build")
    assert run(basic, "build").exit_code == 0
    assert snapshot(basic / "build") == first


def test_earlier_version_on_request(basic: Path) -> None:
    brochure = basic / "source" / "brochures" / "eltern.yaml"
    brochure.write_text(brochure.read_text(encoding="utf-8") + "version: alt\n", encoding="utf-8")
    assert run(basic, "build", "--brochure", "eltern").exit_code == 0
    content = text(pdf_of(basic, "eltern"))
    assert "Dieser Satz gilt nur in der alten Fassung." in content
    assert "Bedarfen" not in content  # added in the later version
    assert "Ein Elternkurs kann ebenfalls helfen" not in content
    assert "Schulbegleitende Maßnahmen installieren" in content
    assert "Fassung vom 15. Januar 2020" in content


def test_later_version_by_default_with_markup_and_elision(basic: Path) -> None:
    assert run(basic, "build", "--brochure", "eltern").exit_code == 0
    content = text(pdf_of(basic, "eltern"))
    assert "Die Beratung richtet sich nach den Bedarfen der Eltern." in content
    assert "Ein Elternkurs kann ebenfalls helfen." in content
    assert "Dieser Satz gilt nur in der alten Fassung." not in content
    assert "Folglich ist es wichtig" in content
    assert "[…]" not in content  # no elision marks: a parent cannot place them
    assert "Schulbegleitende Maßnahmen installieren" in content
    assert "ziel des kreises" in content.lower() and "ziel 2" not in content.lower()
    assert "Bildung ist der Schlüssel zur Teilhabe." in content  # field_intro: true


def test_contact_block_leaves_out_empty_fields(basic: Path) -> None:
    assert run(basic, "build", "--brochure", "eltern").exit_code == 0
    content = text(pdf_of(basic, "eltern"))
    assert "Integrationsbüro Musterkreis" in content
    assert "0000 000000" in content
    assert "E-Mail" not in content and "Sprechzeiten" not in content


def test_only_selected_brochure_is_built(basic: Path) -> None:
    result = run(basic, "build", "--brochure", "jugend")
    assert result.exit_code == 0, result.output
    assert pdf_of(basic, "jugend").exists()
    assert not pdf_of(basic, "eltern").exists()


def test_overflowing_flyer_fails_its_job_and_others_still_run(basic: Path) -> None:
    long_text = " ".join(["Ein sehr langer Absatz, der die Seite füllt."] * 400)
    flyer = basic / "source" / "brochures" / "jugend.yaml"
    flyer.write_text(flyer.read_text(encoding="utf-8") + f"intro: {long_text}\n", encoding="utf-8")
    stale = pdf_of(basic, "jugend")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF- stale")
    result = run(basic, "build")
    assert result.exit_code == 1
    assert "does not fit the a4-flyer format" in result.output
    assert "at most 2" in result.output
    assert pdf_of(basic, "eltern").exists()
    assert not stale.exists(), "a stale PDF of a failed job must not look current"


def test_list_shows_fields_goals_and_brochures(repo_project: Path) -> None:
    result = run(repo_project, "list")
    assert result.exit_code == 0, result.output
    assert "eltern-schulsystem" in result.output
    assert "(field of action not named in the excerpt)" in result.output
    assert "religionsgemeinschaften" in result.output and "(added)" in result.output
    for brochure in ("schule-eltern", "bildungsabschluss", "kultur-freizeit"):
        assert brochure in result.output
