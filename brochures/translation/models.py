"""Translation models: argostranslate packages listed, installed and run (imported only here)."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from brochures.errors import BrochuresError, EnvironmentProblem, Problem
from brochures.files import write_atomic
from brochures.languages import SOURCE_LANGUAGE
from brochures.translation.translate import PIVOT, Hop, Route, find_route

INSTALL_HINT = (
    "argostranslate is not installed. Install the optional extra: "
    "`.venv/bin/pip install -e '.[translate]'` (argos-translate-lt: no torch)"
)
ROUTES_FILE = "translation-routes.json"  # in build/: a cache, safe to delete
TIMEOUT = 10.0  # seconds for the package index and each download
MAX_BATCH_TOKENS = 4096  # ctranslate2 splits a call into batches of this many tokens


class PackageError(BrochuresError):
    """A package file or the package index is unusable."""


def argos_package() -> ModuleType:
    """`argostranslate.package` (light: its import loads no model, no torch), or how to get it."""
    try:
        import argostranslate.package
    except ImportError:
        raise EnvironmentProblem(INSTALL_HINT) from None
    return argostranslate.package


@dataclass(frozen=True)
class InstalledModel:
    source: str
    target: str
    version: str
    path: Path


def installed() -> list[InstalledModel]:
    """Installed translation packages, read from their metadata (no model is loaded)."""
    package = argos_package()
    try:
        found = package.get_installed_packages()
    except FileNotFoundError as exc:  # a folder without metadata.json among the packages
        raise EnvironmentProblem(f"a broken package in the packages folder: {exc}") from None
    return sorted(
        (
            InstalledModel(p.from_code, p.to_code, p.package_version, p.package_path)
            for p in found
            if p.type == "translate"
        ),
        key=lambda m: (m.source, m.target, _version_key(m.version)),
    )


def expected_packages_folder() -> Path:
    """Where argostranslate keeps its packages, found as it finds it (environment, its
    settings.json, the XDG folders) but without importing it: importing creates folders and
    reads its environment once, for the whole process."""
    home = Path(os.environ["SNAP_USER_DATA"]) if "SNAP" in os.environ else Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "argos-translate"
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "argos-translate"
    configured = os.environ.get("ARGOS_PACKAGES_DIR")
    if configured is None:
        try:
            configured = json.loads((config / "settings.json").read_text()).get(
                "ARGOS_PACKAGES_DIR"
            )
        except (OSError, ValueError, AttributeError):
            configured = None
    return Path(configured) if configured else data / "packages"


def packages_folder() -> Path:
    from argostranslate import settings

    return Path(settings.package_data_dir)


def pairs_of(models: list[InstalledModel]) -> dict[tuple[str, str], str]:
    """(source, target) → the newest installed version."""
    return {(m.source, m.target): m.version for m in models}  # sorted: the newest wins


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def reach(models: list[InstalledModel], languages: list[str]) -> dict[str, Route | None]:
    """For each language, the route from German the installed models give (None: no route)."""
    pairs = pairs_of(models)
    return {
        lang: find_route(pairs, SOURCE_LANGUAGE, lang)
        for lang in languages
        if lang != SOURCE_LANGUAGE
    }


class RouteCache:
    """The languages no installed model reached at the last run, trusted while the packages
    folders, their packages and argostranslate's settings are as they were: a run whose only
    open texts are in such languages then needs no import of argostranslate."""

    def __init__(self, path: Path):
        self.path = path
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            valid = saved["state"] == _state(saved["state"]["dirs"], saved["state"]["settings"])
            self.known = set(saved["unreachable"]) if valid else set()
        except (OSError, ValueError, KeyError, TypeError):
            self.known = set()

    def unreachable(self, lang: str) -> bool:
        return lang in self.known

    def save(self, unreachable: list[str]) -> None:
        """After a run that loaded the engine (argostranslate is imported then)."""
        from argostranslate import settings

        dirs = [str(d) for d in settings.package_dirs]
        data = {"state": _state(dirs, str(settings.settings_file)), "unreachable": unreachable}
        write_atomic(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def _state(dirs: list[str], settings_file: str) -> dict[str, Any]:
    """What decides which packages argostranslate finds, read without importing it."""
    listing = []
    for folder in dirs:
        try:
            names = sorted(entry.name for entry in os.scandir(folder))
        except OSError:
            names = []
        for name in names:
            try:
                stamp: int | None = (Path(folder) / name / "metadata.json").stat().st_mtime_ns
            except OSError:
                stamp = None
            listing.append([folder, name, stamp])
    try:
        settings_stamp: int | None = Path(settings_file).stat().st_mtime_ns
    except OSError:
        settings_stamp = None
    env = {name: os.environ.get(name) for name in _ENVIRONMENT}
    return {
        "dirs": dirs,
        "settings": settings_file,
        "settings_stamp": settings_stamp,
        "listing": listing,
        "env": env,
    }


_ENVIRONMENT = (
    "ARGOS_PACKAGES_DIR",
    "ARGOS_TRANSLATE_PACKAGE_DIR",
    "ARGOS_MODEL_PROVIDER",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "HOME",
    "SNAP",
    "SNAP_USER_DATA",
)


# ---- running ----


class ArgosEngine:
    """argostranslate's installed packages (tokenizer, model folder, settings) run through
    ctranslate2 directly: every sentence of a batch in one `translate_batch` call. Its own
    `translate()` cannot batch across texts and would need a sentence-splitter model."""

    name = "argostranslate"

    def __init__(self, threads: int | None = None, beam_size: int | None = None):
        package = argos_package()
        import ctranslate2
        from argostranslate import settings

        self._ctranslate2 = ctranslate2
        self._settings = settings
        newest: dict[tuple[str, str], Any] = {}
        for pkg in sorted(
            (p for p in package.get_installed_packages() if p.type == "translate"),
            key=lambda p: _version_key(p.package_version),
        ):
            newest[pkg.from_code, pkg.to_code] = pkg
        self._packages = newest
        self._translators: dict[tuple[str, str], Any] = {}
        # ctranslate2's own default (0) measured slower than one thread per core on 2 cores
        self.threads = threads if threads is not None else settings.intra_threads
        if not self.threads:
            self.threads = min(4, len(os.sched_getaffinity(0)))
        self.beam_size = beam_size if beam_size is not None else settings.beam_size
        self.calls = 0

    def route(self, source: str, target: str) -> Route | None:
        pairs = {pair: pkg.package_version for pair, pkg in self._packages.items()}
        return find_route(pairs, source, target)

    def _translator(self, pair: tuple[str, str]) -> Any:
        if pair not in self._translators:
            pkg = self._packages[pair]
            self._translators[pair] = self._ctranslate2.Translator(
                str(pkg.package_path / "model"),
                device=self._settings.device,
                inter_threads=1,
                intra_threads=self.threads,
                compute_type=self._settings.compute_type,
            )
        return self._translators[pair]

    def translate(self, hop: Hop, sentences: list[str]) -> list[str]:
        pkg = self._packages[hop.source, hop.target]
        translator = self._translator((hop.source, hop.target))
        tokens = [pkg.tokenizer.encode(sentence) for sentence in sentences]
        prefix = pkg.target_prefix
        self.calls += 1
        results = translator.translate_batch(
            tokens,
            target_prefix=[[prefix]] * len(tokens) if prefix else None,
            replace_unknowns=True,
            max_batch_size=MAX_BATCH_TOKENS,
            batch_type="tokens",
            beam_size=self.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,  # as argostranslate
            max_decoding_length=min(1024, 2 * max(map(len, tokens), default=0) + 16),
        )
        out = []
        for result in results:
            value = pkg.tokenizer.decode(result.hypotheses[0])
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
            out.append(value.strip())
        return out


# ---- installing ----


def read_package_file(path: Path) -> dict[str, Any]:
    """The metadata of a valid .argosmodel (a zip with one folder: metadata.json, model/ and a
    tokenizer); anything else is refused before the packages folder is touched."""
    display = str(path)
    if not path.is_file():
        raise PackageError(Problem(display, None, "no such file"))
    if not zipfile.is_zipfile(path):
        raise PackageError(Problem(display, None, "not an .argosmodel package (not a zip file)"))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        roots = {name.split("/")[0] for name in names}
        if len(roots) != 1 or any(
            ".." in name.split("/") or name.startswith("/") for name in names
        ):
            raise PackageError(Problem(display, None, "a package holds exactly one folder"))
        root = roots.pop()
        try:
            metadata = json.loads(archive.read(f"{root}/metadata.json"))
        except KeyError:
            raise PackageError(Problem(display, None, "no metadata.json in the package")) from None
        except ValueError as exc:
            raise PackageError(Problem(display, None, f"metadata.json: {exc}")) from None
    problems = []
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        problems.append("not a translation package (metadata type)")
    elif not metadata.get("from_code") or not metadata.get("to_code"):
        problems.append("metadata.json names no from_code and to_code")
    if f"{root}/model/model.bin" not in names:
        problems.append("no model/model.bin")
    if f"{root}/sentencepiece.model" not in names and f"{root}/bpe.model" not in names:
        problems.append("no tokenizer (sentencepiece.model or bpe.model)")
    if problems:
        raise PackageError([Problem(display, None, p) for p in problems])
    return metadata


def install_file(path: Path) -> tuple[InstalledModel, list[InstalledModel]]:
    """Install a package file through argostranslate; an installed package of the same pair is
    replaced. Returns the new model and the ones it replaced."""
    metadata = read_package_file(path)
    package = argos_package()
    pair = (metadata["from_code"], metadata["to_code"])
    replaced = []
    for old in package.get_installed_packages():
        if (old.from_code, old.to_code) == pair and old.type == "translate":
            replaced.append(InstalledModel(*pair, old.package_version, old.package_path))
            package.uninstall(old)
    package.install_from_path(path)
    new = next(m for m in installed() if (m.source, m.target) == pair)
    return new, replaced


def install_online(
    lang: str, index_url: str | None = None, timeout: float = TIMEOUT
) -> list[tuple[InstalledModel, list[InstalledModel]]]:
    """Fetch what reaches `lang` from German (direct, else de→en and en→lang) from the argos
    package index. Never argostranslate's own index code: offline it recursed for minutes."""
    argos_package()
    from argostranslate import settings

    url = index_url or settings.remote_package_index
    try:
        index = json.loads(_fetch(url, timeout))
    except ValueError as exc:
        raise PackageError(Problem(url, None, f"not a package index: {exc}")) from None
    if not isinstance(index, list):
        raise PackageError(Problem(url, None, "not a package index (expected a list)"))
    offered = {
        (p.get("from_code"), p.get("to_code")): p
        for p in index
        if isinstance(p, dict) and p.get("type", "translate") == "translate"
    }
    have = pairs_of(installed())
    if (SOURCE_LANGUAGE, lang) in offered or (SOURCE_LANGUAGE, lang) in have:
        needed = [(SOURCE_LANGUAGE, lang)]
    else:
        needed = [(SOURCE_LANGUAGE, PIVOT), (PIVOT, lang)]
    lacking = [pair for pair in needed if pair not in offered and pair not in have]
    if lacking:
        names = ", ".join(f"{a}→{b}" for a, b in lacking)
        raise PackageError(
            f"the package index offers no {names}: '{lang}' needs a human translator"
        )
    import tempfile

    done = []
    for pair in needed:
        if pair in have:
            continue
        links = offered[pair].get("links") or []
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / f"{pair[0]}_{pair[1]}.argosmodel"
            file.write_bytes(_fetch_any(links, timeout))
            metadata = read_package_file(file)
            if (metadata["from_code"], metadata["to_code"]) != pair:
                got = f"{metadata['from_code']}→{metadata['to_code']}"
                raise PackageError(
                    Problem(links[0], None, f"holds {got}, the index said {pair[0]}→{pair[1]}")
                )
            done.append(install_file(file))
    return done


def _fetch_any(links: list[str], timeout: float) -> bytes:
    problems = []
    for link in links:
        try:
            return _fetch(link, timeout)
        except EnvironmentProblem as exc:
            problems += exc.problems
    raise EnvironmentProblem(problems or "the package index lists no download link")


def _fetch(url: str, timeout: float) -> bytes:
    """GET that never hangs: the socket timeout covers connecting and every read, but not name
    resolution, so the request runs in a daemon thread, abandoned if no answer comes in time."""
    import threading
    import urllib.error
    import urllib.request

    result: dict[str, Any] = {}
    answered, finished = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                answered.set()
                result["data"] = response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            result["error"] = getattr(exc, "reason", exc)
        finally:
            answered.set()
            finished.set()

    threading.Thread(target=run, daemon=True).start()
    if answered.wait(timeout + 1):
        finished.wait()  # a download may take long; each read has the socket timeout
    if "data" in result:
        return result["data"]
    why = result.get("error", f"no answer within {timeout:.0f} s")
    raise EnvironmentProblem(
        f"cannot fetch {url}: {why}. Without a network, copy a package file to this machine "
        "and run `brochures models install PATH.argosmodel`"
    )
