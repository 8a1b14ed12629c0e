"""Issue 18 class 1: the user cache never runs what it reads, and a damaged entry is a miss."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pyphen
import pytest
from conftest import ROOTS, run

from brochures import files
from brochures.content import yamlfile
from brochures.rendering import checks, render, workers
from brochures.translation import catalogs

CONCEPT = ROOTS / "basic/source/konzept.yaml"
CATALOG = """\
msgid ""
msgstr ""
"Project-Id-Version: brochures\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "gruss"
msgid "Hallo"
msgstr "Hello"
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache and an empty state folder (where the cache's secret lives)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setattr(files, "_TRUSTED", {})
    for cached in (checks._cmap, checks._font_files, checks.fontconfig_stamp):
        cached.cache_clear()
    yield tmp_path / "xdg-cache" / "brochures"
    for cached in (checks._cmap, checks._font_files, checks.fontconfig_stamp):
        cached.cache_clear()


class Payload:
    """A pickle that makes a folder when it is unpickled: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def poison(path: Path, marker: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(Payload(marker)))


def test_crafted_yaml_and_catalog_entries_run_no_code(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    text = CONCEPT.read_text(encoding="utf-8")
    poison(yamlfile._cache_path(text), marker)
    doc, problems = yamlfile.load(CONCEPT)
    assert doc is not None and not problems and doc.data["title"]
    catalogs.parse_catalog(CATALOG, "en.po")
    [entry] = (cache / "catalogs").iterdir()
    poison(entry, marker)
    po = catalogs.parse_catalog(CATALOG, "en.po")
    assert [(e.msgctxt, e.msgstr) for e in po] == [("gruss", "Hello")]
    assert not marker.exists()
    # the entries were replaced by JSON (data, not code)
    digest, _, text = entry.read_bytes().partition(b"\n")
    assert json.loads(text)["entries"][0]["msgstr"] == "Hello" and len(digest) == 64


def test_crafted_font_and_hyphenation_entries_run_no_code(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "code-ran"
    font = checks.font_file("DejaVu Sans")
    assert font is not None
    first = checks._cmap(font)
    for entry in (cache / "fonts").iterdir():
        poison(entry, marker)
    for cached in (checks._cmap, checks._font_files):
        cached.cache_clear()
    assert checks.font_file("DejaVu Sans") == font
    assert checks._cmap(font) == first
    monkeypatch.setattr(pyphen, "hdcache", {})
    workers.warm_hyphenation(["de"])
    [entry] = (cache / "hyphenation").iterdir()
    poison(entry, marker)
    monkeypatch.setattr(pyphen, "hdcache", {})
    workers.warm_hyphenation(["de"])
    assert not marker.exists()
    german = pyphen.Pyphen(lang="de")
    assert german.inserted("Integrationskonzept") == pyphen.Pyphen(lang="de").inserted(
        "Integrationskonzept"
    )
    assert "-" in german.inserted("Integrationskonzept")


# Entries that made the pickle-based cache raise instead of missing, and JSON of the wrong shape.
GARBAGE = {
    "overflow pickle": b"\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\x7f.",
    "missing module": b"\x80\x04\x8c\x0cnot_a_module\x94\x8c\x01x\x94\x93\x94.",
    "json of another shape": b'{"entries": 5, "header": null}',
    "a mixed list": b'[1, "x", {}]',
    "deep json": b"[" * 100_000 + b"]" * 100_000,
    "infinity": b"[Infinity, NaN]",
    "not utf-8": b"\xff\xfe\x00",
}


def rewrite(entry: Path, text: bytes, digest: bool) -> None:
    """Put `text` into a cache entry, with a correct check line if `digest` (a damaged entry
    whose check line still matches: the shape checks must catch it)."""
    line = files._digest(entry, text).encode() if digest else b"0" * 64
    entry.write_bytes(line + b"\n" + text)


@pytest.mark.parametrize("digest", [True, False], ids=["check line right", "check line wrong"])
@pytest.mark.parametrize("garbage", GARBAGE, ids=list(GARBAGE))
def test_a_damaged_entry_is_a_miss_never_an_error(cache: Path, garbage: str, digest: bool) -> None:
    doc, _ = yamlfile.load(CONCEPT)
    catalogs.parse_catalog(CATALOG, "en.po")
    font = checks.font_file("DejaVu Sans")
    assert doc is not None and font is not None
    characters = checks._cmap(font)
    for folder in ("yaml", "catalogs", "fonts"):
        for entry in (cache / folder).iterdir():
            rewrite(entry, GARBAGE[garbage], digest)
    for cached in (checks._cmap, checks._font_files):
        cached.cache_clear()
    again, problems = yamlfile.load(CONCEPT)
    assert again is not None and not problems and again.data == doc.data
    assert again.lines == doc.lines
    assert [e.msgstr for e in catalogs.parse_catalog(CATALOG, "en.po")] == ["Hello"]
    assert checks.font_file("DejaVu Sans") == font and checks._cmap(font) == characters


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_cache_folder_others_can_write_is_not_used(
    cache: Path, tmp_path: Path, mode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "code-ran"
    folder = cache / "yaml"
    folder.mkdir(parents=True)
    folder.chmod(mode)
    entry = yamlfile._cache_path(CONCEPT.read_text(encoding="utf-8"))
    rewrite(entry, json.dumps([{"title": "planted by someone else"}, []]).encode(), True)
    doc, problems = yamlfile.load(CONCEPT)
    assert doc is not None and not problems
    assert doc.data["title"] != "planted by someone else"
    assert b"planted" in entry.read_bytes()  # not used, not written either
    assert f"user cache {folder} is not used" in capsys.readouterr().err
    assert not marker.exists()


def test_a_cache_folder_of_another_user_is_not_used(cache: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root (CI runs as root)")
    cache.mkdir(parents=True)
    os.chown(cache, 65534, 65534)
    catalogs.parse_catalog(CATALOG, "en.po")
    assert not (cache / "catalogs").exists()  # not even made in a foreign folder


def test_the_cache_folders_are_made_owner_only(cache: Path) -> None:
    catalogs.parse_catalog(CATALOG, "en.po")
    assert (cache.stat().st_mode & 0o777) == 0o700
    assert ((cache / "catalogs").stat().st_mode & 0o777) == 0o700
    [entry] = (cache / "catalogs").iterdir()
    assert entry.stat().st_mode & 0o077 == 0


# ---- Jinja2's compiled templates: code by nature, so every entry is authenticated ----


def default_templates() -> Path:
    import brochures

    return Path(brochures.__file__).parent.parent / "templates"


def compiled_entry(name: str = "base.html.j2") -> Path:
    templates = default_templates()
    env = render.environment([templates], templates)
    env.get_template(name)
    compiled = env.bytecode_cache
    assert isinstance(compiled, render._BytecodeCache)
    key = compiled.get_cache_key(name, str((templates / name).resolve()))
    return compiled.entry_path(key)


def test_compiled_templates_are_authenticated(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    entry = compiled_entry()
    good = entry.read_bytes()
    assert len(good) > 32
    # someone else's code under our entry's name, with no valid MAC: never unpickled
    from jinja2.bccache import bc_magic

    entry.write_bytes(b"\0" * 32 + bc_magic + pickle.dumps(Payload(marker)))
    templates = default_templates()
    env = render.environment([templates], templates)
    env.get_template("base.html.j2")
    assert not marker.exists()
    assert entry.read_bytes() == good  # compiled again, kept again with our MAC


def test_a_compiled_template_from_another_secret_is_a_miss(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = compiled_entry()
    ours = entry.read_bytes()
    # a cache restored from elsewhere: same entry name, made with another user's secret
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    entry.unlink()
    theirs = compiled_entry().read_bytes()
    assert theirs[32:] == ours[32:] and theirs[:32] != ours[:32]  # same code, other MAC
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    loads = []
    original = render._BytecodeCache.load_bytecode

    def counting(self, bucket):
        original(self, bucket)
        loads.append(bucket.code is not None)

    monkeypatch.setattr(render._BytecodeCache, "load_bytecode", counting)
    assert compiled_entry().read_bytes() == ours  # compiled again and written with our MAC
    assert loads == [False]


def test_no_secret_no_compiled_templates_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "xdg-state/brochures/cache.key"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(os.urandom(32))
    secret.chmod(0o644)  # readable by others: not a secret
    templates = default_templates()
    env = render.environment([templates], templates)
    assert env.get_template("base.html.j2") is not None
    assert not (cache / "jinja2").exists() or not list((cache / "jinja2").iterdir())


def test_a_build_with_a_poisoned_cache_runs_no_code(cache: Path, basic: Path, tmp_path: Path):
    marker = tmp_path / "code-ran"
    assert run(basic, "list").exit_code == 0
    for entry in cache.rglob("*"):
        if entry.is_file():
            poison(entry, marker)
    result = run(basic, "list")
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_signed_entries_load_only_what_this_user_wrote(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pyphen's patterns are kept marshalled (JSON took 0.8 s to load): marshal only ever reads
    bytes whose HMAC with this user's secret verifies."""
    import marshal

    entry = cache / "hyphenation" / "patterns.marshal"
    entry.parent.mkdir(parents=True)
    files.write_signed(entry, {"ab": (0, (1, 2))})
    assert files.read_signed(entry, dict) == {"ab": (0, (1, 2))}
    good = entry.read_bytes()
    entry.write_bytes(good[:32] + marshal.dumps({"ab": (9, (9,))}))  # changed, same MAC
    assert files.read_signed(entry, dict) is None
    entry.write_bytes(good[:-1])  # truncated
    assert files.read_signed(entry, dict) is None
    entry.write_bytes(good)
    assert files.read_signed(entry, list) is None  # not of the kind asked for
    renamed = entry.with_name("other.marshal")  # an entry under another name
    renamed.write_bytes(good)
    assert files.read_signed(renamed, dict) is None
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "someone-else"))  # another secret
    assert files.read_signed(entry, dict) is None
