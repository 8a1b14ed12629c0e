"""The README is for the people who use the tool: what it is and how to start, up front."""

from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_and_the_download_page_come_first() -> None:
    head = "\n".join(README.splitlines()[:60])
    assert "make brochures" in head and "make test" in head
    assert "open `build/index.html`" in head.replace("**", "")
    assert "Kurzfassung" in head and "## Kurzanleitung" in README


def test_ci_runs_the_readmes_test_command() -> None:
    commands = (REPO / ".ci/run").read_text(encoding="utf-8").strip().splitlines()
    assert commands[-1] == "make test"
    assert re.search(r"^make test\b", README, re.M)


def test_links_to_docs_resolve_and_internals_live_there() -> None:
    links = re.findall(r"\]\(((?:docs|\.readme)/[^)#]+)", README)
    assert {"docs/architecture.md", "docs/performance.md"} <= set(links)
    for link in links:
        assert (REPO / link).is_file(), link
    for internal in ("| module | owns |", "| build figure |", "build key**"):
        assert internal not in README
    architecture = (REPO / "docs/architecture.md").read_text(encoding="utf-8")
    assert "| module | owns |" in architecture and "build key" in architecture
    assert "| build figure |" in (REPO / "docs/performance.md").read_text(encoding="utf-8")
