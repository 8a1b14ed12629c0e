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


def message_issues(msgid: str, msgstr: str) -> list[MessageIssue]:
    """Compare a translation with its German source: what must survive translation intact."""
    if not msgstr:
        return []
    issues = _diff(
        "placeholders", Counter(_PLACEHOLDER.findall(msgid)), Counter(_PLACEHOLDER.findall(msgstr))
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
