"""The term base (`source/terms.yaml`): German school terms and the approved term per language."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import field_validator

from brochures.content.model import Model
from brochures.content.yamlfile import LINE_KEY, load_model
from brochures.errors import ConfigError, raise_if
from brochures.languages import check_code, spelled

TERMS_FILE = "terms.yaml"  # in source/

# German inflection a term may carry in a text (Zeugnisse, des Schulabschlusses), nothing more:
# "Schulsozialarbeiter" is another term than "Schulsozialarbeit".
_INFLECTION = r"(?:e|es|s|n|en|se|ses|sen)?"


class TermBase(Model):
    """German term → language → the approved term (empty: no approved term yet)."""

    terms: dict[str, dict[str, str]] = {}

    @field_validator("terms", mode="before")
    @classmethod
    def _without_lines(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: cls._without_lines(v) for k, v in value.items() if k != LINE_KEY}
        return "" if value is None else value

    def approved(self, lang: str) -> dict[str, str]:
        """The German terms with an approved term in this language."""
        return {
            german: targets[lang]
            for german, targets in self.terms.items()
            if targets.get(lang, "").strip()
        }


@dataclass(frozen=True)
class TermFinding:
    lang: str
    detail: str


def load_terms(source_dir: Path, languages: list[str]) -> TermBase:
    """`source/terms.yaml`, or an empty term base when there is none."""
    path = source_dir / TERMS_FILE
    if not path.exists():
        return TermBase()
    base, doc, problems = load_model(path, f"source/{TERMS_FILE}", TermBase)
    raise_if(problems, ConfigError)
    assert base is not None and doc is not None
    for german, targets in base.terms.items():
        respelled = {}
        for lang, target in targets.items():
            wrong = check_code(lang)
            if wrong or spelled(lang) not in languages:
                why = wrong or f"'{lang}' is not one of the project's languages"
                problems.append(doc.problem(("terms", german, lang), f"{german}.{lang}: {why}"))
            else:
                respelled[spelled(lang)] = target
        base.terms[german] = respelled
    raise_if(problems, ConfigError)
    return base


# The Arabic article ال (also after the prefixes و ب ل ف ك) is not part of a term: الشهادة
# المدرسية contains شهادة مدرسية.
_ARABIC_ARTICLE = re.compile(r"(?<!\S)([وبلفك]?)ال")


def _comparable(text: str) -> str:
    return _ARABIC_ARTICLE.sub(r"\1", " ".join(text.split())).casefold()


def missing_terms(base: TermBase, lang: str, msgid: str, msgstr: str) -> list[str]:
    """The approved terms a translation lacks although its German contains their term."""
    found = []
    for german, target in base.approved(lang).items():
        if re.search(rf"\b{re.escape(german)}{_INFLECTION}\b", msgid) and (
            _comparable(target) not in _comparable(msgstr)
        ):
            found.append(f"'{german}' is not translated with the approved term '{target}'")
    return found


def shared_targets(base: TermBase) -> list[TermFinding]:
    """Two German terms with one approved term in a language: readers cannot tell them apart."""
    by_target: dict[tuple[str, str], list[str]] = defaultdict(list)
    for german, targets in base.terms.items():
        for lang, target in targets.items():
            if target.strip():
                by_target[(lang, _comparable(target))].append(german)
    return [
        TermFinding(lang, f"{' and '.join(germans)} share the approved term '{target}'")
        for (lang, target), germans in by_target.items()
        if len(germans) > 1
    ]
