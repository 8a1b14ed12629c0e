"""The review page's own texts (English source, German shipped) in the browser's language."""

from __future__ import annotations

import gettext

from brochures import i18n
from brochures.i18n import N_

# Texts the page's script shows (the template's own texts are marked in the template).
SCRIPT_MESSAGES = {
    "missing": N_("missing"),
    "unreviewed": N_("unreviewed"),
    "outdated": N_("outdated"),
    "reviewed": N_("reviewed"),
    "saved": N_("Saved."),
    "approved": N_("Approved."),
    "sent_back": N_("Sent back with your comment."),
    "conflict": N_(
        "Someone else changed this text since you loaded it. Nothing was overwritten: "
        "their version is shown below, your text is still in the field."
    ),
    "their_version": N_("Current version on disk:"),
    "refused": N_("Not saved: the translation fails a check."),
    "failed": N_("Not saved:"),
    "no_history": N_("No saves yet."),
    "revert": N_("Revert to the text before this save"),
    "reverted": N_("Reverted."),
    "page": N_("Page"),
    "previous_german": N_("German the translation was made for (changes marked):"),
    "none": N_("No texts."),
    "comment_needed": N_("Write a comment to send the text back."),
    "of": N_("of"),
}


class UiTexts:
    """gettext for one UI language, with the language's code."""

    def __init__(self, lang: str, translations: gettext.NullTranslations):
        self.lang = lang
        self.translations = translations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def ui_translations(accept_language: str) -> UiTexts:
    """The page's texts in the browser's preferred language among the tool's (English if none)."""
    lang = i18n.negotiate(accept_language)
    return UiTexts(lang, i18n.translations(lang))


def ui_strings(ui: UiTexts) -> dict[str, str]:
    return {key: ui.gettext(message) for key, message in SCRIPT_MESSAGES.items()}
