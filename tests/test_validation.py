"""Invalid input: every problem is one `error: path:line: message` line, exit 2, nothing written.

Each case edits a fresh copy of `tests/roots/basic`. The line numbers below are those of the
edited files; `tests/roots/basic/source/konzept.yaml` has, for instance, the first goal at line
24, its `title:` at line 26 and its paragraphs `wichtig`, `beratung`, `wandel` and `entfallen`
at lines 28, 31, 34 and 38.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, run, snapshot

from brochures.content.concept import Change, Measure, Paragraph, load_concept
from brochures.content.project import default_templates

CONCEPT = "source/konzept.yaml"
SETTINGS = "source/project.yaml"
ELTERN = "source/brochures/eltern.yaml"
JUGEND = "source/brochures/jugend.yaml"

Edit = Callable[[Path], None]


def replace(rel: str, old: str, new: str) -> Edit:
    """Replace the one occurrence of `old` in a file (the case is wrong if there is not one)."""

    def edit(project: Path) -> None:
        path = project / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not in {rel} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def write(rel: str, content: str | bytes) -> Edit:
    def edit(project: Path) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return edit


def transform(rel: str, change: Callable[[str], bytes]) -> Edit:
    """Rewrite a file's bytes from its text (other encodings, BOM, line endings)."""

    def edit(project: Path) -> None:
        path = project / rel
        path.write_bytes(change(path.read_text(encoding="utf-8")))

    return edit


def append(rel: str, text: str) -> Edit:
    def edit(project: Path) -> None:
        with (project / rel).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def remove(rel: str) -> Edit:
    return lambda project: (project / rel).unlink()


def truncate_at(rel: str, marker: str) -> Edit:
    """Keep the file only up to (not including) `marker`."""

    def edit(project: Path) -> None:
        path = project / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(marker) == 1
        path.write_text(text.split(marker)[0], encoding="utf-8")

    return edit


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def searched() -> str:
    return str(default_templates().resolve() / "formats")


GOAL0 = "sections[0].fields[0].goals[0]"
GOAL1 = "sections[0].fields[0].goals[1]"
GOAL0_NUMBER = "number: 1\n            title: Eltern"  # line 25 of konzept.yaml, and 26
SECOND_FIELD = """\
      - id: kultur
        number: "5.2"
        title: Kultur
        goals:
          - id: eltern-informieren
            title: Eltern zu Festen einladen
"""

# (edits, expected error lines, commands to run)
# the valid keys an unknown-key error lists
BROCHURE_KEYS = (
    "audience, closing, contact, faq, field_intro, format, glossary, goals, helpers, id, intro, "
    "languages, leads, school_system, subtitle, title, version, whats_new"
)
GOAL_KEYS = "alt_title, change, id, measures, note, number, paragraphs, title, title_only"
CONTACT_KEYS = "email, hours, office, organisation, phone, postcode, street, town, web"
CASES = [
    # ---- konzept.yaml: schema ----
    pytest.param(
        [replace(CONCEPT, "    title: Eltern über", "    titel: Eltern über")],
        [
            f"error: {CONCEPT}:24: {GOAL0}: missing required field 'title'",
            f"error: {CONCEPT}:26: {GOAL0}: unknown key 'titel' (valid keys: {GOAL_KEYS}; "
            "did you mean 'title'?)",
        ],
        ("build", "list"),
        id="concept-unknown-key-typo",
    ),
    pytest.param(
        [replace(CONCEPT, GOAL0_NUMBER, GOAL0_NUMBER.replace("number", "prio"))],
        [f"error: {CONCEPT}:25: {GOAL0}: unknown key 'prio' (valid keys: {GOAL_KEYS})"],
        ("build",),
        id="concept-unknown-key",
    ),
    pytest.param(
        [replace(CONCEPT, "            title: Jugendliche beim Abschluss unterstützen\n", "")],
        [f"error: {CONCEPT}:50: {GOAL1}: missing required field 'title'"],
        ("build",),
        id="concept-goal-without-title",
    ),
    pytest.param(
        [replace(CONCEPT, "title: Bildung\n", "title: Bildung\n        title: Bildungswesen\n")],
        [f"error: {CONCEPT}:20: duplicate key 'title' (first at line 19)"],
        ("build", "list"),
        id="concept-duplicate-key",
    ),
    pytest.param(
        [replace(CONCEPT, "- id: jugendliche-foerdern", "- id: eltern-informieren")],
        [f"error: {CONCEPT}:50: duplicate goal id 'eltern-informieren' (first at line 24)"],
        ("build",),
        id="concept-duplicate-goal-id",
    ),
    pytest.param(
        [append(CONCEPT, SECOND_FIELD)],  # lines 58-63: the field at 58, its goal at 62
        [f"error: {CONCEPT}:62: duplicate goal id 'eltern-informieren' (first at line 24)"],
        ("build", "list"),
        id="concept-duplicate-goal-across-fields",
    ),
    pytest.param(
        [append(CONCEPT, SECOND_FIELD.replace("id: kultur", "id: bildung"))],
        [
            f"error: {CONCEPT}:58: duplicate field id 'bildung' (first at line 17)",
            f"error: {CONCEPT}:62: duplicate goal id 'eltern-informieren' (first at line 24)",
        ],
        ("build",),
        id="concept-duplicate-field-id",
    ),
    pytest.param(
        [replace(CONCEPT, "- id: beratung\n", "- id: wichtig\n")],
        [f"error: {CONCEPT}:31: duplicate text id 'eltern-informieren/wichtig' (first at line 28)"],
        ("build",),
        id="concept-duplicate-paragraph-id",
    ),
    pytest.param(
        [replace(CONCEPT, "2020-01-15", "2019-02-30")],
        [
            f"error: {CONCEPT}:7: versions[0].date: Input should be a valid date or datetime, "
            "day value is outside expected range (got '2019-02-30')"
        ],
        ("build", "list"),
        id="concept-bad-date",
    ),
    pytest.param(
        [replace(CONCEPT, "                before: Ein Elterncafé kann helfen.\n", "")],
        [
            f"error: {CONCEPT}:34: {GOAL0}.paragraphs[2]: change 'changed' needs 'before' and "
            "'after' (and no 'text')"
        ],
        ("build",),
        id="concept-changed-without-before",
    ),
    pytest.param(
        [
            replace(
                CONCEPT,
                "                text: Die Beratung richtet",
                "                before: Alt.\n                after: Die Beratung richtet",
            )
        ],
        [
            f"error: {CONCEPT}:31: {GOAL0}.paragraphs[1]: change 'added' needs 'text' "
            "(and no 'before'/'after')"
        ],
        ("build",),
        id="concept-added-with-before-after",
    ),
    pytest.param(
        [
            replace(
                CONCEPT,
                "                before: Ein Elterncafé kann helfen.\n",
                "                before: Gleich.\n",
            ),
            replace(CONCEPT, "after: Ein Elterncafé kann helfen. Ein Elternkurs", "after: Gleich."),
            replace(CONCEPT, "Gleich. kann ebenfalls helfen.", "Gleich."),
        ],
        [
            f"error: {CONCEPT}:34: {GOAL0}.paragraphs[2]: marked 'changed' but 'before' and "
            "'after' are the same text"
        ],
        ("build",),
        id="concept-changed-but-same-text",
    ),
    pytest.param(
        [replace(CONCEPT, "change: removed", "change: deleted")],
        [
            f"error: {CONCEPT}:39: {GOAL0}.paragraphs[3].change: Input should be 'unchanged', "
            "'added', 'removed' or 'changed' (got 'deleted')"
        ],
        ("build",),
        id="concept-unknown-change",
    ),
    pytest.param(
        [
            replace(
                CONCEPT,
                GOAL0_NUMBER,
                GOAL0_NUMBER.replace("number: 1", "change: changed"),
            )
        ],
        [
            f"error: {CONCEPT}:24: {GOAL0}: a goal is 'unchanged', 'added' or 'removed'; "
            "mark its texts instead"
        ],
        ("build",),
        id="concept-goal-marked-changed",
    ),
    pytest.param(
        [replace(CONCEPT, "- id: eltern-informieren", "- id: Eltern Schule")],
        [
            f"error: {CONCEPT}:24: {GOAL0}.id: 'Eltern Schule' is not a valid id "
            "(lowercase a-z, digits and single hyphens)"
        ],
        ("build", "list"),
        id="concept-bad-slug",
    ),
    pytest.param(
        [
            replace(
                CONCEPT,
                "number: 1\n            title: Eltern",
                "number: eins\n            title: Eltern",
            )
        ],
        [
            f"error: {CONCEPT}:25: {GOAL0}.number: Input should be a valid integer, unable to "
            "parse string as an integer (got 'eins')"
        ],
        ("build",),
        id="concept-number-not-an-integer",
    ),
    pytest.param(
        [replace(CONCEPT, "title: Jugendliche beim Abschluss unterstützen", 'title: "  "')],
        [f"error: {CONCEPT}:52: {GOAL1}.title: must not be empty (got '  ')"],
        ("build",),
        id="concept-blank-title",
    ),
    # ---- konzept.yaml: cross-checks ----
    pytest.param(
        [replace(CONCEPT, "default_version: neu", "default_version: mittel")],
        [f"error: {CONCEPT}:11: default_version: unknown version 'mittel' (known: alt, neu)"],
        ("build", "list"),
        id="concept-default-version-unknown",
    ),
    pytest.param(
        [
            replace(
                CONCEPT,
                "default_version: neu",
                "  - id: neuer\n    label: Neuer\n    date: 2022-01-01\ndefault_version: neu",
            )
        ],
        [f"error: {CONCEPT}:4: versions: exactly two versions expected, got 3"],
        ("build",),
        id="concept-three-versions",
    ),
    pytest.param(
        [replace(CONCEPT, "2020-01-15", "2022-01-15")],
        [f"error: {CONCEPT}:10: versions: the later version must have the later date"],
        ("build",),
        id="concept-versions-in-wrong-order",
    ),
    pytest.param(
        [replace(CONCEPT, "2020-01-15", "2021-06-30")],
        [f"error: {CONCEPT}:10: versions: the later version must have the later date"],
        ("build",),
        id="concept-versions-same-date",
    ),
    pytest.param(
        [replace(CONCEPT, "  - id: neu\n", "  - id: alt\n")],
        [
            f"error: {CONCEPT}:8: duplicate version id 'alt' (first at line 5)",
            f"error: {CONCEPT}:11: default_version: unknown version 'neu' (known: alt)",
        ],
        ("build",),
        id="concept-duplicate-version-id",
    ),
    pytest.param(
        [truncate_at(CONCEPT, "        goals:\n")],
        [f"error: {CONCEPT}:12: sections: the concept has no goals"],
        ("build", "list"),
        id="concept-without-goals",
    ),
    pytest.param(
        [
            replace(CONCEPT, "    title: Eltern über", "    titel: Eltern über"),
            replace(CONCEPT, "2020-01-15", "2019-02-30"),
            replace(CONCEPT, "            title: Jugendliche beim Abschluss unterstützen\n", ""),
            replace(CONCEPT, "change: removed", "change: deleted"),
        ],
        [
            f"error: {CONCEPT}:7: versions[0].date: Input should be a valid date or datetime, "
            "day value is outside expected range (got '2019-02-30')",
            f"error: {CONCEPT}:24: {GOAL0}: missing required field 'title'",
            f"error: {CONCEPT}:26: {GOAL0}: unknown key 'titel' (valid keys: {GOAL_KEYS}; "
            "did you mean 'title'?)",
            f"error: {CONCEPT}:39: {GOAL0}.paragraphs[3].change: Input should be 'unchanged', "
            "'added', 'removed' or 'changed' (got 'deleted')",
            f"error: {CONCEPT}:50: {GOAL1}: missing required field 'title'",
        ],
        ("build", "list"),
        id="concept-several-problems-at-once",
    ),
    # ---- konzept.yaml: the file itself ----
    pytest.param(
        [write(CONCEPT, "")],
        [f"error: {CONCEPT}: file is empty"],
        ("build", "list"),
        id="concept-empty-file",
    ),
    pytest.param(
        [write(CONCEPT, "# nur ein Kommentar\n\n")],
        [f"error: {CONCEPT}: file is empty"],
        ("build",),
        id="concept-only-a-comment",
    ),
    pytest.param(
        [replace(CONCEPT, "        title: Bildung\n", "\ttitle: Bildung\n")],
        [f"error: {CONCEPT}:19: invalid YAML: tab character used for indentation (use spaces)"],
        ("build",),
        id="concept-tab-indentation",
    ),
    pytest.param(
        [replace(CONCEPT, "title: Bildung\n", 'title: "Bildung\n')],
        [
            f"error: {CONCEPT}:19: invalid YAML: unclosed quote "
            "(the file ends before the closing quote)"
        ],
        ("build", "list"),
        id="concept-unclosed-quote",
    ),
    pytest.param(
        [replace(CONCEPT, "text: Ein Abschluss verbessert", "text: 'Ein Abschluss verbessert")],
        [
            f"error: {CONCEPT}:55: invalid YAML: unclosed quote "
            "(the file ends before the closing quote)"
        ],
        ("build",),
        id="concept-unclosed-quote-on-last-line",
    ),
    pytest.param(
        [
            replace(
                CONCEPT, "title: Testkonzept des Musterkreises", "title: Testkonzept: des Kreises"
            )
        ],
        [f"error: {CONCEPT}:2: invalid YAML: mapping values are not allowed here"],
        ("build",),
        id="concept-colon-in-plain-text",
    ),
    pytest.param(
        [
            transform(
                CONCEPT, lambda t: t.replace("label: Alt\n", "label: Älter\n").encode("latin-1")
            )
        ],
        [f"error: {CONCEPT}:6: not valid UTF-8 (byte 0xc4)"],
        ("build", "list"),
        id="concept-latin-1",
    ),
    pytest.param(
        [remove(CONCEPT)],
        [f"error: {CONCEPT}: file not found"],
        ("build",),
        id="concept-missing",
    ),
    pytest.param(
        [remove(CONCEPT), lambda project: (project / CONCEPT).mkdir()],
        [f"error: {CONCEPT}: is a folder, expected a file"],
        ("build",),
        id="concept-is-a-folder",
    ),
    pytest.param(
        [
            transform(
                CONCEPT,
                lambda t: (
                    b"\xef\xbb\xbf"
                    + t.replace("titel", "title")
                    .replace("    title: Eltern über", "    titel: Eltern über")
                    .replace("\n", "\r\n")
                    .encode()
                ),
            )
        ],
        [
            f"error: {CONCEPT}:24: {GOAL0}: missing required field 'title'",
            f"error: {CONCEPT}:26: {GOAL0}: unknown key 'titel' (valid keys: {GOAL_KEYS}; "
            "did you mean 'title'?)",
        ],
        ("build",),
        id="concept-bom-crlf-lines-still-right",
    ),
    # ---- project.yaml ----
    pytest.param(
        [replace(SETTINGS, "[de, en, ar]", "[de, xx, ar]")],
        [f"error: {SETTINGS}:2: languages[1]: unknown language code 'xx' (did you mean xh?)"],
        ("build", "list"),
        id="settings-unknown-language",
    ),
    pytest.param(
        [replace(SETTINGS, "[de, en, ar]", "[de, deu-x]")],
        [
            f"error: {SETTINGS}:2: languages[1]: unknown language code 'deu-x' "
            "(did you mean eu, de, kde?)"
        ],
        ("build",),
        id="settings-malformed-language",
    ),
    pytest.param(
        [replace(SETTINGS, "languages: [de, en, ar]", "languages:\n  - de\n  - en\n  - de")],
        [f"error: {SETTINGS}:5: languages[2]: 'de' listed twice"],
        ("build",),
        id="settings-language-twice",
    ),
    pytest.param(
        [replace(SETTINGS, "default_format: a5-booklet", "default_format: a6-card")],
        [
            f"error: {SETTINGS}:3: default_format: unknown format 'a6-card' "
            f"(known: a4-flyer, a5-booklet, dl-trifold; searched {searched()})"
        ],
        ("build", "list"),
        id="settings-unknown-default-format",
    ),
    pytest.param(
        [replace(SETTINGS, "  phone:", "  telefon:")],
        [f"error: {SETTINGS}:6: contact: unknown key 'telefon' (valid keys: {CONTACT_KEYS})"],
        ("build",),
        id="settings-unknown-contact-key",
    ),
    pytest.param(
        [replace(SETTINGS, "issuer: Musterkreis\n", "")],
        [f"error: {SETTINGS}:1: missing required field 'issuer'"],
        ("build",),
        id="settings-missing-issuer",
    ),
    # ---- brochures ----
    pytest.param(
        [replace(ELTERN, "[eltern-informieren]", "[eltern-informieren, nope]")],
        [
            f"error: {ELTERN}:6: goals[1]: unknown goal 'nope' "
            "(known: eltern-informieren, jugendliche-foerdern)"
        ],
        ("build", "list"),
        id="brochure-unknown-goal",
    ),
    pytest.param(
        [
            replace(
                JUGEND,
                "goals: [jugendliche-foerdern]",
                "goals:\n  - jugendliche-foerdern\n  - nope",
            )
        ],
        [
            f"error: {JUGEND}:7: goals[1]: unknown goal 'nope' "
            "(known: eltern-informieren, jugendliche-foerdern)"
        ],
        ("build",),
        id="brochure-unknown-goal-block-list",
    ),
    pytest.param(
        [
            lambda project: (project / "source/brochures/zweit.yaml").write_bytes(
                (project / ELTERN).read_bytes()
            )
        ],
        [
            "error: source/brochures/zweit.yaml:1: duplicate brochure id 'eltern' "
            f"(also in {ELTERN})"
        ],
        ("build", "list"),
        id="brochure-duplicate-id",
    ),
    pytest.param(
        [replace(JUGEND, "id: jugend", "id: jugendliche")],
        [f"error: {JUGEND}:1: id 'jugendliche' differs from the file name 'jugend'"],
        ("build",),
        id="brochure-id-differs-from-file-name",
    ),
    pytest.param(
        [replace(JUGEND, "format: a4-flyer", "format: a3-poster")],
        [
            f"error: {JUGEND}:4: format: unknown format 'a3-poster' "
            f"(known: a4-flyer, a5-booklet, dl-trifold; searched {searched()})"
        ],
        ("build", "list"),
        id="brochure-unknown-format",
    ),
    pytest.param(
        [replace(JUGEND, "goals:", "languages:\n  - de\n  - fr\ngoals:")],
        [
            f"error: {JUGEND}:7: languages[1]: 'fr' is not one of the project's languages "
            "(de, en, ar in source/project.yaml; add it there first)"
        ],
        ("build",),
        id="brochure-language-not-in-project",
    ),
    pytest.param(
        [replace(JUGEND, "goals:", "languages: [de, xx]\ngoals:")],
        [f"error: {JUGEND}:5: languages[1]: unknown language code 'xx' (did you mean xh?)"],
        ("build",),
        id="brochure-unknown-language",
    ),
    pytest.param(
        [replace(JUGEND, "goals: [jugendliche-foerdern]\n", "")],
        [f"error: {JUGEND}:1: missing required field 'goals'"],
        ("build", "list"),
        id="brochure-missing-goals",
    ),
    pytest.param(
        [replace(JUGEND, "goals: [jugendliche-foerdern]", "goals: []")],
        [f"error: {JUGEND}:5: goals: a brochure needs at least one goal"],
        ("build",),
        id="brochure-empty-goals",
    ),
    pytest.param(
        [replace(JUGEND, "goals:", "version: mittel\ngoals:")],
        [f"error: {JUGEND}:5: version: unknown version 'mittel' (known: alt, neu)"],
        ("build",),
        id="brochure-unknown-version",
    ),
    pytest.param(
        [replace(JUGEND, "audience: Jugendliche", "zielgruppe: Jugendliche")],
        [
            f"error: {JUGEND}:1: missing required field 'audience'",
            f"error: {JUGEND}:3: unknown key 'zielgruppe' (valid keys: {BROCHURE_KEYS})",
        ],
        ("build",),
        id="brochure-unknown-key",
    ),
    pytest.param(
        [replace(JUGEND, "goals: [jugendliche-foerdern]", "goals: [jugendliche-foerdern")],
        [f"error: {JUGEND}:5: invalid YAML: unclosed '[' (the file ends before the closing ']')"],
        ("build",),
        id="brochure-unclosed-bracket",
    ),
    pytest.param(
        [transform(ELTERN, lambda t: t.encode("latin-1"))],
        [f"error: {ELTERN}:3: not valid UTF-8 (byte 0xfc)"],
        ("build",),
        id="brochure-latin-1",
    ),
    pytest.param(
        [remove(ELTERN), remove(JUGEND)],
        ["error: source/brochures: no brochure definitions (*.yaml)"],
        ("build", "list"),
        id="no-brochures",
    ),
    # ---- problems in several files are reported together ----
    pytest.param(
        [
            replace(SETTINGS, "[de, en, ar]", "[de, xx, ar]"),
            replace(CONCEPT, "2020-01-15", "2019-02-30"),
            replace(JUGEND, "goals: [jugendliche-foerdern]", "goals: []"),
        ],
        [
            f"error: {SETTINGS}:2: languages[1]: unknown language code 'xx' (did you mean xh?)",
            f"error: {CONCEPT}:7: versions[0].date: Input should be a valid date or datetime, "
            "day value is outside expected range (got '2019-02-30')",
            f"error: {JUGEND}:5: goals: a brochure needs at least one goal",
        ],
        ("build",),
        id="several-files",
    ),
    # ---- the command line ----
    pytest.param(
        [],
        [
            "error: unknown language code 'xx'; the project's languages: de, en, ar in "
            "source/project.yaml"
        ],
        ("build --lang xx",),
        id="cli-unknown-language",
    ),
]


@pytest.mark.parametrize(("edits", "expected", "commands"), CASES)
def test_invalid_input_is_reported_with_its_line(
    basic: Path, edits: list[Edit], expected: list[str], commands: tuple[str, ...]
) -> None:
    for edit in edits:
        edit(basic)
    before = snapshot(basic)
    for command in commands:
        result = run(basic, *command.split())
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert errors(result.output) == expected, result.output
        assert not (basic / "build").exists()
        assert snapshot(basic) == before


def assert_refused(result, project: Path, before: dict[str, bytes], expected: list[str]) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert errors(result.output) == expected, result.output
    assert not (project / "build").exists()
    assert snapshot(project) == before


def test_unknown_brochure_names_the_known_ones(basic: Path) -> None:
    before = snapshot(basic)
    result = run(basic, "build", "--brochure", "nope")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "error: unknown brochure 'nope' (known: eltern, jugend)" in errors(result.output)
    assert not (basic / "build").exists()
    assert snapshot(basic) == before


def test_unknown_brochure_is_the_only_error(basic: Path) -> None:
    result = run(basic, "build", "--brochure", "nope")
    assert errors(result.output) == ["error: unknown brochure 'nope' (known: eltern, jugend)"]


def test_not_a_project(tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run(tmp_path, "build")
    expected = [f"error: {tmp_path.resolve()}: not a brochures project (no source/ folder)"]
    assert_refused(result, tmp_path, before, expected)


def test_unreadable_concept(basic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs as root, where chmod does not stop reading: make opening this one file fail."""
    before = snapshot(basic)
    target = (basic / CONCEPT).resolve()
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if isinstance(path, str | pathlib.Path) and pathlib.Path(path).resolve() == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    results = [run(basic, "build"), run(basic, "list")]
    monkeypatch.undo()
    for result in results:
        assert_refused(
            result, basic, before, [f"error: {CONCEPT}: cannot be read: permission denied"]
        )


def test_build_is_a_file(basic: Path) -> None:
    (basic / "build").write_text("not a folder\n", encoding="utf-8")
    before = snapshot(basic)
    result = run(basic, "build")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    build = basic.resolve() / "build"
    assert errors(result.output) == ["error: build: is not a folder (remove or rename it)"]
    assert build.is_file()
    assert snapshot(basic) == before


def bom_crlf(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def test_bom_and_crlf_simply_work(basic: Path) -> None:
    for rel in (CONCEPT, ELTERN):
        transform(rel, bom_crlf)(basic)
    assert (basic / CONCEPT).read_bytes().startswith(b"\xef\xbb\xbf# A small concept")
    listed = run(basic, "list")
    assert listed.exit_code == 0, listed.output
    assert "eltern-informieren" in listed.output
    result = run(basic, "build", "--brochure", "eltern")
    assert result.exit_code == 0, result.output
    assert "error:" not in result.output
    pdf = basic / "build" / "pdf" / "eltern" / "eltern.de.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


# ---- the repository's own concept ----

REAL_CONCEPT = REPO / "source" / "konzept.yaml"


@pytest.fixture(scope="module")
def concept():
    loaded, _doc = load_concept(REAL_CONCEPT, "source/konzept.yaml")
    return loaded


def test_real_concept_goals(concept) -> None:
    goals = concept.goals()
    assert {"eltern-schulsystem", "hoeherer-bildungsabschluss"} <= set(goals)
    field_53 = next(f for _s, f in concept.fields() if f.number == "5.3")
    assert [g.id for g in field_53.goals] == [
        "kultur-freizeitangebote",
        "interreligioeser-dialog",
        "kulturelles-miteinander",
        "religionsgemeinschaften",
    ]
    assert goals["religionsgemeinschaften"].goal.change is Change.ADDED


def test_real_concept_texts(concept) -> None:
    texts = {t.full_id: t for t in concept.texts()}
    assert len(texts) == len(list(concept.texts())), "full ids are not unique"
    assert all(t.full_id for t in concept.texts())

    beratung = texts["eltern-schulsystem/beratungsangebot"]
    assert isinstance(beratung, Paragraph)
    assert beratung.change is Change.ADDED

    (measure,) = [t for t in concept.texts() if t.text == "Schulbegleitende Maßnahmen installieren"]
    assert isinstance(measure, Measure)
    assert (measure.change, measure.number, measure.previous_number) == (Change.UNCHANGED, 3, 1)

    (musik,) = [t for t in concept.texts() if "Musikschulen" in (t.text_in(later=True) or "")]
    assert isinstance(musik, Paragraph)
    assert musik.change is Change.ADDED
    assert musik.text_in(later=False) is None


def test_real_concept_changed_paragraph(concept) -> None:
    section = next(s for s in concept.sections if s.number == "2.2")
    (paragraph,) = section.paragraphs
    assert paragraph.change is Change.CHANGED
    assert paragraph.new_sentences() == [
        "Hinzu kommt, dass Menschen aus verschiedenen Beweggründen nach Deutschland kommen und "
        "mit unterschiedlichen Voraussetzungen starten.",
        "Das Ziel des Konzeptes ist, die Menschen unabhängig von ihrer Herkunft, ihres Status, "
        "ihrer Bleibeperspektive oder ihrer Beweggründe Chancen für eine Integration zu "
        "ermöglichen.",
    ]


def test_real_concept_unnamed_field(concept) -> None:
    (unnamed,) = [f for _s, f in concept.fields() if f.title is None]
    assert unnamed.id == "handlungsfeld-ungenannt"
    assert unnamed.note
    assert [g.id for g in unnamed.goals] == ["eltern-schulsystem", "hoeherer-bildungsabschluss"]
