"""A project: its folders and settings, with the concept and brochures loaded and checked once."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator

from brochures.content.brochure import (
    Brochure,
    BrochureContent,
    Contact,
    Glossary,
    load_brochure,
    select,
)
from brochures.content.concept import Concept, load_concept
from brochures.content.model import Model, PlainText, Slug
from brochures.content.schoolsystem import SchoolSystem
from brochures.content.yamlfile import YamlDocument, load, load_model, validate
from brochures.errors import BrochuresError, ConfigError, Problem, raise_if
from brochures.files import SYSTEM_FOLDERS, inside, links_leaving
from brochures.i18n import _
from brochures.languages import SOURCE_LANGUAGE, canonical, check_code

FORMAT_SUFFIX = ".html.j2"


def _http_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value


class Settings(Model):
    """`source/project.yaml`."""

    issuer: PlainText
    """Who publishes the brochures (colophon and PDF metadata)."""
    languages: list[str] = [SOURCE_LANGUAGE]
    """Language codes (e.g. `ar`, `fa`, `uk`) the brochures are made in; German (`de`) is the
    source language. A brochure may narrow them with its own `languages`."""
    default_format: Slug = "a5-booklet"
    """Format of brochures that name none (`a5-booklet`, `a4-flyer`, `dl-trifold`)."""
    download_base_url: Annotated[str, AfterValidator(_http_url)] | None = None
    """Web address the PDFs are published under; each PDF then carries a QR code to itself."""
    print_color_profile: str | None = None
    """Path of the print shop's CMYK ICC profile (e.g. PSO Coated v3 / FOGRA51 or ISO Coated v2
    / FOGRA39, from the print shop or ECI); with it print PDFs are PDF/X-4. Relative paths are
    relative to the project folder."""
    contact: Contact | None = None
    """Contact block of every brochure that has none of its own. Never invent data."""
    logo: str | None = None
    """The office's logo (PNG, JPEG or SVG) on covers; relative to the project folder."""
    cover_image: str | None = None
    """An image of the office's own for the cover (PNG or JPEG), else a vector motif."""
    brochures: list[Slug] | None = None
    """The order brochures are listed in (download page, status, list, builds); brochures not
    named follow by file name."""


def color_profile_path(root: Path, settings: Settings) -> Path | None:
    if not settings.print_color_profile:
        return None
    path = Path(settings.print_color_profile)
    return path if path.is_absolute() else root / path


def _check_color_profile(root: Path, settings: Settings, doc: YamlDocument) -> list[Problem]:
    """The print profile's ICC file must exist and describe a CMYK colour space."""
    path = color_profile_path(root, settings)
    if path is None:
        return []
    if not inside(path, [root, *SYSTEM_FOLDERS]):
        folders = ", ".join(str(f) for f in SYSTEM_FOLDERS if "color" in f.name)
        return [
            doc.problem(
                ("print_color_profile",),
                f"print_color_profile: {path} is outside the project and the colour-profile "
                f"folders ({folders})",
            )
        ]
    try:
        header = path.read_bytes()[:20]
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        return [doc.problem(("print_color_profile",), f"print_color_profile: {path}: {reason}")]
    if len(header) < 20 or header[16:20] != b"CMYK":
        return [
            doc.problem(
                ("print_color_profile",), f"print_color_profile: {path} is not a CMYK ICC profile"
            )
        ]
    return []


IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def _image_type(data: bytes) -> str | None:
    for magic, mime in IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    return None


def _check_images(root: Path, settings: Settings, doc: YamlDocument) -> list[Problem]:
    """`logo` and `cover_image` must name an existing PNG, JPEG (or, for the logo, SVG) file."""
    problems = []
    for key in ("logo", "cover_image"):
        value = getattr(settings, key)
        if not value:
            continue
        path = root / value
        try:
            mime = _image_type(path.read_bytes())
        except OSError as exc:
            reason = "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror
            problems.append(doc.problem((key,), f"{key}: {value}: {reason}"))
            continue
        if mime is None or (key == "cover_image" and mime == "image/svg+xml"):
            kinds = "PNG, JPEG or SVG" if key == "logo" else "PNG or JPEG"
            problems.append(doc.problem((key,), f"{key}: {value} is not a {kinds} image"))
    return problems


def image_uri(root: Path, value: str | None) -> str | None:
    """A (checked) project image as a data: URI: the PDF fetcher loads nothing else."""
    if not value:
        return None
    data = (root / value).read_bytes()
    mime = _image_type(data)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def default_templates() -> Path:
    """The packaged default template set (the repository's `templates/` in a source checkout)."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


@dataclass
class Project:
    root: Path
    settings: Settings
    concept: Concept
    concept_doc: YamlDocument
    settings_doc: YamlDocument
    brochures: dict[str, Brochure]
    brochure_docs: dict[str, YamlDocument]
    glossary: tuple[Glossary, YamlDocument] | None = None
    school_system: tuple[SchoolSystem, YamlDocument] | None = None

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def template_dirs(self) -> list[Path]:
        """The project's own templates (if any), then the default set; real paths, no twins."""
        dirs = [(self.root / "templates").resolve(), default_templates().resolve()]
        return [d for i, d in enumerate(dirs) if d.is_dir() and d not in dirs[:i]]

    def formats(self) -> list[str]:
        """Format ids: every `formats/<id>.html.j2` in the template folders."""
        found = {
            p.name.removesuffix(FORMAT_SUFFIX)
            for d in self.template_dirs
            for p in (d / "formats").glob(f"*{FORMAT_SUFFIX}")
        }
        return sorted(found)

    def unknown_brochure(self, brochure_id: str) -> Problem:
        """The input error for a brochure id the project does not have, naming the ones it has."""
        return Problem(
            None,
            None,
            _("unknown brochure '{id}' (known: {known})").format(
                id=brochure_id, known=", ".join(self.brochures)
            ),
        )

    def languages_of(self, brochure: Brochure) -> list[str]:
        return brochure.languages or self.settings.languages

    @cached_property
    def color_profile_uri(self) -> str | None:
        """The CMYK ICC profile named in project.yaml as a data: URI (validated at load)."""
        path = color_profile_path(self.root, self.settings)
        if path is None:
            return None
        return "data:application/vnd.iccprofile;base64," + base64.b64encode(
            path.read_bytes()
        ).decode("ascii")

    def contact_problem(self, brochure_id: str) -> Problem | None:
        """Where the contact that applies to a brochure is set (its own `contact:`, else the
        project's), when it gives no way back to anyone: none of phone, e-mail, or street +
        postcode + town."""
        brochure = self.brochures[brochure_id]
        if brochure.contact is not None:
            doc, contact = self.brochure_docs[brochure_id], brochure.contact
        else:
            doc, contact = self.settings_doc, self.settings.contact
        if contact is not None and contact.reachable:
            return None
        return Problem(
            doc.display,
            doc.line_of(("contact",)) or 1,
            f"contact of brochure '{brochure_id}' has no phone, e-mail or street + postcode + "
            "town: readers cannot get back to anyone",
        )

    def content(self, brochure_id: str) -> BrochureContent:
        brochure = self.brochures[brochure_id]
        content = select(
            self.concept,
            self.concept_doc,
            brochure,
            self.brochure_docs[brochure_id],
            self.settings.default_format,
            self.settings.contact,
            self.glossary,
            self.school_system,
        )

        content.color_profile_uri = self.color_profile_uri
        content.download_base_url = self.settings.download_base_url
        content.logo_uri = image_uri(self.root, self.settings.logo)
        content.cover_image_uri = image_uri(self.root, self.settings.cover_image)
        return content


def load_project(root: Path) -> Project:
    """Load settings, concept and brochures; raise one error listing every problem found."""
    root = root.resolve()
    if not (root / "source").is_dir():
        raise ConfigError(Problem(root, None, "not a brochures project (no source/ folder)"))
    # every file reached through the project stays inside it (or in the default templates)
    problems: list[Problem] = links_leaving(root, allowed=[default_templates()])
    raise_if(problems, ConfigError)

    settings_doc, found = load(root / "source" / "project.yaml", "source/project.yaml")
    problems += found
    settings = None
    if settings_doc is not None and not found:
        settings, found = validate(settings_doc, Settings)
        problems += found
    if settings is not None and settings_doc is not None:
        problems += _check_languages(settings_doc, ("languages",), settings.languages)
        problems += _check_color_profile(root, settings, settings_doc)
        problems += _check_images(root, settings, settings_doc)

    concept = concept_doc = None
    try:
        concept, concept_doc = load_concept(root / "source" / "konzept.yaml", "source/konzept.yaml")
    except BrochuresError as exc:
        problems += exc.problems

    brochures: dict[str, Brochure] = {}
    docs: dict[str, YamlDocument] = {}
    folder = root / "source" / "brochures"
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        problems.append(Problem("source/brochures", None, "no brochure definitions (*.yaml)"))
    for path in paths:
        display = f"source/brochures/{path.name}"
        brochure, doc, found = load_brochure(path, display)
        problems += found
        if brochure is None or doc is None:
            continue
        if brochure.id in brochures:
            problems.append(
                doc.problem(
                    ("id",),
                    f"duplicate brochure id '{brochure.id}' (also in {docs[brochure.id].display})",
                )
            )
            continue
        if path.stem != brochure.id:
            problems.append(
                doc.problem(("id",), f"id '{brochure.id}' differs from the file name '{path.stem}'")
            )
        brochures[brochure.id] = brochure
        docs[brochure.id] = doc
        if not brochure.goals:
            problems.append(doc.problem(("goals",), "goals: a brochure needs at least one goal"))
        if concept is not None:
            known = concept.goals()
            for i, goal_id in enumerate(brochure.goals):
                if goal_id not in known:
                    problems.append(
                        doc.problem(
                            ("goals", i),
                            f"goals[{i}]: unknown goal '{goal_id}' (known: {', '.join(known)})",
                        )
                    )
            for goal_id in brochure.leads:
                if goal_id not in brochure.goals:
                    problems.append(
                        doc.problem(
                            ("leads", goal_id),
                            f"leads: '{goal_id}' is not one of the brochure's goals",
                        )
                    )
            versions = [v.id for v in concept.versions]
            if brochure.version is not None and brochure.version not in versions:
                problems.append(
                    doc.problem(
                        ("version",),
                        f"version: unknown version "
                        f"'{brochure.version}' (known: {', '.join(versions)})",
                    )
                )
        if brochure.languages is not None:
            problems += _check_languages(doc, ("languages",), brochure.languages)
            if settings is not None:
                for i, code in enumerate(brochure.languages):
                    if code not in settings.languages and check_code(code) is None:
                        problems.append(
                            doc.problem(
                                ("languages", i),
                                f"languages[{i}]: "
                                + _(
                                    "'{code}' is not one of the project's languages ({langs} "
                                    "in source/project.yaml; add it there first)"
                                ).format(code=code, langs=", ".join(settings.languages)),
                            )
                        )
    glossary = None
    glossary_path = root / "source" / "schulwoerter.yaml"
    if glossary_path.exists():
        words, glossary_doc, found = load_model(glossary_path, "source/schulwoerter.yaml", Glossary)
        problems += found
        if words is not None and glossary_doc is not None:
            glossary = (words, glossary_doc)
    else:
        problems += _needs_file(brochures, docs, "glossary", "source/schulwoerter.yaml")
    if settings is not None and settings_doc is not None and settings.brochures is not None:
        problems += _check_order(settings_doc, settings.brochures, brochures)
        brochures = ordered(brochures, settings.brochures)
    school_system = None
    system_path = root / "source" / "schulsystem.yaml"
    if system_path.exists():
        system, system_doc, found = load_model(system_path, "source/schulsystem.yaml", SchoolSystem)
        problems += found
        if system is not None and system_doc is not None:
            problems += system.check(system_doc)
            school_system = (system, system_doc)
    else:
        problems += _needs_file(brochures, docs, "school_system", "source/schulsystem.yaml")
    raise_if(problems, ConfigError)
    assert settings is not None and settings_doc is not None
    assert concept is not None and concept_doc is not None
    project = Project(
        root, settings, concept, concept_doc, settings_doc, brochures, docs, glossary, school_system
    )
    _check_formats(project, problems)
    raise_if(problems, ConfigError)
    return project


def _needs_file(
    brochures: dict[str, Brochure], docs: dict[str, YamlDocument], key: str, file: str
) -> list[Problem]:
    """A brochure that asks for a project file (`glossary: true`) that is not there."""
    return [
        docs[brochure_id].problem((key,), f"{key}: true needs {file}")
        for brochure_id, brochure in brochures.items()
        if getattr(brochure, key)
    ]


def _check_order(doc: YamlDocument, order: list[str], brochures: dict) -> list[Problem]:
    """`brochures:` in project.yaml names each known brochure at most once."""
    problems = []
    for i, brochure_id in enumerate(order):
        if brochure_id not in brochures:
            known = ", ".join(brochures)
            message = f"brochures[{i}]: unknown brochure '{brochure_id}' (known: {known})"
            problems.append(doc.problem(("brochures", i), message))
        elif brochure_id in order[:i]:
            message = f"brochures[{i}]: '{brochure_id}' is named twice"
            problems.append(doc.problem(("brochures", i), message))
    return problems


def ordered(brochures: dict[str, Brochure], order: list[str]) -> dict[str, Brochure]:
    """The brochures in the project's order: those named first, the others after them."""
    first = [b for b in dict.fromkeys(order) if b in brochures]
    return {b: brochures[b] for b in [*first, *(b for b in brochures if b not in first)]}


def _check_languages(doc: YamlDocument, loc: tuple, codes: list[str]) -> list[Problem]:
    problems = []
    for i, code in enumerate(codes):
        wrong = check_code(code)
        if not wrong:
            codes[i] = code = canonical(code)  # fa_AF and fa-AF are the same: fa-AF
        if wrong:
            problems.append(doc.problem((*loc, i), f"{loc[-1]}[{i}]: {wrong}"))
        elif codes.index(code) != i:
            problems.append(doc.problem((*loc, i), f"{loc[-1]}[{i}]: '{code}' listed twice"))
    return problems


def _check_formats(project: Project, problems: list[Problem]) -> None:
    formats = project.formats()
    wanted = [(project.settings_doc, project.settings.default_format, "default_format")]
    wanted += [
        (project.brochure_docs[b.id], b.format, "format")
        for b in project.brochures.values()
        if b.format
    ]
    searched = ", ".join(str(d / "formats") for d in project.template_dirs)
    for doc, fmt, key in wanted:
        if fmt not in formats:
            problems.append(
                doc.problem(
                    (key,),
                    f"{key}: unknown format '{fmt}' (known: "
                    f"{', '.join(formats) or 'none'}; searched {searched})",
                )
            )
