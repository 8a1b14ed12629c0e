"""Issue 18 class 3: nothing is read or written outside the project through symbolic links."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run, snapshot

from brochures.content.project import default_templates
from brochures.errors import BrochuresError
from brochures.rendering import render

SECRET = "geheim:x:0:0:not for any PDF"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project with a file that must stay unread and untouched."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return folder


def assert_refused(result, link: str, target: Path) -> None:
    assert result.exit_code == 2, result.output
    assert f"error: {link}: is a symbolic link to {target}, outside the project" in result.output
    assert "geheim" not in result.output


def test_a_template_linked_out_of_the_project_is_an_input_error(basic: Path, outside: Path) -> None:
    formats = basic / "templates/formats"
    formats.mkdir(parents=True)
    (formats / "a5-booklet.html.j2").symlink_to(outside / "secret.txt")
    result = run(basic, "build", "--lang", "de", "--jobs", "1")
    assert_refused(result, "templates/formats/a5-booklet.html.j2", outside / "secret.txt")
    assert not (basic / "build").exists()


def test_the_template_loader_itself_does_not_follow_links_out(
    tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html.j2").symlink_to(outside / "secret.txt")
    env = render.environment([folder.resolve()], default_templates())
    with pytest.raises(BrochuresError, match="outside the template folder"):
        env.get_template("base.html.j2")
    with pytest.raises(BrochuresError, match="outside the template folder"):
        render.check_templates(env, [folder.resolve()])


def test_a_thumbs_folder_linked_out_of_the_project_is_never_written(
    basic: Path, outside: Path
) -> None:
    assert run(basic, "build", "--lang", "de", "--jobs", "1").exit_code == 0
    thumbs = basic / "build/thumbs"
    assert thumbs.is_dir()
    subprocess.run(["rm", "-r", str(thumbs)], check=True)
    thumbs.symlink_to(outside)
    result = run(basic, "build", "--lang", "de", "--jobs", "1", "--force")
    assert_refused(result, "build/thumbs", outside)
    assert (outside / "secret.txt").read_text(encoding="utf-8") == SECRET + "\n"
    assert [p.name for p in outside.iterdir()] == ["secret.txt"]


def test_a_language_folder_linked_out_gets_no_catalog(basic: Path, outside: Path) -> None:
    (basic / "locales").mkdir()
    (basic / "locales/en").symlink_to(outside)
    before = snapshot(outside)
    result = run(basic, "catalog", "update")
    assert_refused(result, "locales/en", outside)
    assert snapshot(outside) == before


def test_a_catalog_linked_to_a_system_file_is_not_read(basic: Path) -> None:
    assert run(basic, "catalog", "update").exit_code == 0
    catalog = basic / "locales/en/LC_MESSAGES/messages.po"
    catalog.unlink()
    catalog.symlink_to("/etc/passwd")
    for command in (["catalog", "update"], ["build", "--jobs", "1"], ["status"]):
        result = run(basic, *command)
        assert result.exit_code == 2, result.output
        assert "locales/en/LC_MESSAGES/messages.po: is a symbolic link to /etc/passwd" in (
            result.output
        )
        assert "root:" not in result.output


def test_a_brochure_linked_out_of_the_project_is_an_input_error(basic: Path, outside: Path) -> None:
    elsewhere = outside / "extra.yaml"
    elsewhere.write_bytes((basic / "source/brochures/jugend.yaml").read_bytes())
    (basic / "source/brochures/extra.yaml").symlink_to(elsewhere)
    result = run(basic, "list")
    assert_refused(result, "source/brochures/extra.yaml", elsewhere)


def test_the_source_folder_itself_linked_out_is_an_input_error(basic: Path, outside: Path) -> None:
    real = outside / "source"
    (basic / "source").rename(real)
    (basic / "source").symlink_to(real)
    assert_refused(run(basic, "list"), "source", real)


def test_links_that_stay_inside_the_project_are_fine(basic: Path, outside: Path) -> None:
    shared = basic / "shared"
    shared.mkdir()
    jugend = basic / "source/brochures/jugend.yaml"
    jugend.rename(shared / "jugend.yaml")
    jugend.symlink_to("../../shared/jugend.yaml")
    result = run(basic, "list")
    assert result.exit_code == 0, result.output
    assert "jugend" in result.output
    # a link inside that leads to a folder with a link out is followed and refused
    (shared / "leak.yaml").symlink_to(outside / "secret.txt")
    (basic / "source/more").symlink_to(shared)
    assert_refused(run(basic, "list"), "shared/leak.yaml", outside / "secret.txt")


def test_a_colour_profile_outside_project_and_colour_folders_is_refused(
    basic: Path, outside: Path
) -> None:
    settings = basic / "source/project.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f"print_color_profile: {outside / 'secret.txt'}\n", "utf-8")
    result = run(basic, "list")
    assert result.exit_code == 2, result.output
    assert "is outside the project and the colour-profile folders" in result.output
    assert "geheim" not in result.output
