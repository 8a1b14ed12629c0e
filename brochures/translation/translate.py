"""Machine translation of catalog gaps: engine interface, terms, memory, batches per language."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polib
from pydantic import field_validator

from brochures.content.model import Model
from brochures.content.project import Project
from brochures.content.yamlfile import LINE_KEY, load_model
from brochures.errors import ConfigError, Problem, raise_if
from brochures.files import write_atomic
from brochures.languages import SOURCE_LANGUAGE, check_code, not_among, spelled
from brochures.translation.catalogs import (
    CatalogError,
    LoadedCatalog,
    SourceMessage,
    State,
    canonical,
    display_of,
    extract,
    formatted,
    key_of,
    machine_owned,
    make_template,
    mark_machine_translation,
    merge,
    po_path,
    read_catalog,
    serialise,
    state_of,
    write_catalog,
)
from brochures.translation.messages import message_issues
from brochures.translation.protect import TOKEN, WORD, Protector, split_text

PIVOT = "en"  # the language a route goes through when no package translates directly
TERMS_FILE = "mt-terms.yaml"  # in source/
MEMORY_FILE = "translation-memory.json"  # in build/: a cache, safe to delete
BATCH_TEXTS = 100  # texts per batch: one engine call per hop, then one atomic catalog write

# ---- the engine interface ----


@dataclass(frozen=True)
class Hop:
    """One installed model: a language pair and the model's version."""

    source: str
    target: str
    version: str

    def __str__(self) -> str:
        return f"{self.source}→{self.target} {self.version}"


@dataclass(frozen=True)
class Route:
    """The models a text goes through, e.g. de→en then en→ar."""

    hops: tuple[Hop, ...]

    @property
    def path(self) -> str:
        return "→".join([self.hops[0].source, *(hop.target for hop in self.hops)])

    @property
    def models(self) -> str:
        return ", ".join(str(hop) for hop in self.hops)


class Engine(Protocol):
    """Translates batches of sentences along the hops of a route."""

    name: str
    calls: int  # batch calls made so far

    def route(self, source: str, target: str) -> Route | None: ...

    def translate(self, hop: Hop, sentences: list[str]) -> list[str]:
        """All sentences in one batch call; one output per input, in order."""
        ...


def find_route(pairs: dict[tuple[str, str], str], source: str, target: str) -> Route | None:
    """A direct pair, else through English; `pairs` maps (source, target) to a model version."""
    if (source, target) in pairs:
        return Route((Hop(source, target, pairs[source, target]),))
    if PIVOT not in (source, target) and (source, PIVOT) in pairs and (PIVOT, target) in pairs:
        first, second = (source, PIVOT), (PIVOT, target)
        return Route((Hop(*first, pairs[first]), Hop(*second, pairs[second])))
    return None


# ---- terms (source/mt-terms.yaml) ----


class MtTerms(Model):
    """`source/mt-terms.yaml`: names that stay as they are, and required terms per language."""

    keep: list[str] = []
    keep_forms: dict[str, str] = {}  # an inflected German form → the name the translation uses
    terms: dict[str, dict[str, str]] = {}  # language → German term → the term to use

    @field_validator("keep_forms", "terms", mode="before")
    @classmethod
    def _without_lines(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: cls._without_lines(v) for k, v in value.items() if k != LINE_KEY}
        return value

    def protector(self, lang: str) -> Protector:
        keep = {name: name for name in self.keep} | self.keep_forms
        return Protector(keep, self.terms.get(lang, {}))


def load_terms(project: Project) -> MtTerms:
    path = project.source_dir / TERMS_FILE
    if not path.exists():
        return MtTerms()
    terms, doc, problems = load_model(path, f"source/{TERMS_FILE}", MtTerms)
    raise_if(problems, ConfigError)
    assert terms is not None and doc is not None
    for form, name in terms.keep_forms.items():
        if name not in terms.keep:
            problems.append(doc.problem(("keep_forms", form), f"'{name}' is not listed in keep"))
    for lang in terms.terms:
        wrong = check_code(lang)
        if wrong or lang not in project.settings.languages:
            why = wrong or (f"'{lang}' is not one of the project's languages (source/project.yaml)")
            problems.append(doc.problem(("terms", lang), f"terms.{lang}: {why}"))
    raise_if(problems, ConfigError)
    return terms


# ---- translation memory ----


class Memory:
    """Sentence translations keyed by engine, hop (language pair and model version) and text.
    A cache in build/: deleting it costs engine calls, nothing else."""

    def __init__(self, path: Path):
        self.path = path
        self.hops: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("hops"), dict):
                self.hops = data["hops"]
        except (OSError, ValueError):
            pass  # missing or unreadable: start empty, the next save replaces it
        self.changed = False
        self.fresh: set[tuple[str, str]] = set()  # translated in this run

    @staticmethod
    def key(engine: Engine, hop: Hop) -> str:
        return f"{engine.name} {hop}"

    def get(self, key: str, sentence: str) -> str | None:
        return self.hops.get(key, {}).get(sentence)

    def put(self, key: str, sentence: str, output: str) -> None:
        self.hops.setdefault(key, {})[sentence] = output
        self.fresh.add((key, sentence))
        self.changed = True

    def save(self) -> None:
        if self.changed:
            data = {"format": 1, "hops": self.hops}
            text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            write_atomic(self.path, text.encode("utf-8"))
            self.changed = False


def translate_sentences(
    engine: Engine, route: Route, sentences: list[str], memory: Memory, refresh: bool
) -> list[str]:
    """Each sentence through every hop of the route; per hop one batch call for what the
    memory does not know (with `refresh`, everything is translated anew)."""
    current = list(sentences)
    for hop in route.hops:
        key = Memory.key(engine, hop)
        wanted = {s: None for s in current if WORD.search(TOKEN.sub("", s))}  # words to translate
        missing = [
            s
            for s in wanted
            if memory.get(key, s) is None or (refresh and (key, s) not in memory.fresh)
        ]
        if missing:
            for sentence, output in zip(missing, engine.translate(hop, missing), strict=True):
                memory.put(key, sentence, output)
        current = [memory.hops[key][s] if s in wanted else s for s in current]
    return current


# ---- the catalogs ----


@dataclass
class LanguageReport:
    lang: str
    route: Route | None = None
    todo: int = 0  # texts the engine should fill (missing, or its own outdated ones)
    translated: int = 0
    flagged: list[tuple[str, str]] = field(default_factory=list)  # (message id, reason)
    reviewed: int = 0  # left alone
    drafts: int = 0  # a person's unreviewed or outdated translations, left to them
    machine: int = 0  # the engine's translations, up to date
    unreachable: bool = False  # no installed model reaches the language


@dataclass
class TranslateReport:
    languages: list[LanguageReport] = field(default_factory=list)
    engine_calls: int = 0
    engine_loaded: bool = False


Progress = Callable[[str, int, int], None]  # (language, texts done, texts to do)


def translate(
    project: Project,
    langs: Iterable[str] = (),
    brochure_ids: Iterable[str] = (),
    *,
    load_engine: Callable[[], Engine],
    unreachable: Callable[[str], bool] = lambda lang: False,
    refresh: bool = False,
    progress: Progress | None = None,
    batch_texts: int = BATCH_TEXTS,
    today: datetime.date | None = None,
) -> TranslateReport:
    """Fill the catalogs' gaps with machine translations, written as unreviewed entries.

    Missing texts and the engine's own outdated ones are translated; reviewed texts and a
    person's drafts are never touched. The engine is loaded only when there is work for a
    language not known (`unreachable`, e.g. from the last run) to be reached by no model."""
    messages = extract(project)
    targets, wanted = _selection(project, messages, list(langs), list(brochure_ids))
    terms = load_terms(project)
    catalogs = _read_current(project, messages, targets)
    report = TranslateReport()
    plans = []
    for lang in targets:
        lang_report, todo = _plan(catalogs[lang].po, lang, wanted, refresh)
        report.languages.append(lang_report)
        if todo and unreachable(lang):
            lang_report.unreachable = True
        elif todo:
            plans.append((lang_report, todo))
    if not plans:
        return report
    engine = load_engine()
    report.engine_loaded = True
    memory = Memory(project.build_dir / MEMORY_FILE)
    for lang_report in report.languages:
        lang_report.route = engine.route(SOURCE_LANGUAGE, lang_report.lang)
        lang_report.unreachable = lang_report.route is None
    plans.sort(key=lambda p: len(p[0].route.hops) if p[0].route else 0)  # pivot hops reused
    date = (today or _today()).isoformat()
    for lang_report, todo in plans:
        if lang_report.route is None:
            continue
        catalog = catalogs[lang_report.lang]
        protector = terms.protector(lang_report.lang)
        if progress:
            progress(lang_report.lang, 0, len(todo))
        for start in range(0, len(todo), batch_texts):
            batch = todo[start : start + batch_texts]
            _translate_batch(engine, lang_report, batch, protector, memory, refresh, date)
            memory.save()  # first: should the write be refused, a rerun costs no engine call
            write_catalog(catalog.path, catalog.po, catalog.raw)
            catalog.raw = serialise(catalog.po)
            if progress:
                progress(lang_report.lang, start + len(batch), len(todo))
    report.engine_calls = engine.calls
    return report


def _today() -> datetime.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def _selection(
    project: Project, messages: list[SourceMessage], langs: list[str], brochure_ids: list[str]
) -> tuple[list[str], set[tuple[str, str]] | None]:
    """Target languages, and the message keys of the chosen brochures (None: every text)."""
    problems = []
    for brochure_id in brochure_ids:
        if brochure_id not in project.brochures:
            known = ", ".join(project.brochures)
            problems.append(
                Problem(None, None, f"unknown brochure '{brochure_id}' (known: {known})")
            )
    raise_if(problems, ConfigError)
    chosen = [project.brochures[b] for b in brochure_ids] or list(project.brochures.values())
    available = list(dict.fromkeys(code for b in chosen for code in project.languages_of(b)))
    available = [code for code in available if code != SOURCE_LANGUAGE]
    langs = [spelled(lang) for lang in langs]  # fa_AF is fa-AF
    for lang in langs:
        wrong = not_among(lang, available, "the target languages of the chosen brochures")
        if wrong:
            problems.append(Problem(None, None, wrong))
    raise_if(problems, ConfigError)
    targets = [code for code in available if code in langs] if langs else available
    if not brochure_ids:
        return targets, None
    everything = {key_of(m.context, m.msgid) for m in messages}
    content = {
        b: {key_of(m.context, m.source) for m in project.content(b).messages()}
        for b in project.brochures
    }
    templates = everything - set().union(*content.values())
    return targets, templates.union(*(content[b] for b in brochure_ids))


def _read_current(
    project: Project, messages: list[SourceMessage], targets: list[str]
) -> dict[str, LoadedCatalog]:
    """Each target catalog, read once; a stale or missing one is an error (update first)."""
    template = make_template(messages)
    catalogs, problems = {}, []
    for lang in targets:
        path = po_path(project, lang)
        display = display_of(project, path)
        if not path.exists():
            problems.append(Problem(display, None, "missing: run `brochures catalog update` first"))
            continue
        loaded = read_catalog(path, display, lang)
        if canonical(loaded.po) != canonical(merge(loaded.po, template, lang)):
            problems.append(Problem(display, None, "stale: run `brochures catalog update` first"))
        catalogs[lang] = loaded
    raise_if(problems, CatalogError)
    return catalogs


def _plan(
    po: polib.POFile, lang: str, wanted: set[tuple[str, str]] | None, refresh: bool
) -> tuple[LanguageReport, list[polib.POEntry]]:
    report, todo = LanguageReport(lang), []
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        if wanted is not None and key_of(entry.msgctxt, entry.msgid) not in wanted:
            continue
        state = state_of(entry)
        if state is State.MISSING:
            todo.append(entry)
        elif state is State.REVIEWED:
            report.reviewed += 1
        elif not machine_owned(entry):
            report.drafts += 1
        elif state is State.OUTDATED or refresh:
            todo.append(entry)
        else:
            report.machine += 1
    report.todo = len(todo)
    return report, todo


def _translate_batch(
    engine: Engine,
    report: LanguageReport,
    entries: list[polib.POEntry],
    protector: Protector,
    memory: Memory,
    refresh: bool,
    date: str,
) -> None:
    assert report.route is not None
    masked = [protector.protect(entry.msgid) for entry in entries]
    pieces = [split_text(m.text) for m in masked]
    sentences = [segment for text in pieces for segment, _ in text]
    outputs = iter(translate_sentences(engine, report.route, sentences, memory, refresh))
    for entry, mask, text in zip(entries, masked, pieces, strict=True):
        translated = "".join(next(outputs) + separator for _, separator in text)
        result, problems = Protector.restore(mask, translated)
        if not problems:  # the message checks the build applies, as the last gate
            problems = [
                str(i)
                for i in message_issues(entry.msgid, result, formatted(entry.msgctxt, entry))
                if i.severity == "error"
            ]
        _write_entry(entry, result, problems, report.route, engine.name, date)
        report.translated += 1
        if problems:
            report.flagged.append((entry.msgctxt or entry.msgid, "; ".join(problems)))


def _write_entry(
    entry: polib.POEntry, text: str, problems: list[str], route: Route, engine: str, date: str
) -> None:
    """Unreviewed (fuzzy, no previous msgid), with the engine's record; a person's notes stay."""
    entry.msgstr = text
    entry.flags = [f for f in entry.flags if f != "fuzzy"] + ["fuzzy"]
    entry.previous_msgid = entry.previous_msgctxt = None
    what = f"{engine} {route.path} ({route.models}), {date}"
    mark_machine_translation(entry, what, "; ".join(problems))
