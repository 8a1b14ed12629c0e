"""Environment checks: what the machine must have for every configured language and stage."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from brochures.languages import language
from brochures.rendering.checks import font_file
from brochures.translation.models import expected_packages_folder


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str
    fix: str = ""
    optional: bool = False  # needed only by `brochures translate`


def diagnose(root: Path, languages: list[str], print_profile: str | None = None) -> list[Finding]:
    """Pango, HarfBuzz subsetting, fonts of every language's script, gettext, argostranslate and
    its installed pairs, and write access to build/ — each with the command that fixes it."""
    findings = [*_weasyprint(), *_fonts(languages)]
    msgfmt = shutil.which("msgfmt")
    findings.append(
        Finding(
            bool(msgfmt), "GNU gettext (msgfmt)", msgfmt or "not found", "apt-get install gettext"
        )
    )
    findings.append(_pdftoppm())
    findings.extend(_translation())
    findings.append(_build_dir(root / "build"))
    findings.append(_print_profile(root, print_profile))
    return findings


def _print_profile(root: Path, profile: str | None) -> Finding:
    """The print shop's CMYK ICC profile: with it the print PDFs are PDF/X-4."""
    what = "print colour profile (PDF/X-4 for the print shop)"
    if profile:
        path = Path(profile) if Path(profile).is_absolute() else root / profile
        return Finding(path.is_file(), what, str(path), f"check print_color_profile: {profile}")
    return Finding(
        False,
        what,
        "not set: print PDFs are CMYK but not PDF/X",
        "ask the print shop which ICC profile it prints with (German print shops: usually "
        "PSO Coated v3 = FOGRA51, or ISO Coated v2 = FOGRA39; from the print shop or free "
        "from www.eci.org), save it e.g. as source/PSOcoated_v3.icc and set "
        "`print_color_profile: source/PSOcoated_v3.icc` in source/project.yaml",
        optional=True,
    )


def _weasyprint() -> list[Finding]:
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango
    except OSError as exc:  # Pango or HarfBuzz cannot be loaded at all
        return [Finding(False, "Pango/HarfBuzz", str(exc), "apt-get install libpango-1.0-0")]
    version = pango.pango_version()
    major, minor = version // 10000, version // 100 % 100
    found = [
        Finding(version >= 14400, "Pango", f"{major}.{minor}", "apt-get install libpango-1.0-0")
    ]
    subset = bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    found.append(
        Finding(
            subset,
            "HarfBuzz subsetting",
            "available (fast font subsetting)"
            if subset
            else "missing: WeasyPrint falls back to fontTools (about 17x slower)",
            "apt-get install libharfbuzz-subset0",
        )
    )
    return found


def _fonts(languages: list[str]) -> list[Finding]:
    found = []
    seen: set[str] = set()
    for code in languages:
        lang = language(code)
        family = lang.font_stack[0]
        if family in seen:
            continue
        seen.add(family)
        path = font_file(family)
        found.append(
            Finding(
                path is not None,
                f"font {family} ({lang.script})",
                path or "not installed",
                "apt-get install fonts-noto-core",
            )
        )
    return found


def _pdftoppm() -> Finding:
    path = shutil.which("pdftoppm")
    return Finding(
        bool(path),
        "poppler (pdftoppm, thumbnails)",
        path or "not found",
        "apt-get install poppler-utils",
    )


def _translation() -> list[Finding]:
    if importlib.util.find_spec("argostranslate") is None:
        return [
            Finding(
                False,
                "argostranslate (for brochures translate)",
                "not installed",
                f"{_pip()} install -e '.[translate]'",
                optional=True,
            )
        ]
    packages = expected_packages_folder()
    pairs = sorted(p.name for p in packages.glob("*") if (p / "metadata.json").exists())
    return [
        Finding(True, "argostranslate", "installed", optional=True),
        Finding(
            bool(pairs),
            "translation models",
            ", ".join(pairs) or "none installed",
            "brochures models install PATH.argosmodel",
            optional=True,
        ),
    ]


def _pip() -> str:
    """The pip of the environment the tool runs in, as the user would type it."""
    pip = Path(sys.prefix) / "bin" / "pip"
    try:
        return str(pip.relative_to(Path.cwd()))
    except ValueError:
        return str(pip)


def _build_dir(build: Path) -> Finding:
    if build.exists() and not build.is_dir():
        return Finding(False, "build/", "is a file", f"rm {build}")
    target = build if build.exists() else build.parent
    writable = os.access(target, os.W_OK)
    return Finding(writable, "build/ writable", str(build), f"chmod u+w {target}")
