"""Benchmark: a reviewer's save and the new page preview on a warm review server, beside the bare
WeasyPrint render of the same document.

Works on a copy of the repository's project in a temporary folder. Starts the review server
(uvicorn, in a thread of this process, on a free port), warms it with one preview, then 20 times:
PUT a changed Arabic translation of one text of the school brochure, then GET the preview PNG of
its page with the text highlighted (both over HTTP, as the page does). Beside it, 20 bare
renders of the same brochure in the same language (HTML to PDF with WeasyPrint, one warm
FontConfiguration, the HTML rendered once). Prints medians and ranges, and the ratio.

Run: `.venv/bin/python benchmarks/review_preview.py [--brochure ID] [--lang LANG] [--runs N]`.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    for folder in ("source", "locales", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


def serve(root: Path):
    import uvicorn

    from brochures.review.server import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(root), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def bare_renders(
    root: Path, brochure: str, lang: str, runs: int
) -> tuple[list[float], list[float], int]:
    """The same document as the server shows, without review marks: HTML once, then `runs`
    times bare WeasyPrint (`HTML(string).write_pdf(font_config)`, one warm FontConfiguration)
    and the build's own render (tagged PDF with element languages)."""
    import weasyprint

    from brochures.content.project import default_templates, load_project
    from brochures.languages import language
    from brochures.rendering import render
    from brochures.rendering.pdf import PdfRenderer, shared_fonts
    from brochures.translation.catalogs import load_texts

    project = load_project(root)
    env = render.environment(project.template_dirs, default_templates())
    texts = load_texts(project, lang)
    html = render.render_html(env, project.content(brochure), language(lang), texts.fresh()).html
    renderer = PdfRenderer(project.template_dirs)
    base_url = project.template_dirs[0].as_uri() + "/"

    def bare() -> bytes:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=renderer.fetcher)
        return document.write_pdf(font_config=shared_fonts())

    bare(), renderer.render(html)  # warm
    bare_times, build_times, pages = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        bare()
        between = time.perf_counter()
        pages = renderer.render(html).pages
        bare_times.append(between - started)
        build_times.append(time.perf_counter() - between)
    return bare_times, build_times, pages


def figures(name: str, values: list[float]) -> str:
    return (
        f"{name:38} median {statistics.median(values):.3f} s"
        f"  (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brochure", default="schule-eltern")
    parser.add_argument("--lang", default="ar")
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    import httpx2

    from brochures.review import tokens

    with tempfile.TemporaryDirectory() as folder:
        root = copy_project(Path(folder))
        server, base = serve(root)
        headers = {"Authorization": f"Bearer {tokens.office_token(root)}"}
        with httpx2.Client(base_url=base, headers=headers, timeout=120) as http:
            lang, brochure = options.lang, options.brochure
            entries = http.get(f"/api/languages/{lang}/entries", params={"brochure": brochure})
            entries.raise_for_status()
            entry = next(
                e
                for e in entries.json()
                if e["translation"]
                and "/" in e["id"]
                and any(p["edition"] == "single" and p["pages"] for p in e["pages"])
            )
            page = next(p["pages"][0] for p in entry["pages"] if p["edition"] == "single")
            url = f"/api/languages/{lang}/entries/{quote(entry['id'], safe='')}"
            preview = f"/api/languages/{lang}/preview/{brochure}/{page}.png"
            params = {"highlight": entry["id"]}
            http.get(preview, params=params).raise_for_status()  # warm: fonts, templates
            original, version = entry["translation"], entry["version"]
            total, saves, previews = [], [], []
            for run in range(options.runs):
                text = original + " ." * (run % 2 + 1)  # a different text each save
                started = time.perf_counter()
                saved = http.put(
                    url, json={"translation": text, "reviewed": False, "version": version}
                )
                saved.raise_for_status()
                between = time.perf_counter()
                png = http.get(preview, params=params)
                png.raise_for_status()
                done = time.perf_counter()
                version = saved.json()["version"]
                total.append(done - started)
                saves.append(between - started)
                previews.append(done - between)
        server.should_exit = True
        bare, build, pages = bare_renders(root, brochure, lang, options.runs)

    print(f"document: {brochure} in {lang}, single edition, {pages} pages; text {entry['id']}")
    print(figures("save -> new preview (PUT + GET PNG)", total))
    print(figures("  of which the save (PUT)", saves))
    print(figures("  of which the preview (GET PNG)", previews))
    print(figures("bare WeasyPrint render (HTML -> PDF)", bare))
    print(figures("the build's render (tagged PDF)", build))
    ratio = statistics.median(total) / statistics.median(bare)
    print(f"ratio save+preview / bare render: {ratio:.2f}x  (goal <= 1 s and <= 1.3x)")


if __name__ == "__main__":
    main()
