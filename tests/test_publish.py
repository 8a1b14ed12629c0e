"""The download page in a real browser (Debian's headless Chromium), thumbnails and the manifest."""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import itertools
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from conftest import ROOTS, run

CHROMIUM = Path("/usr/bin/chromium")
# facts.md: the flags Debian's Chromium needs here, and a fresh profile per run.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARABIC_NAME = "العربية"
# Moves the two pipe ends to fds 3 and 4, where --remote-debugging-pipe expects them.
LAUNCH = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(r, 100); os.dup2(w, 101); os.close(r); os.close(w); "
    "os.dup2(100, 3); os.dup2(101, 4); os.close(100); os.close(101); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


class Browser:
    """Headless Chromium driven over the DevTools protocol through a pipe (no extra packages)."""

    def __init__(self, profile_dir: Path, timeout: float = 30):
        if not CHROMIUM.exists():
            pytest.fail(
                "Chromium is needed for the browser tests: apt-get install chromium "
                "(`make test` installs it)"
            )
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()
        args = [*FLAGS, f"--user-data-dir={profile_dir}", "--remote-debugging-pipe"]
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(commands_r), str(replies_w), str(CHROMIUM), *args],
            pass_fds=(commands_r, replies_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_r)
        os.close(replies_w)
        self.timeout = timeout
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.send("Page.enable", session=True)

    def send(self, method: str, session: bool = False, **params: Any) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._replies], [], [], self.timeout)
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def open(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", session=True, url=url)
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._read())

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def link_names(self) -> list[str]:
        """What a screen reader announces for each link (the accessibility tree's names)."""
        nodes = self.send("Accessibility.getFullAXTree", session=True)["nodes"]
        return [
            " ".join(n["name"]["value"].split())
            for n in nodes
            if n.get("role", {}).get("value") == "link" and "name" in n
        ]

    def screenshot(self, path: Path, width: int = 1280) -> None:
        """The whole page as PNG."""
        height = self.evaluate("document.documentElement.scrollHeight")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.send("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._commands)
        os.close(self._replies)


@functools.cache
def _quiet_handler(directory: str) -> type:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def translate_basic(project: Path) -> None:
    """English reviewed, Arabic drafts with one text missing: every word replaced by one word."""
    assert run(project, "catalog", "update").exit_code == 0
    for lang, word, fuzzy in (("en", "Text", False), ("ar", "نص", True)):
        path = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
        catalog = polib.pofile(str(path))
        protected = re.compile(
            r"(<[^>]+>|%\(\w+\)s|(?:https?://|www\.)\S+[\w/]|[\w.+-]+@[\w.-]+\w)"
        )
        for e in catalog:
            if lang == "ar" and e.msgctxt == "eltern-informieren/wandel":
                continue  # missing: shown in German
            parts = protected.split(e.msgid)
            e.msgstr = "".join(
                p if i % 2 else re.sub(r"[^\W\d_]+", word, p) for i, p in enumerate(parts)
            )
            e.flags = [f for f in e.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
        catalog.save(str(path))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project in German, English (reviewed) and Arabic (drafts, one text missing), built for
    screen and print: its build/ folder."""
    project = tmp_path_factory.mktemp("site") / "basic"
    shutil.copytree(ROOTS / "basic", project)
    translate_basic(project)
    result = run(project, "build", "--profile", "all", "--jobs", "2")
    assert result.exit_code == 0, result.output
    return project / "build"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """build/ served on localhost, as any web server would."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _quiet_handler(str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


# In the page: every link, image, element with a direction, and each character's position.
INSPECT = r"""
(() => {
  const range = document.createRange();
  const chars = el => {
    const text = el.firstChild;
    return [...text.data].map((c, i) => {
      range.setStart(text, i); range.setEnd(text, i + 1);
      const box = range.getBoundingClientRect();
      return {char: c, left: box.left, right: box.right};
    });
  };
  return {
    lang: document.documentElement.lang,
    headings: [...document.querySelectorAll("h1, h2, h3")].map(h => [h.tagName, h.innerText]),
    links: [...document.querySelectorAll("a[href]")].map(a => ({
      href: a.href, raw: a.getAttribute("href"), text: a.innerText.replace(/\s+/g, " ").trim()})),
    images: [...document.querySelectorAll("img")].map(i => ({
      src: i.src, loaded: i.complete && i.naturalWidth > 0, alt: i.getAttribute("alt")})),
    rtl: [...document.querySelectorAll("[dir=rtl]")].map(el => ({
      lang: el.lang, text: el.innerText, direction: getComputedStyle(el).direction,
      chars: el.childNodes.length === 1 && el.firstChild.nodeType === 3 ? chars(el) : []})),
    arabicOutsideLang: [...document.querySelectorAll("body *")].filter(el =>
      [...el.childNodes].some(n => n.nodeType === 3 && /[\u0600-\u06FF]/.test(n.data))
      && !(el.closest("[lang]").lang.startsWith("ar") && el.closest("[dir]").dir === "rtl")
    ).map(el => el.outerHTML),
    badges: [...document.querySelectorAll(".language")].map(card => ({
      name: card.querySelector("h3").innerText,
      badge: card.querySelector(".badge") ? card.querySelector(".badge").innerText : null})),
  };
})()
"""

# WCAG contrast of every element with its own text against the background it is drawn on.
CONTRAST = r"""
(() => {
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("body *")]
    .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
    .map(el => {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
      return [el.tagName + "." + el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
})()
"""


def test_every_link_resolves_to_a_pdf_on_a_web_server(
    site: Path, server: str, browser: Browser
) -> None:
    browser.open(server + "index.html")
    page = browser.evaluate(INSPECT)
    downloads = [link for link in page["links"] if not link["raw"].startswith("#")]
    assert len(downloads) == 10  # the 10 screen PDFs; the 10 print PDFs have their own page
    assert all(link["raw"].startswith("pdf/") for link in downloads), downloads
    for link in downloads:
        assert not re.match(r"[a-z]+:|/", link["raw"]), "links are relative"
        with urllib.request.urlopen(link["href"], timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/pdf"
            data = response.read()
        path = site / urllib.request.url2pathname(link["raw"])
        assert path.is_file() and path.read_bytes() == data and data.startswith(b"%PDF-")
    for link in page["links"]:
        if link["raw"].startswith("#"):  # the table of contents: to a heading on the page
            assert browser.evaluate(f"!!document.getElementById({json.dumps(link['raw'][1:])})")
    assert page["images"] and all(image["loaded"] for image in page["images"]), page["images"]


def test_link_names_say_what_they_fetch(server: str, browser: Browser) -> None:
    browser.open(server + "index.html")
    texts = browser.link_names()
    assert len(texts) == 12  # 10 PDFs and the table of contents
    assert f"PDF herunterladen: Schule verstehen, {ARABIC_NAME} (" in " ".join(texts)
    for text in texts:
        if not text.startswith("PDF herunterladen"):
            continue  # the table of contents names the brochures
        assert re.search(r"\(\d+ KB, \d+ Seiten?\)$", text), text
    assert any("zweisprachig Deutsch und English" in t for t in texts)
    assert not any("Druckvorlage" in t for t in texts), "print files are not for parents"


def test_print_shop_page_lists_the_print_pdfs_only(
    site: Path, server: str, browser: Browser
) -> None:
    browser.open(server + "print/index.html")
    page = browser.evaluate(INSPECT)
    downloads = [link for link in page["links"] if not link["raw"].startswith(("#", "../"))]
    assert len(downloads) == 10  # every print PDF, beside the page
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["pdfs"]
    prints = {e["path"] for e in manifest if e["profile"] == "print"}
    files = {"print/" + urllib.request.url2pathname(link["raw"]) for link in downloads}
    assert files == prints
    for link in downloads:
        with urllib.request.urlopen(link["href"], timeout=10) as response:
            data = response.read()
        assert data == (site / "print" / urllib.request.url2pathname(link["raw"])).read_bytes()
    texts = browser.link_names()
    assert any(t.startswith("Druckvorlage herunterladen: Guter Abschluss,") for t in texts)
    assert any("zweisprachig Deutsch und English" in t for t in texts)
    assert page["headings"][0] == ["H1", "Druckvorlagen zum Integrationskonzept – Musterkreis"]
    html = (site / "print/index.html").read_text(encoding="utf-8")
    assert "kein PDF/X, weil source/project.yaml kein Farbprofil nennt" in html
    assert 'href="../index.html"' in html  # back to the download page


def test_formats_have_labels_for_people(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "Heft im Format A5, Fassung vom" in html
    assert "Flyer im Format A4, Vorder- und Rückseite, Fassung vom" in html
    for fmt in ("a5-booklet", "a4-flyer", "dl-trifold"):
        assert fmt not in html


def test_every_shipped_format_declares_its_label(repo_project: Path) -> None:
    from brochures.content.project import default_templates, load_project
    from brochures.rendering.render import environment, format_label

    project = load_project(repo_project)
    env = environment(project.template_dirs, default_templates())
    assert project.formats() == ["a4-flyer", "a5-booklet", "dl-trifold"]
    labels = {fmt: format_label(env, fmt) for fmt in project.formats()}
    assert all(labels.values()), labels
    assert labels["dl-trifold"].startswith("Faltblatt im DL-Format")
    # a project's own format that extends a default one inherits its label unless it sets one
    own = repo_project / "templates/formats"
    (own / "a5-plain.html.j2").write_text(
        '{% extends "!default/formats/a5-booklet.html.j2" %}\n', encoding="utf-8"
    )
    (own / "a5-big.html.j2").write_text(
        '{% extends "!default/formats/a5-booklet.html.j2" %}\n'
        '{% set format_label = "Heft A5, große Schrift" %}\n',
        encoding="utf-8",
    )
    assert format_label(env, "a5-plain") == "Heft im Format A5"
    assert format_label(env, "a5-big") == "Heft A5, große Schrift"


def test_page_follows_the_projects_order_of_brochures_and_languages(basic: Path) -> None:
    settings = basic / "source/project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "languages: [de, en, ar]", "languages: [de, ar, en]\nbrochures: [jugend]"
        ),
        encoding="utf-8",
    )
    translate_basic(basic)
    assert run(basic, "build", "--edition", "single", "--jobs", "1").exit_code == 0
    html = (basic / "build/index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<h2 id="[^"]+">([^<]+)</h2>', html)
    assert titles == ["Guter Abschluss", "Schule verstehen"]  # named first, then the rest
    for section in html.split("<h2")[1:]:
        assert re.findall(r'<h3><span lang="(\w+)"', section) == ["de", "ar", "en"]
    status = run(basic, "status", "--json")
    assert [row["brochure"] for row in json.loads(status.output)][:1] == ["jugend"]
    assert not (basic / "build/print/index.html").exists()  # no print PDFs: no print page


def test_unknown_brochure_in_the_projects_order_is_an_input_error(basic: Path) -> None:
    settings = basic / "source/project.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "brochures: [jugend, eltern, jugnd]\n",
        encoding="utf-8",
    )
    result = run(basic, "list")
    assert result.exit_code == 2
    assert "source/project.yaml:7: brochures[2]: unknown brochure 'jugnd'" in result.output


def test_rtl_names_render_right_to_left(server: str, browser: Browser) -> None:
    browser.open(server + "index.html")
    page = browser.evaluate(INSPECT)
    assert page["lang"] == "de"
    names = [el for el in page["rtl"] if el["text"] == ARABIC_NAME]
    assert len(names) >= 2, page["rtl"]
    for el in page["rtl"]:
        assert el["lang"] == "ar" and el["direction"] == "rtl"
    for el in names:
        chars = el["chars"]
        assert [c["char"] for c in chars] == list(ARABIC_NAME)
        # the first letter in reading order is drawn rightmost, each next one to its left
        for before, after in itertools.pairwise(chars):
            assert after["right"] <= before["left"] + 0.5, chars
    assert page["arabicOutsideLang"] == [], "Arabic text must carry lang=ar and dir=rtl"


def test_review_badge_shows_where_translations_are_not_reviewed(
    server: str, browser: Browser
) -> None:
    browser.open(server + "index.html")
    cards = browser.evaluate(INSPECT)["badges"]
    badges = {(c["name"].split(" ")[0], c["badge"]) for c in cards}
    assert ("Deutsch", None) in badges and ("English", None) in badges
    arabic = [badge for name, badge in badges if name == ARABIC_NAME]
    assert arabic and all(b and b.startswith("Noch nicht geprüft") for b in arabic)
    assert any("1 Text noch auf Deutsch" in b for b in arabic), arabic


def test_page_is_structured_and_readable(site: Path, server: str, browser: Browser) -> None:
    browser.open(server + "index.html")
    page = browser.evaluate(INSPECT)
    levels = [tag for tag, _ in page["headings"]]
    assert levels[0] == "H1" and levels.count("H1") == 1
    assert levels.count("H2") == 2  # one per brochure
    assert [text for tag, text in page["headings"] if tag == "H2"] == [
        "Schule verstehen",
        "Guter Abschluss",
    ]
    low = [(el, round(ratio, 2)) for el, ratio in browser.evaluate(CONTRAST) if ratio < 4.5]
    assert low == [], "text contrast below WCAG AA (4.5:1)"
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and not re.search(r"\son\w+=", html)


def test_page_works_from_the_file_system(site: Path, browser: Browser) -> None:
    browser.open((site / "index.html").as_uri())
    page = browser.evaluate(INSPECT)
    assert page["images"] and all(image["loaded"] for image in page["images"])
    for link in page["links"]:
        if not link["raw"].startswith("#"):
            assert link["href"].startswith("file://")
            assert Path(urllib.request.url2pathname(link["href"][len("file://") :])).is_file()


def test_screenshot(server: str, browser: Browser, tmp_path: Path) -> None:
    browser.open(server + "index.html")
    shot = tmp_path / "download-page.png"
    browser.screenshot(shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1280 and height > 600
    assert len(data) > 20_000  # not a blank page


def test_thumbnails_are_drawn_once_and_follow_their_pdf(basic: Path) -> None:
    from brochures.build import build

    first = build(basic, workers=1).published
    assert first is not None and first.thumbnails_made == 2 and first.thumbnails_reused == 0
    thumbs = sorted(p.name for p in (basic / "build/thumbs").iterdir())
    assert len(thumbs) == 2 and thumbs[0].startswith("eltern.de.")
    again = build(basic, workers=1).published
    assert again is not None and (again.thumbnails_made, again.thumbnails_reused) == (0, 2)
    brochure = basic / "source/brochures/eltern.yaml"
    brochure.write_text(
        brochure.read_text(encoding="utf-8").replace("Schule verstehen", "Schule kennen"),
        encoding="utf-8",
    )
    changed = build(basic, workers=1).published
    assert changed is not None and (changed.thumbnails_made, changed.thumbnails_reused) == (1, 1)
    now = sorted(p.name for p in (basic / "build/thumbs").iterdir())
    assert len(now) == 2 and now[1] == thumbs[1] and now[0] != thumbs[0]  # the old one is gone
    manifest = json.loads((basic / "build/manifest.json").read_text(encoding="utf-8"))
    shown = {e["thumbnail"] for e in manifest["pdfs"] if "thumbnail" in e}
    assert shown == {f"thumbs/{name}" for name in now}


def test_page_lists_languages_in_their_own_script(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f'<span lang="ar" dir="rtl">{ARABIC_NAME}</span> <span class="german-name">' in html
    assert '<span lang="en" dir="ltr">English</span> <span class="german-name">(Englisch)' in html
    assert '<html lang="de" dir="ltr">' in html
