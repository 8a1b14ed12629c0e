"""New files to start from: a brochure definition with every key explained (`brochures new`)."""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from pathlib import Path

from brochures.content.brochure import Brochure
from brochures.content.project import Project
from brochures.content.schema import SCHEMA_DIR, keys, modeline, write_schemas
from brochures.errors import ConfigError, Problem
from brochures.files import write_atomic

PLACEHOLDERS = {"title": "Titel der Broschüre", "audience": "Zielgruppe, zum Beispiel Eltern"}


def new_brochure(project: Project, brochure_id: str, fmt: str | None, goals: list[str]) -> Path:
    """Write `source/brochures/<id>.yaml`: the given keys set, the others commented out, each
    with its description (from the model). Refuses an existing file, an invalid id, an unknown
    format or goal; writes nothing then."""
    problems = []
    display = f"source/brochures/{brochure_id}.yaml"
    path = project.root / display
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", brochure_id):
        problems.append(f"'{brochure_id}' is not a valid id (lowercase a-z, digits, hyphens)")
    elif path.exists() or brochure_id in project.brochures:
        problems.append(f"{display} exists already")
    formats = project.formats()
    if fmt is not None and fmt not in formats:
        problems.append(f"unknown format '{fmt}' (known: {', '.join(formats)})")
    known = project.concept.goals()
    for goal in goals:
        if goal not in known:
            close = difflib.get_close_matches(goal, list(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(f"unknown goal '{goal}' (see `brochures list`{hint})")
    if not goals:
        problems.append("name at least one goal with --goals ID,ID")
    if problems:
        raise ConfigError([Problem(None, None, p) for p in problems])
    values = {"id": brochure_id, "goals": goals, "format": fmt}
    write_atomic(path, brochure_text(values).encode("utf-8"))
    if not (project.root / SCHEMA_DIR).exists():  # the file's first line names its schema
        write_schemas(project.root)
    return path


def brochure_text(values: dict) -> str:
    """The commented YAML of a brochure definition."""
    lines = [
        modeline("brochure", "source/brochures/x.yaml"),
        "# A brochure definition: every key is described in docs/files.md (and in the schema",
        "# above, which editors with YAML support use to complete and check keys). Lines that",
        "# start with # are comments; remove the # before a key to use it.",
    ]
    for key, field, text in keys(Brochure):
        lines.append("")
        lines += [
            f"# {line}"
            for line in textwrap.wrap(" ".join(text.split()), 96, break_on_hyphens=False)
        ]
        value = values.get(key)
        if value is None and key in PLACEHOLDERS:
            value = PLACEHOLDERS[key]
        if value is not None:
            lines.append(f"{key}: {_yaml(value)}")
        elif field.is_required():
            lines.append(f"{key}:")
        else:
            default = field.default
            lines.append(f"# {key}: {_yaml(default) if default is not None else ''}".rstrip())
    return "\n".join(lines) + "\n"


def _yaml(value: object) -> str:
    """A flow-style YAML value (JSON is valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
