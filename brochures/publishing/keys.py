"""Build keys: a hash of everything that decides a job's PDF bytes; unchanged jobs are skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, TemplateNotFound
from pydantic import BaseModel

from brochures import __version__
from brochures.content.brochure import BrochureContent
from brochures.content.project import FORMAT_SUFFIX, Project
from brochures.files import write_atomic
from brochures.languages import document_stacks
from brochures.rendering import checks, forkserver
from brochures.translation.catalogs import CatalogTexts, machine_flag

if TYPE_CHECKING:
    from polib import POEntry

# Bump when the meaning of a key changes: every job then rebuilds once.
KEY_FORMAT = 3
# Libraries whose version can change a job's HTML or the PDF bytes of the same HTML.
RENDERING_LIBRARIES = (
    *("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "fonttools"),
    *("jinja2", "markupsafe", "babel", "nh3", "segno", "polib"),
)
INPUT_DIGEST = 20  # hex digits kept per input (80 bits): the manifest stays small
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def digest(value: Any) -> str:
    """A stable hash of plain data (dicts in key order, dataclasses and models as dicts)."""
    text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256(text)


def _plain(value: Any) -> Any:
    """Data as JSON values; where a text was found in the YAML (origin, comment) is left out:
    moving a text down a line must not rebuild a PDF."""
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("origin", "comment")
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dict__"):
        return _plain(vars(value))
    return str(value)


def catalog_entries(entries: dict[tuple[str, str], POEntry], looked_up: Iterable) -> list:
    """What decides the lookups of a job in the catalog entries it looked up: texts, flags, the
    previous German (an outdated entry shows German) and the machine translation's flag in the
    translator comment (a flagged one shows German). Not the header (tools rewrite its dates on
    every save), not the comments otherwise (tools rewrap them)."""
    out = []
    for key in sorted(tuple(k) for k in looked_up):
        entry = entries.get(key)
        if entry is None:
            out.append([*key, None])
        else:
            out.append(
                [
                    *(entry.msgctxt, entry.msgid, entry.msgstr, sorted(entry.flags)),
                    *(entry.msgid_plural, entry.previous_msgid, machine_flag(entry)),
                ]
            )
    return out


def entry_template(edition: str, content: BrochureContent) -> str:
    """The template a job starts from (as render.render_html chooses it)."""
    stem = "editions/bilingual" if edition == "bilingual" else f"formats/{content.format}"
    return stem + FORMAT_SUFFIX


class Fingerprints:
    """The inputs of a build's jobs; what jobs share is computed once per build."""

    def __init__(self, project: Project, env: Environment):
        self.project = project
        self.env = env
        self.tool = tool_fingerprint()
        self.resources = resources_fingerprint(project.template_dirs)
        self._templates: dict[str, str] = {}
        self._contents: dict[str, str] = {}
        self._fonts: dict[tuple[str, ...], str] = {}
        self._font_files: dict[str, list[str]] | None = None

    def inputs(
        self,
        content: BrochureContent,
        lang: str,
        edition: str,
        profile: str,
        texts: CatalogTexts,
        looked_up: Iterable,
    ) -> dict[str, str]:
        """Digest of each input of one job; the job's key is the digest of these. The catalog
        counts with the entries the job looks up (`looked_up`: the keys its HTML looked up, or
        those of its last build, which it looks up again while every input is unchanged)."""
        options: dict[str, Any] = {"edition": edition, "profile": profile, "key": KEY_FORMAT}
        icc = self.project.settings.print_color_profile
        if profile == "print" and icc:
            options["icc"] = file_stamp(self.project.root / icc)
        inputs = {
            "tool": self.tool,
            "options": digest(options),
            "content": self.content(content),
            "catalog": sha256(  # plain data already: no need for digest()'s conversion
                json.dumps(catalog_entries(texts.entries, looked_up), ensure_ascii=False)
            ),
            "templates": self.templates(entry_template(edition, content)),
            "resources": self.resources,
            "fonts": self.fonts(lang),
        }
        return {name: value[:INPUT_DIGEST] for name, value in inputs.items()}

    def content(self, content: BrochureContent) -> str:
        """The concept slice and brochure definition a job uses: its German content."""
        if content.id not in self._contents:
            self._contents[content.id] = digest(content)
        return self._contents[content.id]

    def templates(self, name: str) -> str:
        """Contents of the templates a job's template reaches (extends, includes, imports)."""
        if name not in self._templates:
            self._templates[name] = template_closure(self.env, name)
        return self._templates[name]

    def fonts(self, lang: str) -> str:
        """Font files of the families in the job's stacks: its language's and German's (notice,
        fallbacks, the bilingual column)."""
        families = tuple(dict.fromkeys(f for stack in document_stacks(lang) for f in stack))
        if families not in self._fonts:
            files = {family: self._files_of(family) for family in families}
            self._fonts[families] = digest(
                {family: [file_stamp(Path(f)) for f in paths] for family, paths in files.items()}
            )
        return self._fonts[families]

    @functools.cache  # noqa: B019 (one Fingerprints per build)
    def _files_of(self, family: str) -> list[str]:
        if self._font_files is None:
            self._font_files = fontconfig_files()
        if "*" in self._font_files:  # no fontconfig tools: every font file counts
            return self._font_files["*"]
        if family.lower() in GENERIC_FAMILIES:
            return fontconfig_match(family)
        return self._font_files.get(family.lower(), [])


def key_of(inputs: dict[str, str]) -> str:
    return digest(inputs)


def changed_inputs(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Names of the inputs that differ (for telling why a job was rebuilt)."""
    if not old:
        return []
    return [name for name in new if old.get(name) != new[name]]


# A reference to another template: a string literal is followed, anything else is dynamic.
_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(?:"([^"]*)"|'([^']*)'|\S)""")


def template_closure(env: Environment, name: str) -> str:
    """Digest of a template and every template it references by a literal name; a dynamic
    reference (a variable, a list) makes it the digest of all templates."""
    assert env.loader is not None
    found: dict[str, str | None] = {}
    stack = [name]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        try:
            source, _, _ = env.loader.get_source(env, current)
        except TemplateNotFound:
            found[current] = None  # adding it later changes the key
            continue
        found[current] = sha256(source)
        for match in _REFERENCE.finditer(source):
            ref = match[1] if match[1] is not None else match[2]
            if ref is None:
                return all_templates(env)
            stack.append(ref)
    return digest(found)


def all_templates(env: Environment) -> str:
    assert env.loader is not None
    names = env.loader.list_templates()
    return digest({n: sha256(env.loader.get_source(env, n)[0]) for n in names})


def resources_fingerprint(template_dirs: list[Path]) -> str:
    """Files WeasyPrint may fetch from the template folders (CSS, images, fonts): by name, the
    first folder's file hides the next's, as the URL fetcher finds them."""
    files: dict[str, str] = {}
    for folder in template_dirs:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and not name.endswith(".j2") and name not in files:
                files[name] = file_sha256(path)
    return digest(files)


def tool_fingerprint() -> str:
    """This tool's version and code (every module: HTML, lookups, checks and PDF stage), and the
    versions of the libraries that make the HTML and the PDF."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    versions = {}
    for name in RENDERING_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    code = {
        path.relative_to(here).as_posix(): file_sha256(path) for path in sorted(here.rglob("*.py"))
    }
    return digest({"brochures": __version__, "code": code, "libraries": versions})


def file_stamp(path: Path) -> list:
    """A cheap fingerprint of a file: path, size and modification time (no reading)."""
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


def fontconfig_files() -> dict[str, list[str]]:
    """Font files by (lower-case) family name, as fontconfig finds them; without `fc-list`,
    every file in the usual font folders under one name (any change then rebuilds all)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        folders = [d for d in checks.FONT_DIRS if d.is_dir()]
        files = sorted(str(p) for d in folders for p in d.rglob("*") if p.is_file())
        return {"*": files}
    run = subprocess.run(
        [fc_list, "--format", "%{family}\t%{file}\n"], capture_output=True, check=True, text=True
    )
    out: dict[str, list[str]] = {}
    for line in run.stdout.splitlines():
        families, _, file = line.partition("\t")
        for family in families.split(","):
            out.setdefault(family.strip().lower(), []).append(file)
    return {family: sorted(set(files)) for family, files in out.items()}


def fontconfig_match(family: str) -> list[str]:
    """The file fontconfig picks for a generic family (`sans-serif`)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return []
    run = subprocess.run(
        [fc_match, "--format", "%{file}", family], capture_output=True, check=True, text=True
    )
    return [run.stdout.strip()]


# ---- what each output's last build looked up ----

STATE = Path(forkserver.STATE).name  # in build/, beside the manifest; not published


def read_state(build_dir: Path) -> dict[str, dict]:
    """Per output (path in build/): its build key, the catalog keys its HTML looked up and the
    messages it showed in German. Missing, damaged or of another key format: none (those jobs
    are rendered again to find out)."""
    try:
        data = json.loads((build_dir / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    jobs = data.get("jobs") if isinstance(data, dict) and data.get("format") == KEY_FORMAT else None
    if not isinstance(jobs, dict):
        return {}
    return {path: saved for path, saved in jobs.items() if _usable(saved)}


def _usable(saved: object) -> bool:
    def strings(value: object) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    return (
        isinstance(saved, dict)
        and isinstance(saved.get("key"), str)
        and strings(saved.get("fallbacks"))
        and isinstance(saved.get("looked_up"), list)
        and all(strings(k) and len(k) == 2 for k in saved["looked_up"])
    )


def write_state(
    build_dir: Path, results: dict[str, Any], entries: list[dict], files: str = ""
) -> None:
    """The state of every output the manifest lists: this build's results (built or up to
    date) and, for outputs it did not touch, what the last build saved; `files`: the stamp of
    the project's files after the build (forkserver.files_stamp). Written only when it changed,
    atomically."""
    saved = read_state(build_dir)
    jobs = {}
    for entry in entries:
        path, key = entry["path"], entry["build_key"]
        result = results.get(path)
        if result is not None and result.key == key:
            jobs[path] = {
                "key": key,
                "looked_up": [list(k) for k in result.looked_up],
                "fallbacks": list(result.fallbacks),
            }
        elif path in saved and saved[path]["key"] == key:
            jobs[path] = saved[path]
    data = json.dumps(
        {"format": KEY_FORMAT, "files": files, "jobs": jobs}, ensure_ascii=False, sort_keys=True
    )
    target = build_dir / STATE
    try:
        if target.read_text(encoding="utf-8") == data:
            return
    except OSError:
        pass
    write_atomic(target, data.encode("utf-8"))
