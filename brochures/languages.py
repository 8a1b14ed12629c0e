"""Per-language facts in one place: validation of codes, direction, native name, font stack."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.localedata import locale_identifiers

from brochures.i18n import N_, _

SOURCE_LANGUAGE = "de"

# Font families by script, found through fontconfig (Debian: fonts-noto-core).
# Noto Naskh Arabic: its text extracts intact from the PDF (Noto Sans Arabic's does not).
# No other Latin face: Noto Sans covers every Latin and Cyrillic text we set, and a fallback
# (DejaVu Sans, say) would put a second design into the page; the glyph gate names a character
# Noto Sans lacks before any PDF is made, and the font gate fails a PDF with a face from outside.
_LATIN_STACK = ("Noto Sans", "sans-serif")
_STACKS = {
    "Arab": ("Noto Naskh Arabic", "Noto Sans", "sans-serif"),
    "Ethi": ("Noto Sans Ethiopic", "Noto Sans", "sans-serif"),
}


# Names CLDR gives differently from what speakers call their language. Dari is CLDR's fa-AF,
# "فارسی (افغانستان)" in Babel; Afghans call it دری.
# `ku` is Kurmanji (Latin script, families from Syria and Turkey); `ckb` is Sorani (Arabic
# script, families from Iraq).
_NAMES = {
    "fa-AF": ("Dari", "دری"),
    "ku": ("Kurdish (Kurmanji)", None),
    "ckb": ("Kurdish (Sorani)", None),
}

# Hyphenation dictionaries (Pyphen's) by language; a language not listed is not hyphenated.
# Chosen by the words our texts break (benchmarks/fidelity.py lists them per language):
# - en: our English is British, but Pyphen's en_GB patterns break at wrong points
#   (authorit-ative, War-en-dorf, inform-a-tion); the en_US patterns do not.
# - off: uk (залуче-ння, ба-тьківське), sq (drej-tpërdrejtë), ro (coachi-ngul and other
#   loanwords): their dictionaries break common words of our texts wrongly.
# - no dictionary: tr, ku, ar, fa, fa-AF, ckb, ps, so, ti (Pyphen has none).
HYPHENATION = {
    "de": "de_DE",
    "en": "en_US",
    "pl": "pl_PL",
    "ru": "ru_RU",
    "bg": "bg_BG",
}


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    script: str
    font_stack: tuple[str, ...]
    hyphenation: str | None = None  # the Pyphen dictionary; None: not hyphenated

    @property
    def catalog_code(self) -> str:
        return catalog_code(self.code)

    @property
    def scale(self) -> float:
        """Body size relative to Latin text (Arabic script about 15 % larger)."""
        return SCRIPT_SCALE.get(self.script, (1.0, LATIN_LEADING))[0]

    @property
    def leading(self) -> float:
        return SCRIPT_SCALE.get(self.script, (1.0, LATIN_LEADING))[1]

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


PROJECT_LANGUAGES = N_("the project's languages")
BROCHURE_LANGUAGES = N_("the brochure's languages")


def not_among(
    code: str, known: list[str], what: str = PROJECT_LANGUAGES, where: str = ""
) -> str | None:
    """None if `code` is one of `known` (a project's or a brochure's languages); else what is
    wrong, suggesting among `known` first: 'ara' and 'arabisch' mean ar, 'ar_SY' is ar,
    'ukr' is uk, 'en_' is close to en. `where`: the file that lists them."""
    if code in known:
        return None
    what = _(what)
    listed = ", ".join(known) + (" " + _("in {file}").format(file=where) if where else "")
    close = suggestions(code, known)
    if close:
        return _("'{code}' is not one of {what} ({listed}); did you mean {close}?").format(
            code=code, what=what, listed=listed, close=_(" or ").join(close)
        )
    if check_code(code) is not None:
        return _("unknown language code '{code}'; {what}: {listed}").format(
            code=code, what=what, listed=listed
        )
    return _("'{code}' is not one of {what} ({listed})").format(code=code, what=what, listed=listed)


def suggestions(code: str, known: list[str]) -> list[str]:
    """Codes among `known` that `code` probably means: by ISO 639-2/3 alias, by the language's
    name (English, its own, German), by region or script variant, by spelling."""
    typed = code.strip().replace("-", "_").lower()
    base = typed.split("_")[0]
    found = []
    alias = get_global("language_aliases").get(base, base).split("_")[0]
    found += [k for k in known if k.lower() in (typed, base, alias)]
    german = Locale.parse(SOURCE_LANGUAGE)
    for k in known:
        try:
            lang = language(k)
        except (UnknownLocaleError, ValueError):
            continue
        names = {lang.english_name, lang.native_name, german.languages.get(k, "")}
        names = {n.lower() for n in names if n}
        if typed in names or (len(typed) >= 4 and any(n.startswith(typed) for n in names)):
            found.append(k)
    found += difflib.get_close_matches(typed, [k.lower() for k in known], n=3, cutoff=0.6)
    by_lower = {k.lower(): k for k in known}
    return list(dict.fromkeys(by_lower.get(f.lower(), f) for f in found))


def canonical(code: str) -> str:
    """The one spelling of a (valid) code used in YAML, CLI, file names, `html lang` and the
    manifest: BCP 47 with a hyphen (`fa-AF`); `fa_AF` and `fa-af` are accepted as the same."""
    first, *rest = code.replace("_", "-").split("-")
    subtags = [first.lower()]
    for tag in rest:  # script Latn, region AF or 419; no alias resolved (ara stays ara)
        subtags.append(tag.title() if len(tag) == 4 else tag.upper() if len(tag) <= 3 else tag)
    return "-".join(subtags)


def spelled(code: str) -> str:
    """A code as the project spells it (`fa_AF` → `fa-AF`); an invalid code unchanged, for the
    message that names it."""
    return canonical(code) if check_code(code) is None else code


def catalog_code(code: str) -> str:
    """The gettext spelling: `locales/fa_AF/`, `Language: fa_AF`, Babel's plural rules."""
    return code.replace("-", "_")


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


# Scale of the body size and the leading per script: Arabic script (Noto Naskh Arabic) reads
# smaller than Latin at the same size (docs/design.md: about 1.15-1.2 x, leading >= 1.6);
# Ethiopic a little larger too.
SCRIPT_SCALE = {"Arab": (1.15, 1.65), "Ethi": (1.08, 1.55)}
LATIN_LEADING = 1.45


def capitalised(name: str, code: str) -> str:
    """A language's name as a label starts with a capital letter (CLDR gives "русский",
    "polski"): Babel has no capitalisation transforms; Turkish and Azerbaijani capitalise
    i as İ (Unicode SpecialCasing.txt)."""
    if not name:
        return name
    first = name[0]
    if first == "i" and code.split("-")[0].split("_")[0] in ("tr", "az"):
        return "İ" + name[1:]
    return first.upper() + name[1:]


@cache
def language(code: str) -> Language:
    """Facts about a (valid) language code."""
    locale = Locale.parse(code.replace("-", "_"))
    english, native = _NAMES.get(canonical(code), (None, None))
    return Language(
        code=canonical(code),
        english_name=english or locale.get_display_name("en") or code,
        native_name=capitalised(native or locale.get_display_name(locale) or code, code),
        direction=locale.text_direction,
        script=script_of(code),
        font_stack=font_stack(code),
        hyphenation=HYPHENATION.get(canonical(code)),
    )
