"""Issue 18 class 2: a translator's typo affects only its own entry, never the whole build."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import run
from markupsafe import Markup

from brochures.translation.messages import conversions, format_issues, message_issues

AUDIENCE = "Für: %(audience)s"


def translate(project: Path, lang: str, msgid: str, msgstr: str, reviewed: bool) -> None:
    """Give one template string a translation (reviewed, or a fuzzy draft)."""
    path = project / "locales" / lang / "LC_MESSAGES/messages.po"
    po = polib.pofile(str(path), wrapwidth=78)
    [entry] = [e for e in po if e.msgid == msgid and not e.msgctxt and not e.obsolete]
    entry.msgstr = msgstr
    entry.flags = [f for f in entry.flags if f != "fuzzy"] + ([] if reviewed else ["fuzzy"])
    entry.previous_msgid = None
    po.save(str(path))


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def project(basic: Path) -> Path:
    assert run(basic, "catalog", "update").exit_code == 0
    for entry in polib.pofile(str(basic / "locales/en/LC_MESSAGES/messages.po")):
        assert entry.msgid != "Für: %(audience)s" or not entry.msgctxt
    return basic


TYPOS = {
    "lone percent": "For: %(audience)s 100 %",
    "repr conversion": "For: %(audience)r",
    "char conversion": "For: %(audience)c",
    "unknown name": "For: %(zielgruppe)s",
    "positional": "For: %s",
    "star width": "For: %(audience)*d",
}


@pytest.mark.parametrize("typo", TYPOS, ids=list(TYPOS))
def test_an_unreviewed_typo_falls_back_to_german_for_its_entry_only(
    project: Path, typo: str
) -> None:
    translate(project, "en", AUDIENCE, TYPOS[typo], reviewed=False)
    result = run(project, "build", "--brochure", "eltern", "--edition", "single", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Für: %(audience)s" in result.output  # named among the texts shown in German
    english = pdf_text(project / "build/pdf/eltern/eltern.en.pdf")
    assert "Für:" in english and "For:" not in english and "Markup(" not in english
    assert (project / "build/pdf/eltern/eltern.de.pdf").is_file()
    check = run(project, "check", "--json")
    rows = json.loads(check.output[check.output.index("{") :])["messages"]
    assert any(
        r["lang"] == "en" and r["context"] == AUDIENCE and r["severity"] == "error" for r in rows
    ), rows
    status = run(project, "status", "--json")
    assert status.exit_code == 0, status.output


@pytest.mark.parametrize("typo", ["lone percent", "repr conversion", "char conversion"])
def test_a_reviewed_typo_fails_its_own_jobs_naming_entry_and_language(
    project: Path, typo: str
) -> None:
    translate(project, "en", AUDIENCE, TYPOS[typo], reviewed=True)
    result = run(project, "build", "--brochure", "eltern", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "eltern.en" in result.output
    assert f"reviewed translation of {AUDIENCE} fails a message check" in result.output
    assert not (project / "build/pdf/eltern/eltern.en.pdf").exists()
    assert (project / "build/pdf/eltern/eltern.de.pdf").is_file()  # German is built
    assert "Für:" in pdf_text(project / "build/pdf/eltern/eltern.de.pdf")


def test_a_formatting_failure_the_checks_did_not_foresee_stays_in_its_entry(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderer's own guard: should a translation pass the checks and still fail to format,
    German is shown for it (unreviewed) and the failure is recorded on the entry."""
    from brochures.translation import catalogs

    translate(project, "en", AUDIENCE, "For: %(audience)d", reviewed=False)  # text as number
    real = catalogs.message_issues
    monkeypatch.setattr(catalogs, "message_issues", lambda *a, **k: [])  # checks miss it
    result = run(project, "build", "--brochure", "eltern", "--lang", "en", "--jobs", "1")
    monkeypatch.setattr(catalogs, "message_issues", real)
    assert result.exit_code == 0, result.output
    assert "Für:" in pdf_text(project / "build/pdf/eltern/eltern.en.pdf")
    assert AUDIENCE in result.output


def test_a_lone_percent_in_a_concept_text_is_fine() -> None:
    # concept texts are not formatted: "30 %" and Turkish "%30" are plain text
    assert message_issues("Quote von 30 %", "%30 oranında", formatted=False) == []
    assert [i.check for i in message_issues("Ziel", "Ziel %", formatted=True)] == ["placeholders"]


@pytest.mark.parametrize(
    "text, found, lone",
    [
        ("%(a)s und %(b)d", ["%(a)s", "%(b)d"], []),
        ("100 %% sicher", [], []),
        ("Ziel %", [], [5]),
        ("%(a)-10.3f", ["%(a)-10.3f"], []),
        ("% (a)s", [], [0]),
        ("% d Kinder", ["% d"], []),
        ("%(a", [], [0]),
        ("%y", [], [0]),
    ],
)
def test_conversions_are_read_like_pythons_percent_operator(
    text: str, found: list[str], lone: list[int]
) -> None:
    assert conversions(text) == (found, lone)
    accepted = not format_issues(text, text)  # German and translation alike
    try:
        Markup(text) % {"a": "Eltern", "b": 2}
        formats = True
    except (ValueError, TypeError, KeyError):
        formats = False
    assert accepted == formats  # what the checks accept, Python formats; nothing else


def test_a_translation_ten_times_longer_than_its_german_is_an_error() -> None:
    german = "Kinder stärken"
    assert not [i for i in message_issues(german, "Strengthen children") if i.check == "length"]
    issues = message_issues(german, "Strengthen children. " * 20)
    assert [(i.severity, i.check) for i in issues if i.check == "length"] == [("error", "length")]
    assert not [i for i in message_issues("Ja", "Yes, " * 15) if i.check == "length"]  # floor


def test_a_huge_translation_does_not_make_a_huge_booklet(project: Path) -> None:
    path = project / "locales/en/LC_MESSAGES/messages.po"
    po = polib.pofile(str(path), wrapwidth=78)
    entry = next(e for e in po if e.msgctxt and not e.obsolete)
    entry.msgstr = "Very long text. " * 100_000  # 1.6 MB
    entry.flags = ["fuzzy"]
    po.save(str(path))
    result = run(project, "build", "--brochure", "eltern", "--lang", "en", "--jobs", "1")
    assert result.exit_code == 0, result.output
    english = pdf_text(project / "build/pdf/eltern/eltern.en.pdf")
    assert "Very long text." not in english
    assert english.count("\f") <= 8
