"""Concept versions in use: what is new marked in place, and catalogs after a synopsis import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
from conftest import REPO, run, snapshot
from pdfinspect import text

from brochures.translation.catalogs import State, state_of

SEED = REPO / "source/synopsen/integrationskonzept-synopse-2019.txt"


def test_whats_new_marks_the_changes_where_they_are(basic: Path) -> None:
    """What the later version changed is marked at the goal and the measure it concerns (the
    label says "ergänzt in der Fassung vom …", a new measure says "neu"): no box that repeats
    the goal's title above it."""
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8") + "whats_new: true\n", encoding="utf-8"
    )
    assert run(basic, "build", "--lang", "de", "--brochure", "eltern").exit_code == 0
    content = text(basic / "build/pdf/eltern/eltern.de.pdf")
    # labels are set in capitals (CSS): the text layer carries them so
    assert "ZIEL DES KREISES · ERGÄNZT IN DER FASSUNG VOM 30. JUNI 2021 Eltern über die Schule" in (
        content
    )
    assert content.count("Eltern über die Schule informieren") == 1  # the title, once
    assert "NEU Kooperation mit Schulen" in content
    assert "NEU Schulbegleitende" not in content  # only renumbered
    # a brochure that follows the earlier version has nothing new to show
    brochure.write_text(brochure.read_text(encoding="utf-8") + "version: alt\n", encoding="utf-8")
    assert run(basic, "build", "--lang", "de", "--brochure", "eltern", "--force").exit_code == 0
    content = text(basic / "build/pdf/eltern/eltern.de.pdf")
    assert "FASSUNG VOM" not in content and "NEU " not in content


def repo_copy(tmp_path: Path) -> Path:
    project = tmp_path / "repo"
    for folder in ("source", "templates", "locales"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def test_import_that_changes_nothing_changes_no_catalog(tmp_path: Path) -> None:
    project = repo_copy(tmp_path)
    before = snapshot(project)
    seed = project / "source/synopsen" / SEED.name
    assert run(project, "import-synopsis", str(seed)).exit_code == 0
    assert run(project, "catalog", "update").exit_code == 0
    assert snapshot(project) == before


def test_import_of_a_changed_synopsis_outdates_exactly_the_changed_translations(
    tmp_path: Path,
) -> None:
    project = repo_copy(tmp_path)
    old = "Das Beratungsangebot der Erziehungs- und Bildungseinrichtungen muss sich an den "
    new = "Das Beratungsangebot der Schulen und Kitas muss sich an den "
    synopsis = tmp_path / "synopse-neu.txt"
    synopsis.write_text(SEED.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    catalog_path = project / "locales/ar/LC_MESSAGES/messages.po"
    before = {
        (e.msgctxt, e.msgid): (e.msgstr, state_of(e)) for e in polib.pofile(str(catalog_path))
    }
    result = run(project, "import-synopsis", str(synopsis))
    assert result.exit_code == 0, result.output
    assert run(project, "catalog", "update").exit_code == 0
    after = polib.pofile(str(catalog_path))
    changed = [e for e in after if not e.obsolete and (e.msgctxt, e.msgid) not in before]
    assert [e.msgctxt for e in changed] == ["eltern-schulsystem/beratungsangebot"]
    entry = changed[0]
    assert state_of(entry) is State.OUTDATED
    assert entry.previous_msgid.startswith(old)
    for e in after:
        if e is not entry and not e.obsolete:
            assert before[(e.msgctxt, e.msgid)] == (e.msgstr, state_of(e))
    rows = json.loads(run(project, "status", "--json").output)
    outdated = {(r["brochure"], r["language"]) for r in rows if r["outdated"]}
    assert ("schule-eltern", "ar") in outdated
    assert not any(b != "schule-eltern" for b, _ in outdated)
