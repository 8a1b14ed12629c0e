"""Writing the structured concept: merge by text into the existing file, stable ids, atomic."""

from __future__ import annotations

import difflib
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from brochures.content.concept import Concept, load_concept
from brochures.content.model import plain_text

_STOPWORDS = {
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einem", "einen", "eines",
    "und", "oder", "mit", "von", "vom", "zu", "zur", "zum", "im", "in", "am", "an", "auf", "aus",
    "bei", "fuer", "ueber", "um", "als", "auch", "ist", "sind", "sich", "es", "sie", "wie", "so",
    "wird", "werden", "kann", "koennen", "muss", "soll", "sollen", "dass", "nicht", "noch", "nur",
    "sowie", "hinzu", "kommt", "dies", "diese", "dieser", "durch",
}  # fmt: skip
# The concept file's key order; keys an import may drop; hand-written keys an import keeps.
_ORDER = [
    "id", "label", "date", "number", "previous_number", "title", "alt_title", "issuer", "origin",
    "note", "versions", "default_version", "change", "title_only", "elided_before", "text",
    "before", "after", "paragraphs", "fields", "goals", "measures", "sections",
]  # fmt: skip
_REMOVABLE = {
    "text", "before", "after", "elided_before", "previous_number", "paragraphs", "measures",
}  # fmt: skip
_HAND = {"note", "alt_title", "title_only"}
_QUOTED = {"title", "alt_title", "note", "text", "before", "after", "number"}


# --- merge into an existing concept and assign ids ----------------------------------------------


def _key(item: Any) -> str:
    for key in ("title", "label", "after", "text", "before"):
        if item.get(key) is not None:
            return str(item[key])
    return ""


def _match(old: list[str], new: list[str]) -> dict[int, int]:
    """New index → old index: equal texts first, then similar ones; ties go to the nearer."""
    candidates = []
    for j, b in enumerate(new):
        for i, a in enumerate(old):
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            score = 1.0 if a == b else matcher.quick_ratio() >= 0.7 and matcher.ratio()
            if score >= 0.7:
                candidates.append((-score, abs(i - j), j, i))
    matches: dict[int, int] = {}
    for _, _, j, i in sorted(candidates):
        if j not in matches and i not in matches.values():
            matches[j] = i
    return matches


def _put(target: CommentedMap, key: str, value: Any) -> None:
    """Set a key; a new key goes to its place in the file's usual key order."""
    if key in target:
        target[key] = value
        return
    rank = _ORDER.index(key)
    at = next((n for n, k in enumerate(target) if k in _ORDER and _ORDER.index(k) > rank), None)
    target.insert(len(target) if at is None else at, key, value)


def _styled(key: str, value: Any) -> Any:
    if key not in _QUOTED or not isinstance(value, str):
        return value
    if '"' in value and "'" not in value:
        return SingleQuotedScalarString(value)
    return DoubleQuotedScalarString(value)


def merge(old: CommentedMap | None, new: dict[str, Any], dropped: list[str]) -> CommentedMap:
    """Update an existing item in place (keeping its id and hand-written keys) or make one."""
    target = CommentedMap() if old is None else old
    for key, value in new.items():
        if key in target and (key == "id" or key in _HAND):
            continue
        if isinstance(value, list):
            _put(target, key, _merge_list(target.get(key), value, dropped, target.get("id")))
        elif key not in target or target[key] != value:
            _put(target, key, _styled(key, value))
    for key in _REMOVABLE - new.keys():
        target.pop(key, None)
    return target


def _merge_list(old: Any, new: list[dict[str, Any]], dropped: list[str], parent: Any) -> Any:
    existing = list(old or [])
    matches = _match([_key(o) for o in existing], [_key(n) for n in new])
    items = [merge(existing[matches[j]] if j in matches else None, n, dropped)
             for j, n in enumerate(new)]  # fmt: skip
    gone = [o for i, o in enumerate(existing) if i not in matches.values()]
    dropped += [f"{parent}/{o.get('id')}" if parent else str(o.get("id")) for o in gone]
    seq = old if isinstance(old, CommentedSeq) and existing else CommentedSeq()
    seq[:] = items  # the same sequence keeps its comments; an empty `[]` becomes a block list
    return seq


def slug(text: str, fallback: str) -> str:
    """Readable id from the first words: lowercase ascii, umlauts spelled out, no stopwords."""
    text = plain_text(text).lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _STOPWORDS and len(w) > 1]
    return "-".join(words[:3]) or fallback


def _unique(base: str, taken: set[str]) -> str:
    ident = next(c for n in range(1, 10**4) if (c := f"{base}-{n}" if n > 1 else base) not in taken)
    taken.add(ident)
    return ident


def assign_ids(concept: CommentedMap) -> None:
    """Give every item without an id a readable one, unique where the concept needs it."""
    versions = {v["id"] for v in concept["versions"] if v.get("id")}
    for version in concept["versions"]:
        version["id"] = version.get("id") or _unique(slug(version["label"], "fassung"), versions)
    if concept.get("default_version") not in versions:
        _put(concept, "default_version", concept["versions"][-1]["id"])
    nodes = [(s, "abschnitt") for s in concept["sections"]]
    nodes += [(f, "handlungsfeld-ungenannt") for s, _ in nodes for f in s.get("fields") or []]
    nodes += [(g, "ziel") for f, _ in nodes for g in f.get("goals") or []]
    taken = {node["id"] for node, _ in nodes if node.get("id")}  # one namespace for these
    for node, fallback in nodes:
        if not node.get("id"):
            node["id"] = _unique(slug(node.get("title") or "", fallback), taken)
        texts = [*(node.get("paragraphs") or []), *(node.get("measures") or [])]
        names = {t["id"] for t in texts if t.get("id")}  # unique within their parent
        for text in texts:
            text["id"] = text.get("id") or _unique(slug(_key(text), "absatz"), names)


# --- write ------------------------------------------------------------------------------------


def concept_yaml() -> YAML:
    """Round-trip YAML in the concept file's layout (loading and dumping it is byte-exact)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def validated(text: str, display: str) -> Concept:
    """Load the text to be written as the build will: any problem is raised, nothing written."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "konzept.yaml"
        path.write_text(text, encoding="utf-8")
        return load_concept(path, f"{display} (as imported)")[0]
