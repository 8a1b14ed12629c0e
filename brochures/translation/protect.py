"""Protected spans and sentences: what a model must leave intact, and where texts are cut."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# What a model must not touch, in order of precedence at one position. The message checks
# (messages.message_issues) compare the same things between German and translation.
_PROTECTED = {
    "inline markup": r"</?[a-zA-Z][a-zA-Z0-9]*\b[^>]*>",
    "placeholder": r"%\(\w+\)[sd]|%[sd]|\{\w*\}",
    "URL or e-mail address": (
        r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    ),
    "phone number": r"(?<![\w+])(?:\+\d{1,3} ?|0)\d{1,5}(?:[ /]\d{2,}){1,3}(?:-\d{1,4})?(?!\w)",
    "date": r"(?<!\d)\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?(?!\d)|(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)",
    "number": r"\d+(?:[.,:]\d+)*",
    "text with underscores": r"\w*_\w*",  # argostranslate decodes "_" as a space
}
TOKEN = re.compile(r"\{\s*(\d+)\s*\}")  # how a protected span appears to the model
_TAG = re.compile(_PROTECTED["inline markup"])
WORD = re.compile(r"[^\W\d_]")
_VOID_TAGS = {"br"}


@dataclass(frozen=True)
class Span:
    kind: str
    text: str  # as in the German
    output: str  # what the translation gets: the same, or the language's required term


@dataclass(frozen=True)
class Masked:
    text: str  # German with every protected span replaced by "{n}"
    spans: tuple[Span, ...]


class Protector:
    """Replaces protected spans by numbered tokens and puts them back after translation."""

    def __init__(self, keep: dict[str, str], terms: dict[str, str]):
        self.literals = {k: ("name", v) for k, v in keep.items()}
        self.literals |= {k: ("term", v) for k, v in terms.items()}
        alternatives = []
        if self.literals:
            words = "|".join(re.escape(w) for w in sorted(self.literals, key=len, reverse=True))
            alternatives.append(rf"(?P<literal>(?<!\w)(?:{words})(?!\w))")
        alternatives += [f"(?P<g{i}>{p})" for i, p in enumerate(_PROTECTED.values())]
        self.pattern = re.compile("|".join(alternatives))
        self.kinds = list(_PROTECTED)

    def protect(self, text: str) -> Masked:
        spans: list[Span] = []

        def replace(match: re.Match[str]) -> str:
            found = match[0]
            if match.lastgroup == "literal":
                kind, output = self.literals[found]
            else:
                kind, output = self.kinds[int((match.lastgroup or "g0")[1:])], found
            spans.append(Span(kind, found, output))
            return f"{{{len(spans) - 1}}}"

        return Masked(self.pattern.sub(replace, text), tuple(spans))

    @staticmethod
    def restore(masked: Masked, translated: str) -> tuple[str, list[str]]:
        """The translation with its spans back, and what went wrong (empty: all intact)."""
        seen: Counter[int] = Counter(
            int(m[1]) for m in TOKEN.finditer(translated) if int(m[1]) < len(masked.spans)
        )
        problems = []
        lost = [s.text for i, s in enumerate(masked.spans) if not seen[i]]
        doubled = [masked.spans[i].text for i, n in sorted(seen.items()) if n > 1]
        unknown = [m[0] for m in TOKEN.finditer(translated) if int(m[1]) >= len(masked.spans)]
        if lost:
            problems.append(f"lost {_listing(lost)}")
        if doubled:
            problems.append(f"doubled {_listing(doubled)}")
        if unknown:
            problems.append(f"invented {_listing(unknown)}")

        def put_back(without_markup: bool) -> str:
            def span(match: re.Match[str]) -> str:
                index = int(match[1])
                if index >= len(masked.spans):
                    return ""
                keep = masked.spans[index]
                if without_markup and keep.kind == "inline markup":
                    return ""
                before = translated[: match.start()].rstrip()
                if keep.kind == "term" and (not before or before.endswith((".", "!", "?"))):
                    return keep.output[:1].upper() + keep.output[1:]  # a sentence starts
                return keep.output

            return TOKEN.sub(span, translated)

        text = put_back(False)
        markup = [i for i, s in enumerate(masked.spans) if s.kind == "inline markup"]
        if any(seen[i] != 1 for i in markup) or not _balanced(text):
            text = put_back(True)  # never broken markup: the words without it
            problems.append("inline markup lost or out of order: written without it")
        return (_tidy(text) if problems else text), problems


def _listing(items: list[str]) -> str:
    return ", ".join(f"'{' '.join(item.split())}'" for item in items)


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for match in _TAG.finditer(text):
        tag = match[0]
        name = re.match(r"</?([a-zA-Z][a-zA-Z0-9]*)", tag)
        assert name is not None
        if name[1].lower() in _VOID_TAGS or tag.endswith("/>"):
            continue
        if tag.startswith("</"):
            if not stack or stack.pop() != name[1].lower():
                return False
        else:
            stack.append(name[1].lower())
    return not stack


def _tidy(text: str) -> str:
    """Spaces left where a span was removed: no doubles, none before a full stop or comma."""
    return re.sub(r" +([.,])(?=\s|$)", r"\1", re.sub(r"(?<=\S) {2,}(?=\S)", " ", text))


# ---- sentences ----

_ABBREVIATIONS = {
    "z", "b", "bzw", "ca", "d", "h", "u", "a", "o", "usw", "etc", "ggf", "evtl", "bspw", "inkl",
    "vgl", "sog", "nr", "s", "dr", "prof", "hr", "fr", "st", "str", "tel", "e", "g", "i", "mr",
    "mrs", "vs", "bzgl", "zzgl", "abs",
}  # fmt: skip
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])[\"“”»«')\]]?(\s+)")
_OPENING = "\"„“«»'(["


def split_text(text: str) -> list[tuple[str, str]]:
    """(segment, what follows it): a masked text cut at line breaks and sentence ends, so that
    joining segments and separators gives the text back."""
    if not text.strip():
        return [("", text)]
    out: list[tuple[str, str]] = []
    lead = text[: len(text) - len(text.lstrip())]
    if lead:
        out.append(("", lead))
    for line, newline in _pairs(re.split(r"(\s*\n\s*)", text.strip())):
        start = 0
        for gap in _SENTENCE_GAP.finditer(line):
            word = re.search(r"([^\W\d_]+)\.$", line[: gap.start(1)].rstrip(_OPENING + "”)]"))
            if word and (len(word[1]) == 1 or word[1].lower() in _ABBREVIATIONS):
                continue  # "z. B.", "bzw.", "Nr."
            following = line[gap.end(1) :].lstrip(_OPENING)
            if not (following[:1].isupper() or following.startswith("{")):
                continue
            out.append((line[start : gap.start(1)], gap[1]))
            start = gap.end(1)
        out.append((line[start:], newline))
    trail = text[len(text.rstrip()) :]
    if trail:
        out[-1] = (out[-1][0], trail)
    return out


def _pairs(parts: list[str]) -> Iterable[tuple[str, str]]:
    for i in range(0, len(parts), 2):
        yield parts[i], parts[i + 1] if i + 1 < len(parts) else ""
