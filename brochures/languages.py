"""Per-language facts in one place: validation of codes, direction, native name, font stack."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.localedata import locale_identifiers

SOURCE_LANGUAGE = "de"

# Font families by script, found through fontconfig (Debian: fonts-noto-core).
# Noto Naskh Arabic: its text extracts intact from the PDF (Noto Sans Arabic's does not).
_LATIN_STACK = ("Noto Sans", "DejaVu Sans", "sans-serif")
_STACKS = {
    "Arab": ("Noto Naskh Arabic", "Noto Sans", "sans-serif"),
    "Ethi": ("Noto Sans Ethiopic", "Noto Sans", "sans-serif"),
}


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    script: str
    font_stack: tuple[str, ...]

    @property
    def css_font_family(self) -> str:
        return ", ".join(f'"{f}"' if " " in f else f for f in self.font_stack)


def check_code(code: object) -> str | None:
    """None if `code` is a language code Babel knows; else what is wrong, with close matches."""
    if not isinstance(code, str) or not code:
        return f"language code must be a non-empty text, got {code!r}"
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        close = difflib.get_close_matches(code, _known_codes(), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"unknown language code '{code}'{hint}"
    return None


@cache
def _known_codes() -> list[str]:
    return sorted({ident.split("_")[0] for ident in locale_identifiers()})


def document_stacks(code: str) -> list[tuple[str, ...]]:
    """The font stacks a job's text may be drawn with: its language's, and German's (the review
    notice and German fallbacks)."""
    return [font_stack(code), font_stack(SOURCE_LANGUAGE)]


@cache
def script_of(code: str) -> str:
    """The ISO 15924 script a (valid) language code is written in (CLDR's likely subtags;
    without loading the locale's data)."""
    locale = Locale.parse(code.replace("-", "_"))
    likely = get_global("likely_subtags").get(locale.language, "").split("_")
    return locale.script or (likely[1] if len(likely) == 3 else "Latn")


def font_stack(code: str) -> tuple[str, ...]:
    """The font families a language's text is set in, best first."""
    return _STACKS.get(script_of(code), _LATIN_STACK)


@cache
def language(code: str) -> Language:
    """Facts about a (valid) language code."""
    locale = Locale.parse(code.replace("-", "_"))
    return Language(
        code=code,
        english_name=locale.get_display_name("en") or code,
        native_name=locale.get_display_name(locale) or code,
        direction=locale.text_direction,
        script=script_of(code),
        font_stack=font_stack(code),
    )
