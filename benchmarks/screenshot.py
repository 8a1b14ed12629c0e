"""The README's picture of the download page: build a copy of the project, screenshot its page.

Builds a copy of the project (source/, locales/, templates/) in a temporary folder, serves its
build/ on localhost and has Debian's headless Chromium take a screenshot of index.html.
Run: `.venv/bin/python benchmarks/screenshot.py [--project DIR] [--output PNG]`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--output", type=Path, default=REPO / ".readme" / "download-page.png")
    parser.add_argument("--size", default="1100,1500", help="window width,height in pixels")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="screenshot-") as tmp:
        project = Path(tmp) / "project"
        for folder in ("source", "locales", "templates"):
            if (args.project / folder).is_dir():
                shutil.copytree(args.project / folder, project / folder)
        subprocess.run(
            [sys.executable, "-m", "brochures", "--project", str(project), "build"], check=True
        )
        handler = functools.partial(Quiet, directory=str(project / "build"))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "/usr/bin/chromium",
                    *FLAGS,
                    f"--user-data-dir={Path(tmp) / 'profile'}",
                    f"--window-size={args.size}",
                    f"--screenshot={args.output.resolve()}",
                    f"http://127.0.0.1:{httpd.server_address[1]}/index.html",
                ],
                check=True,
                capture_output=True,
            )
        finally:
            httpd.shutdown()
            httpd.server_close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
