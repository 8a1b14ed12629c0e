"""Issue 14, a brochure a parent would pick up: contact data, drafts that say so on page 1,
the colophon, creation date, cover and back cover (fixture data only: nothing about the county)."""

from __future__ import annotations

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
    assert "warning" not in result.output
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
