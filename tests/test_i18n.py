"""The tool's own messages in German and English: language choice, catalogs, click's texts."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from click.testing import CliRunner
from conftest import REPO

from brochures import i18n, uimessages
from brochures.cli import cli

GERMAN = {"LANG": "de_DE.UTF-8"}


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_help_in_german_and_in_english() -> None:
    german = invoke("build", "--help", env=GERMAN)
    english = invoke("build", "--help")
    assert german.exit_code == english.exit_code == 0
    assert "Aufruf: cli build" in german.output
    assert "Optionen:" in german.output
    assert "Nur diese Broschüre erzeugen" in german.output  # a `help=` of ours
    assert "Diese Hilfe zeigen und beenden." in german.output  # one of click's own
    assert "[Vorgabe: all]" in german.output
    assert "Usage: cli build" in english.output
    assert "Build only this brochure" in english.output
    assert "Nur diese" not in english.output
    listing = invoke("--help", env=GERMAN).output
    assert "Handlungsfelder, Ziele (Kennungen und Titel) und" in listing  # docstrings too
    assert "Befehle:" in listing


def test_errors_and_output_in_german(basic: Path) -> None:
    wrong = invoke("bild", env=GERMAN)
    assert wrong.exit_code == 2
    assert "Fehler: Befehl 'bild' gibt es nicht. Meinten Sie 'build'?" in wrong.output
    ours = invoke(
        "--project", str(basic), "impose", "--brochure", "nope", "--lang", "de", env=GERMAN
    )
    assert ours.exit_code == 2
    assert "Fehler: unbekannte Broschüre 'nope' (bekannt:" in ours.output
    listing = invoke("--project", str(basic), "list", env={"LANGUAGE": "fr:de", "LANG": "fr_FR"})
    assert "Broschüren:" in listing.output
    english = invoke("--project", str(basic), "list", env={"LANGUAGE": "", "LANG": "fr_FR.UTF-8"})
    assert "brochures:" in english.output  # no catalog for French: English


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT"}, "de"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "C", "LC_MESSAGES": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "en_GB:de"}, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "tr:de"}, "de"),
        ({"LANG": "tr_TR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert i18n.ui_language() == expected
    assert (i18n._("Usage:") == "Aufruf:") == (expected == "de")
    assert i18n.ngettext("{count} error", "{count} errors", 2) in (
        "{count} errors",
        "{count} Fehler",
    )


def test_browser_languages() -> None:
    assert i18n.negotiate("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert i18n.negotiate("en-US,en;q=0.9,de;q=0.8") == "en"
    assert i18n.negotiate("ar,de;q=0.5") == "de"
    assert i18n.negotiate("fr, de;q=0") == "en"
    assert i18n.negotiate("") == "en"
    assert i18n.negotiate(None) == "en"
    assert i18n.translations("de").gettext("Usage:") == "Aufruf:"
    assert i18n.translations("en").gettext("Usage:") == "Usage:"
    assert i18n.translations("ar").gettext("Usage:") == "Usage:"


def test_catalogs_hold_every_message_with_german() -> None:
    """`python -m brochures.uimessages` was run after the last change of a message, and every
    message has its German (a new message without German fails here)."""
    how = "run `.venv/bin/python -m brochures.uimessages`, then write the German (docs/i18n.md)"
    assert uimessages.merge(check=True) == [], how
    assert uimessages.untranslated("de") == [], how
    help_texts = {
        str(m.id)
        for m in uimessages.extract()
        if any(c.startswith("help text") for c in m.auto_comments)
    }
    assert "Machine-readable output." in help_texts  # `help=` of an option
    assert "List fields of action, goals (ids and titles) and brochures." in help_texts


def test_german_keeps_the_placeholders() -> None:
    catalog = uimessages._read(i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "brochures.po", "de")
    assert catalog is not None
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for string in strings:
            if not _fields(string) <= wanted or (len(ids) == 1 and _fields(string) != wanted):
                wrong.append((message.id, string))
    assert wrong == []


def _fields(text: str) -> set[str]:
    import re
    import string

    if "%(" in text:
        return set(re.findall(r"%\((\w+)\)", text))
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_click_still_has_the_texts_we_translate() -> None:
    """The texts of click marked in brochures/i18n.py are click's, word for word."""
    ours = set()
    tree = ast.parse((Path(i18n.__file__)).read_text(encoding="utf-8"))
    (function,) = [n for n in tree.body if getattr(n, "name", "") == "_click_texts"]
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            ours |= {a.value for a in node.args if isinstance(a, ast.Constant) and a.value != 1}
    theirs = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        os.path.dirname(click.__file__), [("**.py", "python")]
    ):
        theirs |= set(message) if isinstance(message, tuple) else {message}
    # "required" reaches gettext through a variable (`_(extra["required"])`): found as a literal
    source = (Path(click.__file__).parent / "core.py").read_text(encoding="utf-8")
    literal = {m for m in ours - theirs if f'_(extra["{m}"])' in source}
    assert len(ours) > 20
    assert ours - theirs - literal == set()


def test_installed_wheel_speaks_german(tmp_path: Path) -> None:
    """From a wheel (no .mo files in it, no repository around): compiled on first use."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            *["pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w"],
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("brochures-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "brochures/locale/de/LC_MESSAGES/brochures.po" in names
    assert "brochures/locale/en/LC_MESSAGES/brochures.po" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "LANG": "de_DE.UTF-8",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    out = subprocess.run(
        [sys.executable, "-c", "import brochures.cli as c; print(c.__file__); c.main()", "--help"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.stdout.startswith(str(target)), out.stdout + out.stderr
    assert "Diese Hilfe zeigen und beenden." in out.stdout
    assert list((tmp_path / "cache" / "brochures" / "locale").glob("*/de/LC_MESSAGES/*.mo"))


def test_unwritable_cache_leaves_english(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    i18n.compiled_dir.cache_clear()
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent-cache-for-the-test")
    monkeypatch.setattr("brochures.files.write_atomic", refuse)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    try:
        assert i18n.compiled_dir() is None
        assert i18n._("Usage:") == "Usage:"
    finally:
        i18n.compiled_dir.cache_clear()


def test_input_errors_in_german(basic: Path) -> None:
    flyer = basic / "source" / "brochures" / "jugend.yaml"
    flyer.write_text(flyer.read_text(encoding="utf-8") + "sprachen: [de]\n", encoding="utf-8")
    result = invoke("--project", str(basic), "list", env=GERMAN)
    assert result.exit_code == 2
    assert "Fehler: source/brochures/jugend.yaml:6: unbekannter Schlüssel 'sprachen' (gültige" in (
        result.output
    )
    english = invoke("--project", str(basic), "list")
    assert "error: source/brochures/jugend.yaml:6: unknown key 'sprachen' (valid keys:" in (
        english.output
    )
    flyer.write_text(flyer.read_text(encoding="utf-8").replace("sprachen: [de]\n", ""))
    wrong = invoke("--project", str(basic), "build", "--lang", "it", env=GERMAN)
    assert "'it' gehört nicht zu den Sprachen des Projekts (de, en, ar in source/project.yaml" in (
        " ".join(wrong.output.split())
    )
