"""Message checks: what must survive translation intact between German and a translation."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^>]*>")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = ".!?:;…。؟۔።"
# A printf-style conversion as Python's `%` operator reads it (Jinja2's new-style gettext runs
# `translation % variables` on every template string, even without variables).
_CONVERSION = re.compile(
    r"%(?:\((?P<name>[^()]*)\))?[#0+ -]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
# Conversions a template string may use: text (s) and whole numbers (d); `r` would print
# `Markup('…')`, `c` raises on text, `*` takes a width from the arguments.
_SAFE_TYPES = {"s", "d"}
# A translation longer than this many times its German source (or than LENGTH_FLOOR
# characters, whichever is more) is an error: a pasted document, not a translation.
LENGTH_FACTOR = 10
LENGTH_FLOOR = 100


@dataclass(frozen=True)
class MessageIssue:
    severity: str  # "error": the translation is not used unless reviewed; "warning": listed
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


def _digits(text: str) -> str:
    """Eastern Arabic, Persian and other decimal digits as ASCII digits."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def _diff(kind: str, source: Counter, target: Counter) -> list[MessageIssue]:
    if source == target:
        return []
    lost = sorted((source - target).elements())
    extra = sorted((target - source).elements())
    parts = ([f"missing {', '.join(lost)}"] if lost else []) + (
        [f"unexpected {', '.join(extra)}"] if extra else []
    )
    return [MessageIssue("error", kind, "; ".join(parts))]


def conversions(text: str) -> tuple[list[str], list[int]]:
    """The `%` conversions of a format string (`%%` left out) and the offsets of every `%` that
    starts none (a lone `%`: Python raises "incomplete format" or "unsupported format
    character")."""
    found, lone, at = [], [], 0
    while (at := text.find("%", at)) >= 0:
        match = _CONVERSION.match(text, at)
        if match is None:
            lone.append(at)
            at += 1
            continue
        if match["type"] != "%":
            found.append(match[0])
        at = match.end()
    return found, lone


def format_issues(msgid: str, msgstr: str) -> list[MessageIssue]:
    """Placeholders of a text that is formatted with `%` (a template string): every conversion
    of the translation must be one of the German's, named, of a safe type; a lone `%` is an
    error (a percent sign is written `%%`)."""
    source, _ = conversions(msgid)
    target, lone = conversions(msgstr)
    issues = _diff("placeholders", Counter(source), Counter(target))
    unsafe = sorted({c for c in target if c[-1] not in _SAFE_TYPES or "(" not in c or "*" in c})
    if unsafe:
        issues.append(
            MessageIssue(
                "error",
                "placeholders",
                f"conversion {', '.join(unsafe)} not allowed (only named %(name)s or %(name)d)",
            )
        )
    if lone:
        issues.append(
            MessageIssue(
                "error",
                "placeholders",
                f"lone '%' at character {lone[0] + 1} (write '%%' for a percent sign)",
            )
        )
    return issues


def message_issues(msgid: str, msgstr: str, formatted: bool = False) -> list[MessageIssue]:
    """Compare a translation with its German source: what must survive translation intact.
    `formatted`: the text goes through `%` formatting (template strings), so every conversion
    and every `%` is checked; other texts (concept texts) only keep their placeholders."""
    if not msgstr:
        return []
    if formatted:
        issues = format_issues(msgid, msgstr)
    else:
        issues = _diff(
            "placeholders",
            Counter(_PLACEHOLDER.findall(msgid)),
            Counter(_PLACEHOLDER.findall(msgstr)),
        )
    limit = max(LENGTH_FACTOR * len(msgid), LENGTH_FLOOR)
    if len(msgstr) > limit:
        issues.append(
            MessageIssue(
                "error",
                "length",
                f"{len(msgstr)} characters, more than {LENGTH_FACTOR}× the German "
                f"({len(msgid)}; limit {limit})",
            )
        )
    issues += _diff(
        "inline tags",
        Counter(" ".join(m[0].split()) for m in _TAG.finditer(msgid)),
        Counter(" ".join(m[0].split()) for m in _TAG.finditer(msgstr)),
    )
    issues += _diff(
        "URLs and e-mail addresses", Counter(_URL.findall(msgid)), Counter(_URL.findall(msgstr))
    )
    plain_id, plain_str = _URL.sub("", _TAG.sub("", msgid)), _URL.sub("", _TAG.sub("", msgstr))
    issues += _diff(
        "numbers",
        Counter(_NUMBER.findall(_PLACEHOLDER.sub("", plain_id))),
        Counter(_NUMBER.findall(_digits(_PLACEHOLDER.sub("", plain_str)))),
    )
    if msgid.count("\n\n") != msgstr.count("\n\n"):
        issues.append(
            MessageIssue(
                "warning",
                "paragraphs",
                f"{msgid.count(chr(10) * 2) + 1} in German, "
                f"{msgstr.count(chr(10) * 2) + 1} in the translation",
            )
        )
    if (msgid != msgid.strip()) != (msgstr != msgstr.strip()) or msgstr != msgstr.strip():
        issues.append(MessageIssue("warning", "whitespace", "leading or trailing whitespace"))
    if msgid.rstrip()[-1:] in _SENTENCE_END and msgstr.rstrip()[-1:] not in _SENTENCE_END:
        issues.append(
            MessageIssue(
                "warning",
                "ending punctuation",
                f"German ends with '{msgid.rstrip()[-1]}', "
                "the translation without sentence punctuation",
            )
        )
    if msgstr == msgid and re.search(r"[^\W\d_]{3}", msgid):
        issues.append(MessageIssue("warning", "identical", "translation identical to German"))
    return issues
