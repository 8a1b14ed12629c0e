"""The review store: entries in page order with their pages, saves (approve, send back, edit,
revert), conflicts, refused checks, the review log, and catalogs msgfmt accepts after all."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import run

from brochures.content.project import load_project
from brochures.review import log, store
from brochures.translation.catalogs import DRAFT_COMMENT, State, mark_machine_translation

AR = "ar/LC_MESSAGES/messages.po"


def catalog(project: Path) -> polib.POFile:
    return polib.pofile(str(project / "locales" / AR))


def po_entry(project: Path, entry_id: str) -> polib.POEntry:
    return next(e for e in catalog(project) if (e.msgctxt or e.msgid) == entry_id)


def msgfmt_ok(project: Path) -> None:
    path = project / "locales" / AR
    run_ = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True)
    assert run_.returncode == 0, run_.stderr.decode()


@pytest.fixture
def project(basic: Path) -> Path:
    """The basic fixture with an Arabic catalog: one machine draft, one draft, the rest empty."""
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / "locales" / AR
    po = polib.pofile(str(path))
    for e in po:
        if e.msgctxt == "brochure:eltern/title":
            e.msgstr, e.flags = "فهم المدرسة", ["fuzzy"]
            mark_machine_translation(e, "test engine, 2026-01-01")
        elif e.msgctxt == "brochure:eltern/closing":
            e.msgstr, e.flags, e.tcomment = "اسألوا في المدرسة.", ["fuzzy"], DRAFT_COMMENT
    po.save(str(path))
    return basic


def test_entries_of_a_brochure_in_page_order_with_pages_and_states(project: Path) -> None:
    entries = store.entries(load_project(project), "ar", "eltern")
    ids = [e.id for e in entries]
    assert ids[0] == "brochure:eltern/title"  # the cover comes first
    assert "brochure:jugend/title" not in ids  # another brochure's text
    assert "Ziel des Kreises" in ids and "Kontakt" in ids  # template strings by their German
    drawn = [e for e in entries if e.pages[0]["pages"]]
    pages = [min(e.pages[0]["pages"]) for e in drawn]
    assert pages == sorted(pages)  # page order
    # the last few are looked up but not drawn on a page (metadata; the notice's translation
    # while it has none: the notice is then shown once, in German; "Notizen" when the booklet,
    # filled out, needs no notes page)
    assert [e.id for e in drawn] == ids[: len(drawn)] and len(ids) - len(drawn) <= 5
    title = entries[0]
    assert title.state is State.UNREVIEWED and title.suggestion == "فهم المدرسة"
    assert {p["edition"] for p in title.pages} == {"single", "bilingual"}
    assert title.pages[0] == {"brochure": "eltern", "edition": "single", "pages": [1]}
    closing = next(e for e in entries if e.id == "brochure:eltern/closing")
    assert closing.suggestion is None  # a person's draft, not the engine's
    assert next(e for e in entries if e.id == "bildung").state is State.MISSING


def test_approve_records_the_reviewer_and_drops_machine_marks(project: Path) -> None:
    p = load_project(project)
    before = store.get(p, "ar", "brochure:eltern/title")
    saved = store.save(
        p, "ar", before.id, "فهم المدرسة", True, before.version, "Amira", comment="gut"
    )
    assert saved.state is State.REVIEWED and saved.version != before.version
    e = po_entry(project, "brochure:eltern/title")
    assert "fuzzy" not in e.flags
    assert "machine translation" not in e.tcomment
    assert e.tcomment.splitlines()[-1].startswith("reviewed by Amira, 20")
    assert "comment by Amira" in e.tcomment
    msgfmt_ok(project)
    (record,) = store.history(p, "ar", before.id)
    assert record["reviewer"] == "Amira" and record["action"] == "approve"
    assert record["old"] == {"translation": "فهم المدرسة", "state": "unreviewed"}
    assert record["new"] == {"translation": "فهم المدرسة", "state": "reviewed"}


def test_send_back_keeps_the_comment_and_leaves_it_unreviewed(project: Path) -> None:
    p = load_project(project)
    before = store.get(p, "ar", "brochure:eltern/closing")
    store.save(p, "ar", before.id, before.translation, True, before.version, "Amira")
    now = store.get(p, "ar", before.id)
    after = store.save(
        p, "ar", now.id, now.translation, False, now.version, "Omar", comment="zu förmlich"
    )
    assert after.state is State.UNREVIEWED
    e = po_entry(project, before.id)
    assert "fuzzy" in e.flags and "sent back by Omar" in e.tcomment and "zu förmlich" in e.tcomment
    assert "reviewed by" not in e.tcomment  # no longer reviewed
    msgfmt_ok(project)


def test_stale_version_is_a_conflict_and_nothing_is_written(project: Path) -> None:
    p = load_project(project)
    before = store.get(p, "ar", "brochure:eltern/closing")
    store.save(p, "ar", before.id, "نص آخر.", False, before.version, "Amira")
    raw = (project / "locales" / AR).read_bytes()
    with pytest.raises(store.Conflict) as caught:
        store.save(p, "ar", before.id, "نصي.", True, before.version, "Omar")
    assert caught.value.current.translation == "نص آخر."
    assert caught.value.yours["translation"] == "نصي."
    assert (project / "locales" / AR).read_bytes() == raw
    assert len(store.history(p, "ar", before.id)) == 1


def test_message_check_error_is_refused(project: Path) -> None:
    p = load_project(project)
    before = store.get(p, "ar", "Für: %(audience)s")
    raw = (project / "locales" / AR).read_bytes()
    with pytest.raises(store.CheckFailed) as caught:
        store.save(p, "ar", before.id, "لـ: الجمهور", True, before.version, "Amira")
    assert caught.value.checks[0]["check"] == "placeholders"
    assert (project / "locales" / AR).read_bytes() == raw
    with pytest.raises(store.UnknownEntry):
        store.save(p, "ar", "no/such-id", "x", False, None, "Amira")
    with pytest.raises(store.UnknownLanguage):
        store.entries(p, "fr")


def test_revert_restores_text_and_state_and_every_save_is_logged(project: Path) -> None:
    p = load_project(project)
    first = store.get(p, "ar", "bildung")
    one = store.save(p, "ar", "bildung", "التعليم", True, first.version, "Amira")
    two = store.save(p, "ar", "bildung", "تعليم", False, one.version, "Omar", comment="?")
    assert two.state is State.UNREVIEWED
    seq = store.history(p, "ar", "bildung")[-1]["seq"]
    back = store.revert(p, "ar", "bildung", seq, two.version, "Amira")
    assert (back.translation, back.state) == ("التعليم", State.REVIEWED)
    actions = [r["action"] for r in store.history(p, "ar", "bildung")]
    assert actions == ["approve", "send-back", "revert"]
    lines = log.log_path(p).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["bildung"] * 3
    msgfmt_ok(project)


def test_outdated_entry_shows_previous_german_and_approval_clears_it(project: Path) -> None:
    p = load_project(project)
    first = store.get(p, "ar", "bildung")
    store.save(p, "ar", "bildung", "التعليم", True, first.version, "Amira")
    yaml = next((project / "source").rglob("konzept.yaml"))
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("Bildung\n", "Bildung und Schule\n", 1), "utf-8"
    )
    assert run(project, "catalog", "update").exit_code == 0
    outdated = store.get(load_project(project), "ar", "bildung")
    assert outdated.state is State.OUTDATED and outdated.previous == "Bildung"
    approved = store.save(p, "ar", "bildung", "التعليم والمدرسة", True, outdated.version, "Amira")
    assert approved.state is State.REVIEWED and approved.previous is None
    assert po_entry(project, "bildung").previous_msgid is None
    msgfmt_ok(project)


def test_status_names_the_last_review_per_row_and_sums_up_each_language(project: Path) -> None:
    p = load_project(project)
    rows = json.loads(run(project, "status", "--json").output)
    assert {(r["last_reviewer"], r["last_reviewed"]) for r in rows} == {(None, None)}
    title = store.get(p, "ar", "brochure:eltern/title")
    store.save(p, "ar", title.id, title.translation, True, title.version, "Amira K.")
    both = store.get(p, "ar", "Ziel des Kreises")  # a template string both brochures show
    store.save(p, "ar", both.id, "هدف", True, both.version, "Omar")
    rows = {
        (r["brochure"], r["language"]): r
        for r in json.loads(run(project, "status", "--json").output)
    }
    today = store.history(p, "ar", "Ziel des Kreises")[0]["time"][:10]
    assert rows[("eltern", "ar")]["last_reviewed"] == today
    assert rows[("eltern", "ar")]["last_reviewer"] in {"Amira K.", "Omar"}
    assert rows[("eltern", "ar")]["reviewed"] == 2
    assert (rows[("jugend", "ar")]["last_reviewer"], rows[("jugend", "ar")]["reviewed"]) == (
        "Omar",
        1,
    )
    assert rows[("eltern", "en")]["last_reviewer"] is None
    output = run(project, "status").output
    # each text once per language, though both brochures show "Ziel"
    texts = len({e.id for b in ("eltern", "jugend") for e in store.entries(p, "ar", b)})
    lines = output.splitlines()
    summary = lines.index(next(line for line in lines if line.startswith("ar: ")))
    assert lines[summary].startswith(f"ar: {texts} texts: 2 reviewed, ")
    # both approvals fall on the same day: either name is the last review of that day
    assert re.search(rf"reviewed; last reviewed {today} by (Omar|Amira K\.)$", lines[summary + 1])
    english = lines.index(next(line for line in lines if line.startswith("en: ")))
    assert lines[english + 1] == "  0% reviewed; nothing reviewed yet"
