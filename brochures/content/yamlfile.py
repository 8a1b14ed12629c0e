"""Reading YAML files strictly, keeping the line of every mapping and key for error messages."""

from __future__ import annotations

import difflib
import hashlib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml import __version__ as ruamel_version
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tokens import (
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
)

from brochures.errors import Problem
from brochures.files import (
    MAX_YAML_BYTES,
    InputFileError,
    read_cached,
    read_input,
    user_cache,
    write_cached,
)
from brochures.i18n import N_, _

LINE_KEY = "__line__"
"""Key injected into every mapping: the 1-based line where the mapping starts."""

Path_ = tuple[str | int, ...]
T = TypeVar("T", bound=BaseModel)


@dataclass
class YamlDocument:
    """Plain data of one YAML file, with the line of every key and list item."""

    path: Path
    display: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, loc: Path_) -> int | None:
        """The line of `loc`, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def problem(self, loc: Path_, message: str) -> Problem:
        return Problem(self.display, self.line_of(loc), message)


def read_text(
    path: Path, display: str, limit: int = MAX_YAML_BYTES
) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 text file, accepting a BOM and CRLF; report unreadable or non-UTF-8 files,
    anything but a regular file, and files over `limit` bytes."""
    try:
        raw = read_input(path, display, limit)
    except InputFileError as exc:
        return None, exc.problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def load(path: Path, display: str | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML file into plain data; duplicate keys and syntax errors are problems."""
    display = display or str(path)
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    cached = _cache_path(text)
    parsed = read_cached(cached, _decode)
    if parsed is not None:
        return YamlDocument(path, display, *parsed), []
    try:
        if _too_deep(text):
            return None, [Problem(display, None, f"nested deeper than {MAX_DEPTH} levels")]
        node = YAML(typ="rt", pure=True).compose(text)
    except RecursionError:
        return None, [Problem(display, None, f"nested too deeply (at most {MAX_DEPTH} levels)")]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if "\\t" in what or "'\\t'" in str(exc):
            what = "tab character used for indentation (use spaces)"
        elif exc.context_mark is not None and ("end of stream" in what or "<stream end>" in what):
            # an unclosed quote or bracket: its opening line helps, the end of the file does not
            line = exc.context_mark.line + 1
            what = _UNCLOSED.get(exc.context or "", f"{exc.context}: {what}")
        return None, [Problem(display, line, f"invalid YAML: {what}")]
    except YAMLError as exc:
        return None, [Problem(display, None, f"invalid YAML: {exc}")]
    if node is None:
        return None, [Problem(display, None, "file is empty")]
    doc = YamlDocument(path, display, None)
    doc.data = _plain(node, (), doc, problems, set())
    if not problems:
        write_cached(cached, [doc.data, [[list(loc), line] for loc, line in doc.lines.items()]])
    return doc, problems


def _cache_path(text: str) -> Path:
    """Where the plain data of a YAML text that parsed without problems is kept (ruamel.yaml is
    pure Python: the concept takes it 0.1 s on every run): by the text, this module's code and
    ruamel.yaml's version."""
    stamp = hashlib.sha256(Path(__file__).read_bytes())
    stamp.update(f"{ruamel_version}\n{text}".encode())
    return user_cache("yaml") / f"{stamp.hexdigest()}.json"


def _decode(entry: Any) -> tuple[Any, dict[Path_, int]]:
    """A cache entry back into data and lines; anything else in the file raises (a miss)."""
    data, pairs = entry
    lines = {}
    for loc, line in pairs:
        if not all(isinstance(p, str | int) for p in loc) or type(line) is not int:
            raise ValueError("not a cache entry of YAML lines")
        lines[tuple(loc)] = line
    return data, lines


_UNCLOSED = {
    "while scanning a quoted scalar": "unclosed quote (the file ends before the closing quote)",
    "while parsing a flow sequence": "unclosed '[' (the file ends before the closing ']')",
    "while parsing a flow mapping": "unclosed '{' (the file ends before the closing '}')",
}


# Limits of a YAML file besides its size (files.MAX_YAML_BYTES): how deep mappings and lists
# nest; aliases (`*name`) are refused, so an alias bomb ("billion laughs") cannot grow.
MAX_DEPTH = 64


_BRACKET = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    """Whether flow collections (`[…]`, `{…}`) nest deeper than MAX_DEPTH. ruamel.yaml's
    composer recurses per level and its scanner slows down with depth (10,000 levels: 17 s,
    then RecursionError), so this is known before parsing: brackets counted on the raw text
    (quick, may count brackets inside strings), and only when that count is deep, YAML's own
    tokens (exact)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match[0] in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest <= MAX_DEPTH:
        return False
    depth = 0
    for token in YAML(typ="rt", pure=True).scan(text):
        if isinstance(token, FlowSequenceStartToken | FlowMappingStartToken):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif isinstance(token, FlowSequenceEndToken | FlowMappingEndToken):
            depth -= 1
    return False


def _plain(
    node: Node, loc: Path_, doc: YamlDocument, problems: list[Problem], seen: set[int]
) -> Any:
    line = node.start_mark.line + 1
    if id(node) in seen:  # the composer gives an alias the node of its anchor
        message = "YAML anchors and aliases (&name, *name) are not supported (anchor here)"
        if not any(p.message == message for p in problems):
            problems.append(Problem(doc.display, line, message))
        return None
    if len(loc) > MAX_DEPTH:
        problems.append(Problem(doc.display, line, f"nested deeper than {MAX_DEPTH} levels"))
        return None
    if not isinstance(node, ScalarNode):
        seen.add(id(node))
    doc.lines.setdefault(loc, line)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {LINE_KEY: line}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            key_line = key_node.start_mark.line + 1
            if key in result:
                first = doc.lines.get((*loc, key))
                problems.append(
                    Problem(doc.display, key_line, f"duplicate key '{key}' (first at line {first})")
                )
                continue
            doc.lines[(*loc, key)] = key_line
            result[key] = _plain(value_node, (*loc, key), doc, problems, seen)
            doc.lines[(*loc, key)] = key_line
        return result
    if isinstance(node, SequenceNode):
        return [_plain(item, (*loc, i), doc, problems, seen) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if node.style:  # quoted or block scalars are always strings
        return value
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":int"):
        try:
            return int(value, 0)
        except ValueError:
            return value
    return value  # floats and timestamps stay text; the model parses what it expects


def _valid_keys(model: type[BaseModel], loc: Path_, wrong: str) -> str:
    """` (valid keys: …)` of the mapping at `loc`, with a close match first if there is one."""
    for part in loc:
        if model is None:
            return ""
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return ""
    keys = sorted((f.alias or name) for name, f in model.model_fields.items() if not f.exclude)
    close = difflib.get_close_matches(wrong, keys, n=1, cutoff=0.6)
    hint = _("; did you mean '{key}'?").format(key=close[0]) if close else ""
    return " " + _("(valid keys: {keys}{hint})").format(keys=", ".join(keys), hint=hint)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds: itself, or inside list[...], dict[..., ...] or ... | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def format_loc(loc: Path_) -> str:
    """`('fields', 0, 'goals')` → `fields[0].goals`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_MESSAGES = {
    "extra_forbidden": N_("unknown key"),
    "missing": N_("missing required field"),
}


def load_model(
    path: Path, display: str, model: type[T]
) -> tuple[T | None, YamlDocument | None, list[Problem]]:
    """Read a YAML file and validate it against a model: the value is None when it has problems."""
    doc, problems = load(path, display)
    if doc is None or problems:
        return None, doc, problems
    value, problems = validate(doc, model)
    return value, doc, problems


def validate(doc: YamlDocument, model: type[T]) -> tuple[T | None, list[Problem]]:
    """Validate plain data against a pydantic model, reporting every error with its line."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
            )
            kind = err["type"]
            if kind in _MESSAGES:
                text = f"{_(_MESSAGES[kind])} '{loc[-1]}'" if loc else _(_MESSAGES[kind])
                where = format_loc(loc[:-1])
                if kind == "extra_forbidden" and loc:
                    text += _valid_keys(model, loc[:-1], str(loc[-1]))
            else:
                text = err["msg"].removeprefix("Value error, ")
                where = format_loc(loc)
                value = err.get("input")  # name a short scalar the message does not name yet
                shown = f"'{value}'"
                if isinstance(value, str | int) and len(shown) <= 60 and shown not in text:
                    text += f" (got {shown})"
            problems.append(doc.problem(loc, f"{where}: {text}" if where else text))
        problems.sort(key=lambda p: p.line or 0)  # in file order (pydantic lists unknown keys last)
        return None, problems
