"""Typography per language on rendered HTML: quotation marks, unbreakable names, no-break spaces."""

from __future__ import annotations

import re
from collections.abc import Callable

# Quotation marks per language (opening, closing). Source: Unicode CLDR, the <delimiters>
# (quotationStart, quotationEnd) of each locale (common/main/<lang>.xml), except Arabic: CLDR
# gives ” “, but Arabic print for parents in Germany commonly uses guillemets, as issue 14 asks
# (« »). Babel 2.19 exposes no delimiters, so the table is kept here.
QUOTES = {
    "de": ("„", "“"),
    "en": ("“", "”"),
    "ar": ("«", "»"),
    "fa": ("«", "»"),
    "ckb": ("«", "»"),
    "ps": ("«", "»"),
    "tr": ("“", "”"),
    "ru": ("«", "»"),
    "uk": ("«", "»"),
    "be": ("«", "»"),
    "pl": ("„", "”"),
    "ro": ("„", "”"),
    "bg": ("„", "“"),
    "cs": ("„", "“"),
    "sk": ("„", "“"),
    "sq": ("«", "»"),
    "fr": ("«\u202f", "\u202f»"),
    "ku": ("“", "”"),
    "ti": ("«", "»"),
    "so": ("“", "”"),
}
DEFAULT_QUOTES = ("“", "”")

# Languages whose typesetting rules keep a one-letter word (preposition, conjunction) with the
# next word (Russian, Ukrainian, Belarusian, Bulgarian; Polish, Czech, Slovak, Slovenian):
# a no-break space after it.
SINGLE_LETTER_NBSP = {"ru", "uk", "be", "bg", "pl", "cs", "sk", "sl"}

_DOUBLE_QUOTED = re.compile(r"[\"„“”«»]\u202f?([^\"„“”«»\n<>]{1,400}?)\u202f?[\"“”»«]")
_SINGLE_LETTER = re.compile(r"(?<![\w\-.])(\w) (?=\S)")
_TOKENS = re.compile(r"<(style|title|script)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)
_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][\w:-]*)")
_LANG = re.compile(r"""\slang\s*=\s*["']?([\w-]+)""")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def base_lang(code: str | None) -> str:
    return (code or "").replace("_", "-").split("-")[0].lower()


def quotes(text: str, lang: str) -> str:
    """Pairs of double quotation marks in the language's style („…“, «…», “…”)."""
    opening, closing = QUOTES.get(base_lang(lang), DEFAULT_QUOTES)
    return _DOUBLE_QUOTED.sub(lambda m: f"{opening}{m[1]}{closing}", text)


def typeset_text(text: str, lang: str, names: list[str]) -> str:
    """One text node (HTML-escaped) in one language."""
    if not text.strip():
        return text
    text = text.replace("&#34;", '"').replace("&quot;", '"')
    text = quotes(text, lang)
    if base_lang(lang) in SINGLE_LETTER_NBSP:
        text = _SINGLE_LETTER.sub("\\1\u00a0", text)
    for name in names:  # no span: WeasyPrint 70 then broke some paragraphs after their first word
        text = text.replace(name, name.replace(" ", "\u00a0"))
    return text


def typeset(html: str, names: list[str]) -> str:
    """Every text node of a document typeset in the language it is in (the nearest `lang`):
    quotation marks, no-break spaces after one-letter words, proper names (`names`) kept on
    one line (no-break spaces). Style, title and script contents are left as they are."""
    names = sorted({n for n in names if n and " " in n.strip()}, key=len, reverse=True)
    return on_text_in(html, _LANG, lambda text, lang: typeset_text(text, lang, names))


def on_text_in(html: str, attribute: re.Pattern, change: Callable[[str, str], str]) -> str:
    """`change(text, value)` applied to every run of text between tags, `value` being what
    `attribute` (its first group) finds on the nearest enclosing element that has it ("" if
    none): the language (`lang`), the direction (`dir`). Style, title and script contents and
    comments are left as they are."""
    out: list[str] = []
    stack: list[tuple[str, str]] = [("", "")]
    pos = 0
    for match in _TOKENS.finditer(html):
        out.append(change(html[pos : match.start()], stack[-1][1]))
        tag = match[0]
        out.append(tag)
        pos = match.end()
        if match[1] or tag.startswith(("<!", "<?")):
            continue
        name_match = _NAME.match(tag)
        if name_match is None:
            continue
        name = name_match[1].lower()
        if tag.startswith("</"):
            for i in range(len(stack) - 1, 0, -1):
                if stack[i][0] == name:
                    del stack[i:]
                    break
        elif name not in VOID and not tag.endswith("/>"):
            value = attribute.search(tag)
            stack.append((name, value[1] if value else stack[-1][1]))
    out.append(change(html[pos:], stack[-1][1]))
    return "".join(out)
