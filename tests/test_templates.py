"""Templates: project overrides by name, extending the default, missing and broken templates,
and the restricted URL fetcher (only template folders and data: URIs)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from conftest import run, snapshot
from pdfinspect import text

from brochures.content.project import default_templates
from brochures.rendering.pdf import PdfRenderer

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def test_project_template_overrides_default_by_name(basic: Path) -> None:
    write(basic / "templates" / "partials" / "source.html.j2", "<p>Eigene Quellenangabe</p>")
    assert run(basic, "build", "--brochure", "eltern").exit_code == 0
    content = text(basic / "build/pdf/eltern/eltern.de.pdf")
    assert "Eigene Quellenangabe" in content
    assert "Herausgeber" not in content


def test_project_template_can_extend_the_default(basic: Path) -> None:
    write(
        basic / "templates" / "formats" / "a5-booklet.html.j2",
        '{% extends "!default/formats/a5-booklet.html.j2" %}'
        "{% block body %}{{ super() }}<p>Zusatzseite des Projekts</p>{% endblock %}",
    )
    assert run(basic, "build", "--brochure", "eltern").exit_code == 0
    content = text(basic / "build/pdf/eltern/eltern.de.pdf")
    assert "Zusatzseite des Projekts" in content
    assert "Eltern über die Schule informieren" in content


def test_new_format_is_a_new_template_and_nothing_else(basic: Path) -> None:
    write(
        basic / "templates" / "formats" / "a6-karte.html.j2",
        '{% extends "base.html.j2" %}{% set max_pages = 1 %}'
        "{% block format_css %}@page { size: A6 }{% endblock %}"
        "{% block body %}<h1>{{ t(doc.title) }}</h1>{% endblock %}",
    )
    brochure = basic / "source/brochures/jugend.yaml"
    brochure.write_text(brochure.read_text().replace("a4-flyer", "a6-karte"), encoding="utf-8")
    assert run(basic, "build", "--brochure", "jugend").exit_code == 0
    assert "Guter Abschluss" in text(basic / "build/pdf/jugend/jugend.de.pdf")


def test_template_syntax_error_names_file_and_line(basic: Path) -> None:
    bad = write(basic / "templates" / "partials" / "goals.html.j2", "<p>\n{% for x in %}\n")
    before = snapshot(basic)
    result = run(basic, "build")
    assert result.exit_code == 2
    assert f"error: {bad.resolve()}:2: template syntax error" in result.output
    assert "Traceback" not in result.output
    assert snapshot(basic) == before


def test_missing_included_template_lists_folders_searched(basic: Path) -> None:
    write(
        basic / "templates" / "formats" / "a4-flyer.html.j2",
        '{% extends "base.html.j2" %}{% block body %}\n{% include "partials/fehlt.html.j2" %}'
        "{% endblock %}",
    )
    before = snapshot(basic)
    result = run(basic, "build")
    assert result.exit_code == 2
    assert "template 'partials/fehlt.html.j2' not found" in result.output
    assert str((basic / "templates").resolve()) in result.output
    assert str(default_templates().resolve()) in result.output
    assert ":2:" in result.output  # the line of the include
    assert snapshot(basic) == before


def test_undefined_variable_in_template_is_an_input_error(basic: Path) -> None:
    write(
        basic / "templates" / "formats" / "a4-flyer.html.j2",
        '{% extends "base.html.j2" %}{% block body %}\n\n{{ doc.gibtsnicht }}{% endblock %}',
    )
    result = run(basic, "build")
    assert result.exit_code == 2
    assert "a4-flyer.html.j2:3: template error:" in result.output
    assert "gibtsnicht" in result.output


# ---- the restricted URL fetcher ----


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> PdfRenderer:
    root = tmp_path_factory.mktemp("templates")
    (root / "assets").mkdir()
    (root / "assets" / "punkt.png").write_bytes(PNG_1PX)
    secret = tmp_path_factory.mktemp("outside") / "secret.txt"
    secret.write_text("GEHEIMNIS-AUSSERHALB", encoding="utf-8")
    os.symlink(secret, root / "assets" / "link.txt")
    os.symlink(secret.parent, root / "assets" / "linkdir")
    return PdfRenderer([root, default_templates()])


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang=de><head>{head}</head><body><p>Inhalt</p>{body}</body></html>"
    )


ATTACKS = {
    "image": '<img src="file:///etc/passwd">',
    "stylesheet": '<link rel="stylesheet" href="file:///etc/passwd">',
    "import": "<style>@import url(file:///etc/passwd);</style>",
    "attachment-link": '<link rel="attachment" href="file:///etc/passwd">',
    "attachment-anchor": '<a rel="attachment" href="file:///etc/passwd">x</a>',
    "http": '<img src="http://127.0.0.1:9/logo.png">',
    "symlink-out": '<link rel="attachment" href="assets/link.txt">',
    "symlinked-folder": '<link rel="attachment" href="assets/linkdir/secret.txt">',
    "dotdot": '<img src="assets/../../../../../../etc/passwd">',
    "css-background": '<div style="background: url(file:///etc/hostname)">x</div>',
}


@pytest.mark.parametrize("markup", ATTACKS.values(), ids=ATTACKS.keys())
def test_fetcher_refuses_everything_outside_the_template_folders(
    renderer: PdfRenderer, markup: str
) -> None:
    renderer.fetcher.refused.clear()
    pdf = renderer.render(page(markup))
    assert renderer.fetcher.refused, "the fetcher should have been asked and refused"
    assert b"/EmbeddedFile" not in pdf.data
    assert b"root:" not in pdf.data and b"GEHEIMNIS" not in pdf.data


def test_fetcher_serves_assets_and_data_uris(renderer: PdfRenderer) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    renderer.fetcher.refused.clear()
    pdf = renderer.render(page(f'<img src="assets/punkt.png"><img src="{data_uri}">'))
    assert renderer.fetcher.refused == []
    assert pdf.data.count(b"/Subtype /Image") >= 1


def test_refused_resource_fails_the_job_but_not_the_build(basic: Path) -> None:
    write(
        basic / "templates" / "partials" / "source.html.j2",
        '<p>Quelle</p><img src="file:///etc/passwd">',
    )
    result = run(basic, "build")
    assert result.exit_code == 1
    assert "refused to load file:///etc/passwd" in result.output
    assert not (basic / "build/pdf/eltern/eltern.de.pdf").exists()
