"""The package's shape: one subpackage per stage, every module documented, no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import brochures

PACKAGE = Path(brochures.__file__).parent
# Stages from the bottom up: a module may import its own stage and the ones below it.
LAYERS = ["base", "content", "translation", "rendering", "publishing", "review", "top"]
TOP = {"build", "cli", "doctor", "proof", "__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every brochures module a file imports: at the top, in functions, under TYPE_CHECKING."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("brochures")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "brochures":
                found |= {f"brochures.{a.name}" for a in node.names}
            elif node.module.startswith("brochures."):
                found.add(node.module)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts}
    out = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path):
            while imported not in modules and "." in imported:
                imported = imported.rsplit(".", 1)[0]
            if imported in modules and imported != name:
                targets.add(imported)
        out[name] = targets
    return out


def layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS):
        return LAYERS.index(parts[1])
    return LAYERS.index("top" if parts[-1] in TOP else "base")


def test_no_import_cycles() -> None:
    edges = {
        n: {t for t in ts if not n.startswith(t + ".") and t != "brochures"}
        for n, ts in graph().items()
    }
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_dependencies_point_down_the_pipeline() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if target != "brochures" and layer(target) > layer(source)
    )
    assert upward == []


def test_the_layer_test_can_fail() -> None:
    assert layer("brochures.rendering.render") > layer("brochures.translation.catalogs")
    assert layer("brochures.build") > layer("brochures.publishing.publish")
    assert layer("brochures.errors") == 0


def test_every_module_opens_with_a_one_line_docstring() -> None:
    missing = []
    for path in PACKAGE.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc or "\n" in doc.strip():
            missing.append(str(path.relative_to(PACKAGE)))
    assert missing == []
