"""Extract the tool's own messages and merge them into its German and English catalogs."""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from brochures.files import write_atomic
from brochures.i18n import DOMAIN, LOCALE_DIR, UI_LANGUAGES

PACKAGE = Path(__file__).parent
MAPPING = LOCALE_DIR / "babel.cfg"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def extract() -> Catalog:
    """Every message of the package's code and review templates (brochures/locale/babel.cfg),
    without file positions: the catalogs change only when a message does."""
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))
    template = Catalog(domain=DOMAIN, project="brochures", fuzzy=False)
    for _file, _line, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map, options_map
    ):
        template.add(message, None, auto_comments=comments, context=context)
    return template


def merge(check: bool = False) -> list[Path]:
    """Write the template and merge it into each language's catalog (new messages empty,
    removed ones obsolete, never a guessed translation); only files whose messages change are
    written. Returns them; with `check`, writes nothing and returns the stale ones."""
    template = extract()
    changed = []
    for lang, path in [(None, TEMPLATE)] + [
        (lang, LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po") for lang in UI_LANGUAGES
    ]:
        old = _read(path, lang)
        if lang is None:
            new = template
        else:
            new = _read(path, lang) or Catalog(
                locale=lang,
                domain=DOMAIN,
                project="brochures",
                copyright_holder="the brochures developers",
                fuzzy=False,
            )
            new.update(template, no_fuzzy_matching=True)
            new.obsolete.clear()  # a removed message is gone; git keeps its history
        if old is not None and _messages(old) == _messages(new):
            continue
        changed.append(path)
        if not check:
            out = BytesIO()
            write_po(out, new, omit_header=lang is None, sort_output=True, ignore_obsolete=True)
            write_atomic(path, out.getvalue())
    return changed


def _read(path: Path, lang: str | None) -> Catalog | None:
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, domain=DOMAIN)
    except FileNotFoundError:
        return None


def _messages(catalog: Catalog) -> list[tuple]:
    return sorted(
        (str(m.id), str(m.string or ""), m.context or "", sorted(m.flags), list(m.auto_comments))
        for m in catalog
        if m.id
    )


def untranslated(lang: str) -> list[str]:
    """Messages of a language's catalog without a (non-fuzzy) translation."""
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
    assert catalog is not None
    return [
        str(m.id)
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]


def extract_cli(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """A Babel extractor for the CLI module: the `_()`/`ngettext()` calls as Babel's Python
    extractor finds them, plus every `help=` and string `show_default=` of the click decorators
    and every command's docstring (click shows them; `brochures.cli` translates them when it
    shows them)."""
    from io import BytesIO

    source = fileobj.read()
    yield from extract_python(BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in ("help", "show_default"):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                yield node.value.lineno, None, inspect.cleandoc(node.value.value), ["help text"]
        elif isinstance(node, ast.FunctionDef) and node.decorator_list:
            doc = ast.get_docstring(node, clean=True)
            if doc and any(_is_command(d) for d in node.decorator_list):
                yield node.body[0].lineno, None, doc, ["help text of a command"]


def _is_command(decorator: ast.expr) -> bool:
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in ("command", "group")


def main(argv: list[str]) -> int:
    """`python -m brochures.uimessages [--check]`: merge, or exit 1 when a catalog is stale."""
    check = "--check" in argv
    for path in merge(check=check):
        print(f"{'stale' if check else 'updated'} {path.relative_to(PACKAGE.parent)}")
    missing = untranslated("de")
    for message in missing:
        print(f"no German yet: {message!r}")
    return 1 if check and (merge(check=True) or missing) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
