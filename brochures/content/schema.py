"""JSON Schema of the project's YAML files and their key reference, both from the content models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from brochures.content.brochure import Brochure, Glossary
from brochures.content.concept import Concept
from brochures.content.project import Settings
from brochures.content.yamlfile import LINE_KEY
from brochures.files import write_atomic

# kind → (model, the file it describes)
KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "project": (Settings, "source/project.yaml"),
    "brochure": (Brochure, "source/brochures/<id>.yaml"),
    "concept": (Concept, "source/konzept.yaml"),
    "glossary": (Glossary, "source/schulwoerter.yaml"),
}
SCHEMA_DIR = "source/schemas"  # in a project, beside the files that name them
MODELINE = "# yaml-language-server: $schema="


def schema(kind: str) -> dict:
    """The JSON Schema (draft 2020-12) of one kind of file; unknown keys are not allowed."""
    model, file = KINDS[kind]
    found = model.model_json_schema(by_alias=True, mode="validation")
    _drop_line_keys(found)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"brochures: {file}",
        **{k: v for k, v in found.items() if k != "title"},
    }


def schema_text(kind: str) -> str:
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"


def schema_file(kind: str) -> str:
    """Where a project keeps a kind's schema, relative to the project folder."""
    return f"{SCHEMA_DIR}/{kind}.schema.json"


def modeline(kind: str, yaml_file: str) -> str:
    """The first line of a YAML file naming its schema (YAML language server: VS Code, vim,
    IntelliJ), relative to the file."""
    depth = yaml_file.removeprefix("source/").count("/")
    return f"{MODELINE}{'../' * depth}{schema_file(kind).removeprefix('source/')}"


def write_schemas(root: Path) -> list[Path]:
    """Write every kind's schema into the project's source/schemas/ (changed ones only)."""
    written = []
    for kind in KINDS:
        path = root / schema_file(kind)
        text = schema_text(kind).encode("utf-8")
        if not path.exists() or path.read_bytes() != text:
            write_atomic(path, text)
            written.append(path)
    return written


def _drop_line_keys(node: object) -> None:
    """The YAML line every mapping carries internally is no key of the file."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            props.pop(LINE_KEY, None)
        for value in node.values():
            _drop_line_keys(value)
    elif isinstance(node, list):
        for value in node:
            _drop_line_keys(value)


# ---- the key reference (docs/files.md) ----


def keys(model: type[BaseModel]) -> list[tuple[str, object, str]]:
    """(key, field info, description) of a model's keys, as written in the YAML files."""
    return [
        (f.alias or name, f, (f.description or "").strip())
        for name, f in model.model_fields.items()
        if not f.exclude
    ]


def undocumented() -> list[str]:
    """Keys of any file without a description (each model key needs a docstring)."""
    missing = []
    for kind in KINDS:
        for model in _models(KINDS[kind][0]):
            missing += [f"{model.__name__}.{key}" for key, _f, text in keys(model) if not text]
    return sorted(set(missing))


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """A model and every model nested in it, in order of first appearance."""
    from brochures.content.yamlfile import _model_in

    found = [model]
    for _key, field, _text in keys(model):
        inner = _model_in(field.annotation)
        if inner is not None and inner not in found:
            found += [m for m in _models(inner) if m not in found]
    return found


def reference() -> str:
    """docs/files.md: every key of every file, from the models' docstrings."""
    out = [
        "# The project's files",
        "",
        "Generated from the models in `brochures/content/` by `python -m brochures.content.schema`"
        " (`tests/test_schema.py` fails when this file or a schema is out of date, or a key has"
        " no description). The same descriptions are in the JSON Schemas that",
        "`brochures schema project|brochure|concept|glossary` prints and `brochures schema"
        " --write` writes into `source/schemas/`; each shipped YAML file names its schema in its"
        " first line (`# yaml-language-server: $schema=…`), so editors with YAML support (VS Code"
        " with the YAML extension, IntelliJ, vim/neovim with yaml-language-server) complete and"
        " check keys as you type. Unknown keys are errors; the error lists the valid keys.",
        "",
    ]
    for kind, (model, file) in KINDS.items():
        out += [f"## `{file}` ({kind})", ""]
        doc = " ".join((model.__doc__ or "").split())
        if doc and doc.strip("`.") != file:
            out += [doc, ""]
        for part in _models(model):
            if part is not model:
                out += [f"### {part.__name__}", ""]
            out += ["| key | type | required / default | description |", "|---|---|---|---|"]
            props = part.model_json_schema(by_alias=True)["properties"]
            for key, field, text in keys(part):
                if field.is_required():
                    need = "required"
                else:
                    need = f"default `{json.dumps(field.default, ensure_ascii=False)}`"
                kind_of = _type_of(props.get(key, {}))
                out.append(f"| `{key}` | {kind_of} | {need} | {' '.join(text.split())} |")
            out.append("")
    return "\n".join(out)


def _type_of(prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        kinds = [_type_of(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(kinds)
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if "enum" in prop:
        return " / ".join(f"`{v}`" for v in prop["enum"])
    if prop.get("format") == "date":
        return "date"
    return {"string": "text", "boolean": "true/false", "integer": "number"}.get(
        prop.get("type", ""), prop.get("type", "text")
    )


def main() -> None:
    """Regenerate docs/files.md and source/schemas/ of this repository."""
    repo = Path(__file__).resolve().parents[2]
    write_atomic(repo / "docs" / "files.md", reference().encode("utf-8"))
    for path in write_schemas(repo):
        print(f"wrote {path.relative_to(repo)}", file=sys.stderr)


if __name__ == "__main__":
    main()
