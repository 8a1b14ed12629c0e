"""The files are documented: JSON Schemas and docs/files.md from the models, `brochures new`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, run
from ruamel.yaml import YAML

from brochures.content import schema

SHIPPED = {
    "source/project.yaml": "project",
    "source/konzept.yaml": "concept",
    "source/schulwoerter.yaml": "glossary",
    **{f"source/brochures/{p.name}": "brochure" for p in (REPO / "source/brochures").glob("*")},
}


def test_every_key_has_a_description() -> None:
    assert schema.undocumented() == []


def test_the_reference_and_the_schemas_are_current() -> None:
    """docs/files.md and source/schemas/ are what the models say (regenerate them with
    `.venv/bin/python -m brochures.content.schema`)."""
    assert (REPO / "docs" / "files.md").read_text(encoding="utf-8") == schema.reference()
    for kind in schema.KINDS:
        path = REPO / schema.schema_file(kind)
        assert path.read_text(encoding="utf-8") == schema.schema_text(kind), kind


def test_reference_names_every_key_of_every_model() -> None:
    text = schema.reference()
    for kind, (model, _file) in schema.KINDS.items():
        for part in schema._models(model):
            for key, _field, description in schema.keys(part):
                row = f"| `{key}` |"
                assert row in text, (kind, part.__name__, key)
                assert " ".join(description.split()) in text
    assert "| `__line__`" not in text and "__line__" not in json.dumps(schema.schema("concept"))


@pytest.mark.parametrize("relative", sorted(SHIPPED))
def test_shipped_files_name_their_schema_and_pass_it(relative: str) -> None:
    path = REPO / relative
    kind = SHIPPED[relative]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema.modeline(kind, relative)
    named = (path.parent / first.removeprefix(schema.MODELINE)).resolve()
    assert named == (REPO / schema.schema_file(kind)).resolve()
    data = json.loads(json.dumps(YAML(typ="safe").load(path), default=str))
    jsonschema.validate(data, schema.schema(kind))


def test_schema_rejects_an_unknown_key() -> None:
    brochure = {"id": "x", "title": "T", "audience": "A", "goals": ["g"], "sprachen": ["de"]}
    with pytest.raises(jsonschema.ValidationError, match="sprachen"):
        jsonschema.validate(brochure, schema.schema("brochure"))


def test_schema_command(basic: Path) -> None:
    result = run(basic, "schema", "brochure")
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed == schema.schema("brochure")
    assert printed["additionalProperties"] is False
    assert "brochures list" in printed["properties"]["goals"]["description"]
    written = run(basic, "schema", "--write")
    assert written.exit_code == 0
    assert sorted(p.name for p in (basic / "source" / "schemas").iterdir()) == [
        "brochure.schema.json",
        "concept.schema.json",
        "glossary.schema.json",
        "project.schema.json",
    ]
    assert run(basic, "schema").exit_code == 2


def test_new_brochure_writes_a_commented_file_that_loads(basic: Path) -> None:
    result = run(
        basic, "new", "brochure", "neu", "--format", "a4-flyer", "--goals", "jugendliche-foerdern"
    )
    assert result.exit_code == 0, result.output
    assert "wrote source/brochures/neu.yaml" in result.output
    assert "next: fill in its title and audience" in result.output
    text = (basic / "source" / "brochures" / "neu.yaml").read_text(encoding="utf-8")
    assert text.startswith(schema.modeline("brochure", "source/brochures/neu.yaml") + "\n")
    assert 'format: "a4-flyer"\n' in text and "goals: [jugendliche-foerdern]\n" in text
    assert "# whats_new: false\n" in text  # optional keys commented out, with their default
    assert "# Ids of the concept's goals the brochure presents" in text
    assert (basic / "source" / "schemas" / "brochure.schema.json").is_file()  # it names it
    listing = run(basic, "list")
    assert listing.exit_code == 0, listing.output
    assert "neu" in listing.output and "Titel der Broschüre" in listing.output
    data = json.loads(json.dumps(YAML(typ="safe").load(text)))
    jsonschema.validate(data, schema.schema("brochure"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eltern", "--goals", "eltern-informieren"], "source/brochures/eltern.yaml exists"),
        (["Neu", "--goals", "eltern-informieren"], "'Neu' is not a valid id"),
        (["neu", "--goals", "eltern-informiren"], "did you mean 'eltern-informieren'?"),
        (["neu", "--format", "a3", "--goals", "eltern-informieren"], "unknown format 'a3'"),
    ],
)
def test_new_brochure_refuses_wrong_input(basic: Path, args: list[str], message: str) -> None:
    result = run(basic, "new", "brochure", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (basic / "source" / "brochures" / "neu.yaml").exists()
