"""The tool's own messages in German and English: gettext with catalogs in brochures/locale/."""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import os
import shutil
import time
from functools import cache
from pathlib import Path

# The catalogs of the tool's own messages (command output, errors, help texts, review pages):
# brochures/locale/<lang>/LC_MESSAGES/brochures.po, extracted and merged by `python -m
# brochures.uimessages` (Babel, with brochures/locale/babel.cfg). English is the language of the
# message ids and the fallback for every other language; the .mo files are compiled on first use
# (docs/i18n.md).
DOMAIN = "brochures"
LOCALE_DIR = Path(__file__).parent / "locale"
UI_LANGUAGES = ("en", "de")
FALLBACK = "en"


def _(message: str) -> str:
    """`message` in the user's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English."""
    return translations(ui_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the user's language."""
    return translations(ui_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it with `_` where it is used."""
    return message


def ui_language() -> str:
    """The language the tool speaks to this user: the first of the environment's preferences
    (LANGUAGE's list, LC_ALL, LC_MESSAGES, LANG — as gettext reads them) it has a catalog for."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if not value:
            continue
        for item in value.split(":"):
            code = item.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in ("c", "posix"):
                return FALLBACK
            if code in UI_LANGUAGES:
                return code
        return FALLBACK
    return FALLBACK


def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of one language (e.g. for a page in the browser's language); English and
    unknown languages get the message ids themselves."""
    folder = compiled_dir() if lang in UI_LANGUAGES else None
    if folder is None:
        return _ENGLISH
    return gettext.translation(DOMAIN, str(folder), languages=[lang], fallback=True)


_ENGLISH = gettext.NullTranslations()


def negotiate(accept_language: str | None) -> str:
    """The UI language for an HTTP Accept-Language header (`de-DE,de;q=0.9,en;q=0.8`)."""
    ranked = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = tag.strip().split("-")[0].lower()
        if code in UI_LANGUAGES and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else FALLBACK


def use_for_click() -> None:
    """Make click's own texts (Usage:, Options:, error lines) come from our catalogs too: click
    asks stdlib gettext's default domain, which becomes ours (in the CLI process only)."""
    folder = compiled_dir()
    if folder is not None:
        gettext.bindtextdomain(DOMAIN, str(folder))
        gettext.textdomain(DOMAIN)


@cache
def compiled_dir() -> Path | None:
    """A folder `<lang>/LC_MESSAGES/brochures.mo` compiled from the shipped .po files: in the
    user cache, named by the catalogs' content, so a changed .po is compiled again on first use
    (a fresh clone and an installed wheel alike). None when nothing can be compiled or written:
    the tool then speaks English."""
    sources = {lang: LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for lang in UI_LANGUAGES}
    digest = hashlib.sha256()
    for lang, path in sources.items():
        try:
            digest.update(lang.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            continue
    from brochures.files import cache_folder_trusted, user_cache

    base = user_cache("locale")
    if not cache_folder_trusted(base):  # others could change what the tool says
        return None
    folder = base / digest.hexdigest()[:20]
    if all(_mo(folder, lang).is_file() for lang in sources):
        return folder
    try:
        for lang, path in sources.items():
            if path.is_file():
                _compile(path, _mo(folder, lang))
    except OSError:
        return None
    _remove_old(base, keep=folder)
    return folder


def _mo(folder: Path, lang: str) -> Path:
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _compile(po: Path, mo: Path) -> None:
    """Compile one catalog with Babel (fuzzy entries are left out, as msgfmt does)."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from brochures.files import write_atomic

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name, domain=DOMAIN)
    out = BytesIO()
    write_mo(out, catalog)
    write_atomic(mo, out.getvalue())


def _remove_old(base: Path, keep: Path, days: float = 1.0) -> None:
    """Compiled folders of earlier catalogs, unused for a day, are removed (their .po is gone)."""
    with contextlib.suppress(OSError):
        for entry in base.iterdir():
            if (
                entry != keep
                and entry.is_dir()
                and time.time() - entry.stat().st_mtime > days * 86400
            ):
                shutil.rmtree(entry, ignore_errors=True)


def _click_texts() -> None:
    """Never called: marks the texts of click that our commands show, so that they are extracted
    into our catalogs and translated there (tests/test_i18n.py checks click still has each)."""
    _("Usage:")
    _("Options")
    _("Commands")
    _("Show this message and exit.")
    _("Show the version and exit.")
    _("%(prog)s, version %(version)s")
    _("Error: {message}")
    _("Try '{command} {option}' for help.")
    _("No such command {name!r}.")
    _("No such option {name!r}.")
    _("Missing command.")
    _("Missing option")
    _("Missing argument")
    _("Missing parameter")
    _("Invalid value for {param_hint}: {message}")
    _("Invalid value: {message}")
    _("Option {name!r} does not take a value.")
    _("default: {default}")
    _("required")
    _("Aborted!")
    _("{value!r} is not a valid {number_type}.")
    _("{value} is not in the range {range}.")
    _("{name} {filename!r} does not exist.")
    _("{name} {filename!r} is a directory.")
    _("{name} {filename!r} is a file.")
    _("directory")
    _("file")
    _("path")
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    )
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
