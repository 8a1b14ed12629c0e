"""The Jinja2 environment (loaders, i18n, filters) and the HTML of one job."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from babel.dates import format_date
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)
from markupsafe import Markup, escape

from brochures.brochure import BrochureContent, Message
from brochures.errors import Problem, TemplateError
from brochures.languages import Language
from brochures.project import FORMAT_SUFFIX

DEFAULT_PREFIX = "!default"


def environment(template_dirs: list[Path], default_dir: Path) -> Environment:
    """Templates by name from the folders in order; `!default/...` always names the packaged one."""
    loader = ChoiceLoader(
        [
            PrefixLoader({DEFAULT_PREFIX: FileSystemLoader(default_dir)}, delimiter="/"),
            *(FileSystemLoader(d) for d in template_dirs),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["template_dirs"] = template_dirs
    env.filters["css_string"] = css_string
    return env


def check_templates(env: Environment, template_dirs: list[Path]) -> None:
    """Compile every template in the folders, so a syntax error stops the build before any job."""
    problems = []
    for folder in template_dirs:
        for path in sorted(folder.rglob("*.j2")):
            name = path.relative_to(folder).as_posix()
            try:
                source = path.read_text(encoding="utf-8-sig")
                env.compile(source, name, str(path))
            except TemplateSyntaxError as exc:
                problems.append(Problem(path, exc.lineno, f"template syntax error: {exc.message}"))
            except UnicodeDecodeError:
                problems.append(Problem(path, None, "template is not valid UTF-8"))
            except PermissionError:
                problems.append(Problem(path, None, "template cannot be read: permission denied"))
    if problems:
        raise TemplateError(problems)


def css_string(value: str) -> Markup:
    """A CSS string literal of (unescaped) text, for `content:` in margin boxes."""
    text = str(Markup(value).unescape()) if isinstance(value, Markup) else str(value)
    escaped = "".join(c if c.isprintable() and c not in '"\\<>' else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def _template_position(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The innermost template frame of a traceback (Jinja2 maps frames to template lines)."""
    where: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            where = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return where


@dataclass(frozen=True)
class RenderedHtml:
    html: str
    format: str
    max_pages: int | None  # the format's page limit, declared by its template


def format_template(env: Environment, fmt: str, template_dirs: list[Path]):
    name = f"formats/{fmt}{FORMAT_SUFFIX}"
    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        searched = ", ".join(str(d) for d in template_dirs)
        raise TemplateError(f"template '{exc.name}' not found (searched: {searched})") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(Problem(exc.filename or name, exc.lineno,
                                    f"template syntax error: {exc.message}")) from None


def render_html(
    env: Environment,
    content: BrochureContent,
    lang: Language,
    translations: gettext.NullTranslations | None = None,
) -> RenderedHtml:
    """The HTML of one brochure in one language."""
    translations = translations or gettext.NullTranslations()
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def text(message: Message | None) -> Markup:
        """A message in the job's language: inline markup kept, plain text escaped."""
        if message is None:
            return Markup("")
        translated = translations.pgettext(message.context, message.source)
        return Markup(translated) if message.markup else escape(translated)

    def paragraphs(message: Message | None) -> list[Markup]:
        return [p for p in text(message).split("\n\n") if p.strip()]

    template = format_template(env, content.format, env.globals["template_dirs"])
    context = {
        "doc": content,
        "lang": lang,
        "t": text,
        "paragraphs": paragraphs,
        "version_date": format_date(content.version.date, "medium", locale=lang.code),
    }
    try:
        module = template.make_module(context)
    except TemplateNotFound as exc:
        where = _template_position(exc.__traceback__)
        searched = ", ".join(str(d) for d in env.globals["template_dirs"])
        raise TemplateError(Problem(*where, f"template '{exc.name}' not found "
                                    f"(searched: {searched})")) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(Problem(exc.filename, exc.lineno,
                                    f"template syntax error: {exc.message}")) from None
    except UndefinedError as exc:
        where = _template_position(exc.__traceback__)
        raise TemplateError(Problem(*where, f"template error: {exc.message}")) from None
    max_pages = getattr(module, "max_pages", None)
    return RenderedHtml(str(module), content.format, int(max_pages) if max_pages else None)
