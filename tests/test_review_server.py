"""The review server: JSON API over a real socket, access (tokens, scope, CSRF), previews, CLI."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx2 as httpx
import polib
import pytest
from conftest import run
from PIL import Image

from brochures.review import tokens
from brochures.review.preview import HIGHLIGHT_LINE, SCALE
from brochures.review.server import create_app

PROTECTED = re.compile(r"(<[^>]+>|%\(\w+\)s|(?:https?://|www\.)\S+[\w/]|[\w.+-]+@[\w.-]+\w)")
AR = "locales/ar/LC_MESSAGES/messages.po"
BEYOND = ["--host", "0.0.0.0", "--port", "0", "--base-url", "https://review.example.org"]


def draft(msgid: str, word: str = "نص") -> str:
    """A draft translation that keeps placeholders, tags, URLs and numbers (fixture text)."""
    parts = PROTECTED.split(msgid)
    return "".join(p if i % 2 else re.sub(r"[^\W\d_]+", word, p) for i, p in enumerate(parts))


@pytest.fixture
def project(basic: Path) -> Path:
    """The basic project with Arabic drafts (unreviewed), one text missing."""
    assert run(basic, "catalog", "update").exit_code == 0
    path = basic / AR
    catalog = polib.pofile(str(path))
    for entry in catalog:
        if entry.msgctxt != "eltern-informieren/wandel":
            entry.msgstr = draft(entry.msgid)
            entry.flags = [*entry.flags, "fuzzy"]
    catalog.save(str(path))
    return basic


def msgfmt_check(path: Path) -> None:
    done = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def office(root: Path) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.office_token(root)}"}


@pytest.fixture
def client(project: Path):
    from starlette.testclient import TestClient

    with TestClient(create_app(project)) as test_client:
        yield test_client


@pytest.fixture
def live(project: Path) -> Iterator[str]:
    """The application in uvicorn on a free port of this machine, in a thread."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(project), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(20)
    sock.close()


def test_api_over_a_real_socket(project: Path, live: str) -> None:
    headers = office(project)
    with httpx.Client(base_url=live, headers=headers, timeout=60) as http:
        languages = http.get("/api/languages").json()
        assert [lang["code"] for lang in languages] == ["en", "ar"]
        arabic = languages[1]
        texts = len([e for e in polib.pofile(str(project / AR)) if not e.obsolete])
        assert arabic["counts"] == {
            "missing": 1,
            "unreviewed": texts - 1,
            "outdated": 0,
            "reviewed": 0,
        }

        entries = http.get("/api/languages/ar/entries", params={"brochure": "eltern"}).json()
        ids = [e["id"] for e in entries]
        assert ids[0] == "brochure:eltern/title"  # page order: the cover first
        entry = next(e for e in entries if e["id"] == "eltern-informieren/beratung")
        assert entry["state"] == "unreviewed"
        assert {"brochure": "eltern", "edition": "single", "pages": [2]} in entry["pages"]

        url = f"/api/languages/ar/entries/{quote(entry['id'], safe='')}"
        body = {"translation": "الاستشارة", "reviewed": True, "version": entry["version"]}
        answer = http.put(url, json={**body, "translation": "<b>الاستشارة</b>"})
        assert answer.status_code == 422  # German has <strong>, not <b>: a check error
        assert answer.json()["checks"][0]["check"] == "inline tags"

        fixed = draft(entry["source"])
        saved = http.put(url, json={**body, "translation": fixed})
        assert saved.status_code == 200, saved.text
        assert saved.json()["state"] == "reviewed"
        assert saved.json()["version"] != entry["version"]
        msgfmt_check(project / AR)
        po_entry = polib.pofile(str(project / AR)).find("eltern-informieren/beratung", "msgctxt")
        assert po_entry is not None and "fuzzy" not in po_entry.flags
        assert re.search(r"reviewed by office, \d{4}-\d{2}-\d{2}", po_entry.tcomment)

        before = (project / AR).read_bytes()
        stale = http.put(url, json={**body, "translation": "نص آخر"})  # the old version
        assert stale.status_code == 409
        conflict = stale.json()
        assert set(conflict) == {"error", "current", "yours"}
        assert conflict["current"]["translation"] == fixed
        assert conflict["yours"]["translation"] == "نص آخر"
        assert (project / AR).read_bytes() == before  # nothing overwritten

        assert http.put("/api/languages/ar/entries/no%2Fsuch", json=body).status_code == 404
        assert http.get("/api/languages/xx/entries").status_code == 404
        assert http.get("/api/languages/de/entries").status_code == 404

        history = http.get(f"/api/languages/ar/history/{quote(entry['id'], safe='')}").json()
        assert [(h["reviewer"], h["old"]["state"], h["new"]["state"]) for h in history] == [
            ("office", "unreviewed", "reviewed")
        ]
        reverted = http.post(
            f"/api/languages/ar/revert/{quote(entry['id'], safe='')}",
            json={"seq": history[0]["seq"], "version": saved.json()["version"]},
        )
        assert reverted.status_code == 200, reverted.text
        assert (reverted.json()["translation"], reverted.json()["state"]) == (
            entry["translation"],
            "unreviewed",
        )
        msgfmt_check(project / AR)
        assert len((project / "review" / "log.jsonl").read_text().splitlines()) == 2


def test_every_route_needs_a_token_and_a_granted_language(project: Path, client) -> None:
    routes = [
        "/",
        "/static/review.js",
        "/api/languages",
        "/api/brochures",
        "/api/languages/ar/entries",
        "/api/languages/ar/history/brochure%3Aeltern%2Ftitle",
        "/api/languages/ar/preview/eltern/1.png",
    ]
    for route in routes:
        assert client.get(route).status_code == 401, route
        wrong = {"Authorization": "Bearer not-a-token"}
        assert client.get(route, headers=wrong).status_code == 401, route
    assert client.put("/api/languages/ar/entries/x", json={}).status_code == 401

    link = run(project, "review", "invite", "ar", "--name", "Amira").output.splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8765/?token=")
    amira = {"Authorization": f"Bearer {link.rpartition('=')[2]}"}
    stored = (project / ".review" / "tokens.json").read_text()
    assert link.rpartition("=")[2] not in stored  # only its hash is kept
    assert tokens.digest(link.rpartition("=")[2]) in stored
    assert (project / ".review" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert [lang["code"] for lang in client.get("/api/languages", headers=amira).json()] == ["ar"]
    assert client.get("/api/languages/ar/entries", headers=amira).status_code == 200
    assert client.get("/api/languages/en/entries", headers=amira).status_code == 403
    preview = "/api/languages/en/preview/eltern/1.png"
    assert client.get(preview, headers=amira).status_code == 403
    entry = client.get("/api/languages/en/entries", headers=office(project)).json()[0]
    put = client.put(
        f"/api/languages/en/entries/{quote(entry['id'], safe='')}",
        headers=amira,
        json={"translation": "Text", "reviewed": True, "version": entry["version"]},
    )
    assert put.status_code == 403

    assert run(project, "review", "revoke", "Amira").exit_code == 0
    assert client.get("/api/languages", headers=amira).status_code == 401  # at once
    assert run(project, "review", "revoke", "Amira").exit_code == 1


def test_link_opens_a_cookie_session_with_csrf_protection(project: Path, client) -> None:
    link = run(project, "review", "invite", "ar", "--name", "Amira").output.splitlines()[-1]
    token = link.rpartition("=")[2]
    opened = client.get(f"/?token={token}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    cookie = opened.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = client.get("/")  # the session cookie alone
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)[1]

    entry = client.get("/api/languages/ar/entries").json()[0]
    url = f"/api/languages/ar/entries/{quote(entry['id'], safe='')}"
    body = {"translation": entry["translation"], "reviewed": True, "version": entry["version"]}
    assert client.put(url, json=body).status_code == 403  # no CSRF token
    assert client.put(url, json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert client.put(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200
    msgfmt_check(project / AR)


def test_texts_are_escaped_and_nothing_outside_the_project_is_served(project: Path, client) -> None:
    name = '<img src=x onerror="alert(1)">'
    link = run(project, "review", "invite", "ar", "--name", name).output.splitlines()[-1]
    client.get(link.replace("http://127.0.0.1:8765", ""), follow_redirects=False)
    page = client.get("/").text
    assert name not in page and "&lt;img src=x onerror=" in page
    headers = office(project)
    (project / "secret.txt").write_text("secret")
    for route in [
        "/static/../../secret.txt",
        "/static/..%2F..%2Fsecret.txt",
        "/static/server.py",
        "/api/languages/..%2F..%2Fsecret.txt/entries",
        "/api/languages/ar/preview/..%2Fsecret/1.png",
        "/api/languages/ar/preview/eltern/0.png",
        "/api/languages/ar/preview/eltern/99.png",
        "/api/languages/ar/preview/eltern/1.png?edition=../secret",
        "/secret.txt",
        "/locales/ar/LC_MESSAGES/messages.po",
    ]:
        answer = client.get(route, headers=headers)
        assert answer.status_code == 404, route
        assert b"secret" not in answer.content.replace(b"/secret", b"")


def test_preview_highlights_the_text_where_it_was_laid_out_and_shows_saves(
    project: Path, client
) -> None:
    headers = office(project)
    entries = client.get("/api/languages/ar/entries?brochure=eltern", headers=headers).json()
    title = next(e for e in entries if e["id"] == "brochure:eltern/title")
    assert {"brochure": "eltern", "edition": "single", "pages": [1]} in title["pages"]
    url = "/api/languages/ar/preview/eltern/1.png"
    plain = client.get(url, headers=headers)
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/png"
    marked = client.get(url, params={"highlight": title["id"]}, headers=headers).content
    other = client.get(url, params={"highlight": "concept/title"}, headers=headers).content
    assert len({plain.content, marked, other}) == 3

    def outlined(png: bytes) -> tuple[int, int, int, int]:
        image = Image.open(io.BytesIO(png)).convert("RGB")
        found = [
            (x, y)
            for y in range(0, image.height, 2)
            for x in range(0, image.width, 2)
            if image.getpixel((x, y)) == HIGHLIGHT_LINE[:3]
        ]
        xs, ys = [x for x, _ in found], [y for _, y in found]
        return min(xs), min(ys), max(xs), max(ys)

    from brochures.review.preview import Previews, merged

    boxes = Previews(project).laid_out("ar", "eltern", "single").boxes[title["id"]]
    [(x0, y0, x1, y1)] = merged(boxes)  # one line: one rectangle
    left, top, right, bottom = outlined(marked)
    assert abs(left - x0 * SCALE) < 8 and abs(top - y0 * SCALE) < 8
    assert abs(right - x1 * SCALE) < 8 and abs(bottom - y1 * SCALE) < 8

    saved = client.put(
        f"/api/languages/ar/entries/{quote(title['id'], safe='')}",
        headers=headers,
        json={"translation": "فهم المدرسة جيدا", "reviewed": True, "version": title["version"]},
    )
    assert saved.status_code == 200
    after = client.get(url, params={"highlight": title["id"]}, headers=headers).content
    assert after != marked  # the new (longer) title is laid out
    assert outlined(after)[0] < left


def test_review_command_prints_one_line_serves_and_stops_on_ctrl_c(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "brochures", "--project", str(project), "review", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line), line
        base, _, token = line.partition("/?token=")
        with httpx.Client(base_url=base, timeout=60) as http:
            for _attempt in range(100):
                try:
                    opened = http.get(f"/?token={token}", follow_redirects=False)
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            assert opened.status_code == 303
            assert http.get("/api/languages").status_code == 200  # the session cookie
        invited = run(project, "review", "invite", "ar", "--name", "Amira").output
        assert invited.splitlines()[-1].startswith(f"{base}/?token=")  # the running server's
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out == ""  # the one line was all
    assert token not in err and "Traceback" not in err


def test_review_command_says_when_it_listens_beyond_this_computer(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "brochures", "--project", str(project), "review", *BEYOND],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert line.startswith("https://review.example.org/?token=")
    assert "listening on 0.0.0.0" in line
    link = run(project, "review", "invite", "ar", "--name", "A").output.splitlines()[-1]
    assert link.startswith("https://review.example.org/?token=")


def test_invite_refuses_unknown_languages(project: Path) -> None:
    result = run(project, "review", "invite", "xx", "de", "--name", "A")
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert "unknown language code 'xx'; the project's translated languages: en, ar in " in flat
    assert "'de' is not one of the project's translated languages (en, ar in " in flat
    arabic = run(project, "review", "invite", "arabic", "--name", "A")
    assert arabic.exit_code == 2 and "did you mean ar?" in arabic.output


def test_an_arabic_reviewer_approves_the_brochure_and_the_print_run_has_no_draft_notice(
    project: Path, live: str
) -> None:
    """Done-when of the review issue, through the API: every text of the brochure approved by
    an invited Arabic reviewer, then `build --reviewed-only` writes the Arabic PDF."""
    from pypdf import PdfReader

    build = ["build", "--reviewed-only", "--brochure", "eltern", "--lang", "ar"]
    assert run(project, *build).exit_code == 0
    pdf = project / "build" / "pdf" / "eltern" / "eltern.ar.pdf"
    assert not pdf.exists()  # drafts: no print run yet

    link = run(project, "review", "invite", "ar", "--name", "Amira").output.splitlines()[-1]
    headers = {"Authorization": f"Bearer {link.rpartition('=')[2]}"}
    with httpx.Client(base_url=live, headers=headers, timeout=120) as http:
        entries = http.get("/api/languages/ar/entries", params={"brochure": "eltern"}).json()
        assert "eltern-informieren/wandel" in [e["id"] for e in entries]  # the missing one
        for entry in entries:
            answer = http.put(
                f"/api/languages/ar/entries/{quote(entry['id'], safe='')}",
                json={
                    "translation": entry["translation"] or draft(entry["source"]),
                    "reviewed": True,
                    "version": entry["version"],
                },
            )
            assert answer.status_code == 200, answer.text
            msgfmt_check(project / AR)
        counts = http.get("/api/languages").json()[0]["counts"]
        assert counts["reviewed"] == len(entries)

    result = run(project, *build)
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "نص" in text
    assert "nicht vollständig geprüft" not in text  # no draft notice
    bilingual = project / "build" / "pdf" / "eltern" / "eltern.de+ar.pdf"
    assert bilingual.exists(), result.output


def test_the_page_speaks_the_browsers_language(project: Path, client) -> None:
    token = tokens.office_token(project)
    client.get(f"/?token={token}", follow_redirects=False)
    german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german and "Übersetzungen prüfen" in german
    strings = re.search(r'id="ui-strings">(.*?)</script>', german, re.S)[1]
    assert json.loads(strings)["reviewed"] == "geprüft"  # the script's texts too
    english = client.get("/", headers={"Accept-Language": "fr, en;q=0.5"}).text
    assert '<html lang="en">' in english and "Review translations" in english


# ---- the page in a real browser ----

PIXELS = """(() => {
  const img = document.getElementById('preview');
  if (!img.complete || !img.naturalWidth) return null;
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) {
    sum = (sum * 31 + data[i] + data[i + 1] * 7) % 1000000007;
  }
  return [img.getAttribute('src'), sum];
})()"""


def wait_for(browser, expression: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


def press(browser, key: str, code: int, modifiers: int) -> None:
    """A key press as the keyboard sends it (modifiers: 1 Alt, 2 Ctrl)."""
    for kind in ("rawKeyDown", "keyUp"):
        browser.send(
            "Input.dispatchKeyEvent",
            session=True,
            type=kind,
            key=key,
            code=key,
            windowsVirtualKeyCode=code,
            modifiers=modifiers,
        )


def test_reviewer_approves_by_keyboard_in_chromium_on_a_phone(
    project: Path, live: str, tmp_path: Path
) -> None:
    from test_publish import Browser

    konzept = project / "source" / "konzept.yaml"  # German changed since the translation: outdated
    changed = konzept.read_text().replace("richtet sich nach", "richtet sich ab sofort nach", 1)
    konzept.write_text(changed)
    assert run(project, "catalog", "update").exit_code == 0
    link = run(project, "review", "invite", "ar", "--name", "Amira").output.splitlines()[-1]
    browser = Browser(tmp_path / "profile")
    try:
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=390,
            height=844,
            deviceScaleFactor=2,
            mobile=True,
        )
        browser.open(link.replace("http://127.0.0.1:8765", live))
        first = wait_for(browser, "document.getElementById('entry-id').textContent")
        assert first == "brochure:eltern/title"
        before = wait_for(browser, PIXELS)
        assert "highlight=brochure%3Aeltern%2Ftitle" in before[0]
        field = browser.evaluate(
            "(() => { const t = document.getElementById('translation');"
            " return [t.dir, t.lang, getComputedStyle(t).fontFamily]; })()"
        )
        assert field[:2] == ["rtl", "ar"] and "Noto Naskh Arabic" in field[2]
        width = browser.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # usable on a phone: nothing wider than the screen

        browser.evaluate("document.getElementById('translation').focus()")
        press(browser, "Enter", 13, 2)  # Ctrl+Enter: approve, then the next text
        wait_for(browser, "document.getElementById('entry-id').textContent !== " + repr(first))
        after = wait_for(
            browser,
            f"(() => {{ const p = {PIXELS}; return p && p[0] !== "
            f"{json.dumps(before[0])} ? p : null; }})()",
        )
        assert after[1] != before[1]  # another text highlighted on its page
        title = polib.pofile(str(project / AR)).find("brochure:eltern/title", "msgctxt")
        assert title is not None and "fuzzy" not in title.flags
        assert "reviewed by Amira" in title.tcomment
        msgfmt_check(project / AR)

        for _step in range(40):  # Alt+↓ to the text whose German carries markup
            if browser.evaluate("document.getElementById('entry-id').textContent") == (
                "eltern-informieren/beratung"
            ):
                break
            press(browser, "ArrowDown", 40, 1)
        shown = browser.evaluate(
            "(() => { const s = document.getElementById('source');"
            " return [s.children.length, s.textContent]; })()"
        )
        assert shown[0] == 0 and "<strong>Bedarfen</strong>" in shown[1]  # shown as text
        diff = browser.evaluate(
            "(() => { const p = document.getElementById('previous');"
            " return [document.getElementById('previous-box').hidden,"
            " [...p.querySelectorAll('ins')].map((e) => e.textContent).join(''),"
            " document.getElementById('state').textContent]; })()"
        )
        assert diff == [False, "ab sofort ", "outdated"]  # the word diff of the German

        # someone else saves this text meanwhile: the reviewer's approval is a conflict, their
        # own text stays in the field and the version on disk is shown
        entry = next(
            e
            for e in httpx.get(f"{live}/api/languages/ar/entries", headers=office(project)).json()
            if e["id"] == "eltern-informieren/beratung"
        )
        other = httpx.put(
            f"{live}/api/languages/ar/entries/{quote(entry['id'], safe='')}",
            headers=office(project),
            json={
                "translation": draft(entry["source"], "كلمة"),
                "reviewed": False,
                "version": entry["version"],
            },
        )
        assert other.status_code == 200
        mine = draft(entry["source"], "جملة")
        browser.evaluate(f"document.getElementById('translation').value = {json.dumps(mine)}")
        press(browser, "Enter", 13, 2)
        wait_for(browser, "!document.getElementById('conflict').hidden")
        kept = browser.evaluate(
            "[document.getElementById('translation').value,"
            " document.getElementById('conflict-text').textContent]"
        )
        assert kept == [mine, other.json()["translation"]]

        # the review log of the first text, and its revert button
        press(browser, "ArrowUp", 38, 1)
        while browser.evaluate("document.getElementById('entry-id').textContent") != first:
            press(browser, "ArrowUp", 38, 1)
        wait_for(browser, "!!document.querySelector('#history button')")
        browser.evaluate("document.querySelector('#history button').click()")
        wait_for(browser, "document.getElementById('state').textContent === 'unreviewed'")
        title = polib.pofile(str(project / AR)).find("brochure:eltern/title", "msgctxt")
        assert title is not None and "fuzzy" in title.flags
        msgfmt_check(project / AR)
        browser.screenshot(Path(os.environ.get("REVIEW_SCREENSHOT", tmp_path / "phone.png")), 390)
    finally:
        browser.close()


def test_send_back_keeps_the_comment_in_the_entry(project: Path, client) -> None:
    headers = office(project)
    entry = client.get("/api/languages/ar/entries?brochure=eltern", headers=headers).json()[0]
    url = f"/api/languages/ar/entries/{quote(entry['id'], safe='')}"
    approved = client.put(
        url,
        headers=headers,
        json={"translation": entry["translation"], "reviewed": True, "version": entry["version"]},
    ).json()
    sent = client.put(
        url,
        headers=headers,
        json={
            "translation": approved["translation"],
            "reviewed": False,
            "version": approved["version"],
            "comment": "Bitte <kürzer> fassen",
        },
    )
    assert sent.status_code == 200
    assert sent.json()["state"] == "unreviewed"
    assert "Bitte <kürzer> fassen" in sent.json()["comment"]
    po_entry = polib.pofile(str(project / AR)).find(entry["id"], "msgctxt")
    assert po_entry is not None and "fuzzy" in po_entry.flags
    assert "Bitte <kürzer> fassen" in po_entry.tcomment
    msgfmt_check(project / AR)
    bad = client.put(url, headers=headers, json={"translation": 1, "reviewed": "yes"})
    assert bad.status_code == 400
