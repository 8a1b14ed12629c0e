"""The Jinja2 environment (loaders, i18n, filters) and the HTML of one job."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path
from types import TracebackType
from typing import Protocol

from babel.dates import format_date
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
    pass_context,
    select_autoescape,
)
from jinja2 import __version__ as jinja2_version
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.environment import TemplateModule
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from markupsafe import Markup, escape

from brochures.content.brochure import BrochureContent, Message
from brochures.content.model import sanitize_inline
from brochures.content.project import FORMAT_SUFFIX
from brochures.errors import Problem, TemplateError
from brochures.files import (
    MAX_TEMPLATE_BYTES,
    InputFileError,
    cache_folder_trusted,
    cache_secret,
    inside,
    prune_cache,
    read_input,
    used,
    user_cache,
    write_atomic,
)
from brochures.languages import SOURCE_LANGUAGE, Language, catalog_code, language
from brochures.rendering.typography import typeset
from brochures.translation.catalogs import Lookup, State

DEFAULT_PREFIX = "!default"

# The colours of the design per profile. Print is CMYK throughout (text included): WeasyPrint
# writes `device-cmyk()` as DeviceCMYK and every other colour as RGB.
PALETTES = {
    "screen": {
        "ink": "#1f2a33",
        "accent": "#1d4f73",
        "tint": "#e8f0f6",
        "muted": "#4a5a66",
        "paper": "#ffffff",
        "rule": "#b8c7d3",
        "notice_ink": "#3d2a00",
        "notice_tint": "#fff4dc",
        "notice_rule": "#8a5a00",
    },
    "print": {
        "ink": "device-cmyk(0 0 0 0.9)",
        "accent": "device-cmyk(0.75 0.31 0 0.55)",
        "tint": "device-cmyk(0.07 0.03 0 0.03)",
        "muted": "device-cmyk(0 0 0 0.7)",
        "paper": "device-cmyk(0 0 0 0)",
        "rule": "device-cmyk(0.2 0.08 0 0.17)",
        "notice_ink": "device-cmyk(0 0.3 1 0.76)",
        "notice_tint": "device-cmyk(0 0.04 0.14 0)",
        "notice_rule": "device-cmyk(0 0.35 1 0.46)",
    },
}


class _BytecodeCache(BytecodeCache):
    """Compiled templates in the user cache, keyed by name, path and source, and by this module's
    code and Jinja2's version (the environment's options decide the compiled code): an unchanged
    template is not compiled again by the next build (compiling them all takes about 0.1 s).

    Compiled code runs when it is loaded, so every entry carries an HMAC-SHA256 over its key and
    bytes with the per-user secret kept outside the cache folder (`files.cache_secret`); an
    entry that does not verify is a miss and is never unpickled or unmarshalled. Without a
    secret or in a folder others could write, nothing is cached. A cache that cannot be
    written is no error (templates are compiled as without one)."""

    def __init__(self) -> None:
        self.folder = user_cache("jinja2")
        code = hashlib.sha256(Path(__file__).read_bytes())
        self.salt = f"{code.hexdigest()}:{jinja2_version}"

    def _secret(self) -> bytes | None:
        secret = cache_secret()
        return secret if secret is not None and cache_folder_trusted(self.folder) else None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}|{name}", filename)

    def entry_path(self, key: str) -> Path:
        return self.folder / f"{key}.bytecode"

    @staticmethod
    def _mac(secret: bytes, key: str, data: bytes) -> bytes:
        return hmac.new(secret, key.encode() + b"\0" + data, hashlib.sha256).digest()

    def load_bytecode(self, bucket: Bucket) -> None:
        secret = self._secret()
        if secret is None:
            return
        path = self.entry_path(bucket.key)
        try:
            raw = path.read_bytes()
        except OSError:
            return
        mac, data = raw[:32], raw[32:]
        if not hmac.compare_digest(mac, self._mac(secret, bucket.key, data)):
            return  # damaged or not ours: compiled again
        try:
            bucket.bytecode_from_string(data)  # authenticated: bytes this user's tool wrote
        except Exception:  # a Python whose marshal format changed: compile again
            bucket.reset()
            return
        used(path)

    def dump_bytecode(self, bucket: Bucket) -> None:
        secret = self._secret()
        if secret is None:
            return
        data = bucket.bytecode_to_string()
        with contextlib.suppress(OSError):
            entry = self._mac(secret, bucket.key, data) + data
            write_atomic(self.entry_path(bucket.key), entry, 0o600)
            prune_cache(self.folder)


class _FolderLoader(FileSystemLoader):
    """Jinja2's FileSystemLoader that reads only regular files of at most MAX_TEMPLATE_BYTES
    that really lie in its folder: a template linked to /etc/passwd (or a FIFO) is an input
    error naming it, never content of a PDF."""

    def get_source(self, environment: Environment, template: str):
        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            path = Path(searchpath, *pieces)
            if not os.path.lexists(path):
                continue
            if not inside(path, [searchpath]):
                raise TemplateError(
                    Problem(
                        path,
                        None,
                        f"is a symbolic link to {path.resolve()}, outside the template folder",
                    )
                )
            raw = read_input(path, str(path), MAX_TEMPLATE_BYTES)
            try:
                source = raw.decode(self.encoding)
            except UnicodeDecodeError:
                raise TemplateError(Problem(path, None, "template is not valid UTF-8")) from None
            mtime = os.path.getmtime(path)
            return source, os.path.normpath(path), functools.partial(_unchanged, path, mtime)
        raise TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return os.path.getmtime(path) == mtime
    except OSError:
        return False


def environment(template_dirs: list[Path], default_dir: Path) -> Environment:
    """Templates by name from the folders in order; `!default/...` always names the packaged one."""
    loader = ChoiceLoader(
        [
            PrefixLoader({DEFAULT_PREFIX: _FolderLoader(default_dir)}, delimiter="/"),
            *(_FolderLoader(d) for d in template_dirs),
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
        bytecode_cache=_BytecodeCache(),
    )
    env.globals["template_dirs"] = template_dirs
    env.filters["css_string"] = css_string
    env.filters["data_uri"] = data_uri
    return env


def check_templates(env: Environment, template_dirs: list[Path]) -> None:
    """Compile every template in the folders, so a syntax error stops the build before any job."""
    problems = []
    cache = env.bytecode_cache
    for folder in template_dirs:
        for path in sorted(folder.rglob("*.j2")):
            name = path.relative_to(folder).as_posix()
            try:
                if not inside(path, [folder]):
                    link = f"is a symbolic link to {path.resolve()}, outside the template folder"
                    problems.append(Problem(path, None, link))
                    continue
                source = read_input(path, str(path), MAX_TEMPLATE_BYTES).decode("utf-8-sig")
                bucket = cache.get_bucket(env, name, str(path), source) if cache else None
                if bucket is None or bucket.code is None:  # not compiled before: compile now
                    code = env.compile(source, name, str(path))
                    if bucket is not None and cache is not None:
                        bucket.code = code
                        cache.set_bucket(bucket)
            except TemplateSyntaxError as exc:
                problems.append(Problem(path, exc.lineno, f"template syntax error: {exc.message}"))
            except UnicodeDecodeError:
                problems.append(Problem(path, None, "template is not valid UTF-8"))
            except InputFileError as exc:
                problems += exc.problems
    if problems:
        raise TemplateError(problems)


def data_uri(value: str, mime: str) -> str:
    """Text (an SVG drawn by a template) as a base64 `data:` URI, for an `<img src>`."""
    return f"data:{mime};base64," + base64.b64encode(str(value).encode("utf-8")).decode("ascii")


def css_string(value: str) -> Markup:
    """A CSS string literal of (unescaped) text, for `content:` in margin boxes."""
    text = Markup(value).striptags() if isinstance(value, Markup) else str(value)
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


def format_template(env: Environment, stem: str, template_dirs: list[Path]) -> Template:
    name = f"{stem}{FORMAT_SUFFIX}"
    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        searched = ", ".join(str(d) for d in template_dirs)
        raise TemplateError(f"template '{exc.name}' not found (searched: {searched})") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            Problem(exc.filename or name, exc.lineno, f"template syntax error: {exc.message}")
        ) from None


def format_label(env: Environment, fmt: str, _seen: frozenset[str] = frozenset()) -> str | None:
    """The label a format's template declares for people (`{% set format_label = "Heft im
    Format A5" %}` at its top level, or in the template it extends), read from its source
    without rendering it; None if it declares none."""
    name = fmt if fmt.endswith(FORMAT_SUFFIX) else f"formats/{fmt}{FORMAT_SUFFIX}"
    if name in _seen or env.loader is None:
        return None
    try:
        source = env.loader.get_source(env, name)[0]
        body = env.parse(source).body
    except (TemplateNotFound, TemplateSyntaxError):
        return None
    for node in body:
        if (
            isinstance(node, nodes.Assign)
            and isinstance(node.target, nodes.Name)
            and node.target.name == "format_label"
            and isinstance(node.node, nodes.Const)
            and isinstance(node.node.value, str)
        ):
            return node.node.value
    for node in body:
        if isinstance(node, nodes.Extends) and isinstance(node.template, nodes.Const):
            return format_label(env, str(node.template.value), _seen | {name})
    return None


class Texts(Protocol):
    """Where a job's texts come from (catalogs.CatalogTexts): translation, state, fallback."""

    lang: str

    def lookup(self, context: str | None, msgid: str) -> Lookup: ...

    def counts(self) -> dict[State, int]: ...

    def failed_format(self, context: str | None, msgid: str, detail: str) -> Lookup: ...


NOTICE_STATES = {State.UNREVIEWED, State.OUTDATED, State.MISSING}

# Numbers, phone numbers, dates, URLs and e-mail addresses stay left-to-right in RTL text.
_LTR_ISLAND = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\+?\d[\d ()/.-]*\d"
)
_TAG = re.compile(r"(<[^>]*>)")


def ltr_islands(html: str) -> str:
    """Wrap LTR runs (phone numbers, URLs, e-mail addresses, dates) in `<bdi dir="ltr">`.

    Works on text nodes, never on escaped HTML: each run of text between tags is unescaped,
    searched, and escaped again piece by piece, so `&#39;` or `&amp;` never look like a number
    and an entity is never cut in two."""
    return on_text(html, _islands_in_text)


def unbroken_words(html: str, names: frozenset[str]) -> str:
    """Wrap the words never to hyphenate in `<span class="unbroken">`: the `names` (Warendorf,
    not Waren-dorf) and all-caps words (labels, abbreviations). On the text nodes of the body,
    outside LTR islands (numbers, URLs and e-mail addresses are never hyphenated anyway)."""
    body = _BODY_START.search(html)
    if body is None:
        return html
    head, rest = html[: body.end()], html[body.end() :]
    return head + on_text(rest, lambda text: _words(text, names))


def on_text(html: str, change) -> str:
    """`change(text) -> html` applied to every run of (unescaped) text outside `<bdi>`."""
    parts = _TAG.split(html)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            if part.startswith("<bdi"):
                depth += 1
            elif part.startswith("</bdi"):
                depth -= 1
        elif depth == 0 and part:
            parts[i] = change(html_unescape(part))
    return "".join(parts)


_WORD = re.compile(r"[^\W\d_]{2,}")
_BODY_START = re.compile(r"<body\b[^>]*>")


def _islands_in_text(text: str) -> str:
    """Plain text as HTML, its LTR runs wrapped."""
    out, at = [], 0
    for match in _LTR_ISLAND.finditer(text):
        out += [escape(text[at : match.start()]), '<bdi dir="ltr">', escape(match[0]), "</bdi>"]
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(str(piece) for piece in out)


def _words(text: str, names: frozenset[str]) -> str:
    """Plain text as HTML, its names and all-caps words wrapped."""
    out, at = [], 0
    for match in _WORD.finditer(text):
        word = match[0]
        if word in names or word.isupper():
            out += [escape(text[at : match.start()]), '<span class="unbroken">', escape(word)]
            out.append("</span>")
            at = match.end()
    out.append(escape(text[at:]))
    return "".join(str(piece) for piece in out)


def localized_date(date: dt.date, code: str) -> Markup:
    """The locale's long date (ku "27ê gulana 2019an", not "27 gln, 2019"); an all-numeric one
    as an LTR island."""
    formatted = format_date(date, "long", locale=catalog_code(code))
    bare = formatted.translate({0x200E: None, 0x200F: None, 0x061C: None})
    if re.fullmatch(r"[\d\s./-]+", bare):
        return Markup(f'<bdi dir="ltr">{escape(bare)}</bdi>')
    return escape(formatted)


class SentenceDate(Markup):
    """A date in the job's language that knows its German form: a template sentence shown in
    German (its translation missing) gets the German date, not „Fassung vom 27 mag 2019“."""

    german: Markup

    @classmethod
    def of(cls, date: dt.date, code: str) -> SentenceDate:
        made = cls(localized_date(date, code))
        made.german = localized_date(date, SOURCE_LANGUAGE)
        return made


def in_german(variables: dict) -> dict:
    """The variables of a sentence shown in German: dates in their German form."""
    return {
        k: getattr(v, "german", v) if isinstance(v, SentenceDate) else v
        for k, v in variables.items()
    }


def web_url(web: str) -> str:
    """A web address as a link target: `www.example.org` gains `https://`."""
    return web if re.match(r"(?i)https?://", web) else f"https://{web}"


def german_gettext(msgid: str, **variables: object) -> Markup:
    """A template text in German (the source): `_` for the German half of a bilingual page."""
    return Markup(msgid) % variables if variables else Markup(msgid)


def created_date() -> dt.date:
    """The PDF's creation date: `SOURCE_DATE_EPOCH` (reproducible builds) if set, else today (UTC).
    Not part of a build key: an up-to-date PDF keeps the date it was made on."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


# The attribute that names the catalog entry (msgctxt, or msgid for template strings) of a text
# when the HTML is made to be located (rendering.locate): a review shows the text on its page.
LOCATE_ATTRIBUTE = "data-l10n-id"


def _mark(html: str, fallback: bool, entry_id: str | None = None) -> Markup:
    """A fallback shows German, marked as German so fonts, hyphenation and direction stay right.
    With an entry id (located HTML only), the text is wrapped in a span that names it."""
    html = ltr_islands(html)
    if fallback:
        html = f'<span lang="de" dir="ltr" class="fallback">{html}</span>'
    if entry_id is not None:
        # `%` as a character reference: gettext's `% variables` runs over this text afterwards
        name = str(escape(entry_id)).replace("%", "&#37;")
        html = f'<span {LOCATE_ATTRIBUTE}="{name}">{html}</span>'
    return Markup(html)


_FALLBACK = '<span lang="de" dir="ltr" class="fallback">'


def alt_attributes(text: str) -> Markup:
    """A translated text (from `_()`) as an `alt` attribute: without markup, and with `lang="de"`
    when it is the German fallback, so the PDF's Figure gets its alternative text in the
    language it is written in."""
    fallback = str(text).startswith(_FALLBACK)
    plain = Markup(text).striptags() if isinstance(text, Markup) else str(text)
    lang = f' lang="{SOURCE_LANGUAGE}"' if fallback else ""
    return Markup(f'alt="{escape(plain)}"{lang}')


def render_html(
    env: Environment,
    content: BrochureContent,
    lang: Language,
    texts: Texts,
    edition: str = "single",
    profile: str = "screen",
    locate: bool = False,
) -> RenderedHtml:
    """The HTML of one brochure in one language (single) or beside German (bilingual), for the
    screen (RGB) or for print (CMYK, bleed). `locate`: every looked-up text carries the id of
    its catalog entry (LOCATE_ATTRIBUTE), to find it in the laid-out pages."""

    def located(context: str | None, msgid: str) -> str | None:
        return (context or msgid) if locate else None

    def looked_up(message: Message) -> tuple[list[str], bool]:
        looked = texts.lookup(message.context, message.source)
        # escaped exactly once: inline markup sanitised (a translation may hold anything),
        # plain text escaped; paragraph by paragraph
        blocks = [b for b in looked.text.split("\n\n") if b.strip()]
        if message.markup:
            return [sanitize_inline(b) for b in blocks], looked.fallback
        return [str(escape(b)) for b in blocks], looked.fallback

    def text(message: Message | None) -> Markup:
        """A message in the job's language: inline markup kept, plain text escaped."""
        if message is None:
            return Markup("")
        blocks, fallback = looked_up(message)
        return _mark(" ".join(blocks), fallback, located(message.context, message.source))

    def paragraphs(message: Message | None) -> list[Markup]:
        if message is None:
            return []
        blocks, fallback = looked_up(message)
        key = located(message.context, message.source)
        return [_mark(b, fallback, key) for b in blocks]

    def german(message: Message | str | None) -> Markup:
        """The German source of a message (the bilingual edition's left column)."""
        if message is None:
            return Markup("")
        if isinstance(message, str):
            return Markup(ltr_islands(str(escape(message))))
        return Markup(
            ltr_islands(message.source if message.markup else str(escape(message.source)))
        )

    # Template strings are plain text: escaped here, once (Jinja2 marks a translation safe).
    def translated(context: str | None, msgid: str, variables: dict) -> str:
        """A template string in the job's language, formatted with its variables (what
        Jinja2's new-style gettext does). A translation whose formatting fails affects only
        itself: German is shown and the failure is recorded on its entry."""
        looked = texts.lookup(context, msgid)
        html = _mark(str(escape(looked.text)), looked.fallback, located(context, msgid))
        if looked.fallback:
            return html % in_german(variables)  # German: a failure here is the template's own
        try:
            return html % variables
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            texts.failed_format(context, msgid, f"{type(exc).__name__}: {exc}")
            return _mark(str(escape(msgid)), True, located(context, msgid)) % in_german(variables)

    @pass_context
    def gettext(__context: Context, __string: str, **variables) -> str:
        return translated(None, __string, variables)

    @pass_context
    def pgettext(__context: Context, __string_ctx: str, __string: str, **variables) -> str:
        return translated(__string_ctx, __string, variables)

    @pass_context
    def ngettext(
        __context: Context, __singular: str, __plural: str, __num: int, **variables
    ) -> str:
        variables.setdefault("num", __num)
        return translated(None, __singular if __num == 1 else __plural, variables)

    # new-style gettext (variables as keywords), with the formatting done above
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s: s, lambda s, p, n: s, newstyle=True, pgettext=lambda c, s: s
    )
    env.globals.update(gettext=gettext, _=gettext, ngettext=ngettext, pgettext=pgettext)

    def qr_code(url: str) -> str:
        """A QR code as an SVG data URI for `<img src>` (an `<img alt>` becomes a tagged Figure
        with alternative text; an inline `<svg>` gets none), in the profile's ink (recoloured:
        segno takes no CMYK)."""
        import segno

        svg = segno.make(url, error="m").svg_inline(scale=3, dark="#000", light=None)
        svg = svg.replace('stroke="#000"', f'stroke="{PALETTES[profile]["ink"]}" fill="none"')
        if "xmlns=" not in svg:
            svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")

    download_url = None
    if content.download_base_url:
        tag = f"{SOURCE_LANGUAGE}+{lang.code}" if edition == "bilingual" else lang.code
        download_url = (
            f"{content.download_base_url.rstrip('/')}/pdf/{content.id}/{content.id}.{tag}.pdf"
        )
    name = "editions/bilingual" if edition == "bilingual" else f"formats/{content.format}"
    template = format_template(env, name, env.globals["template_dirs"])
    context = {
        "doc": content,
        "lang": lang,
        "source_lang": language(SOURCE_LANGUAGE),
        "edition": edition,
        "t": text,
        "paragraphs": paragraphs,
        "german": german,
        "version_date": SentenceDate.of(content.version.date, lang.code),
        "source_version_date": localized_date(content.version.date, SOURCE_LANGUAGE),
        "notice": False,
        "profile": profile,
        "download_url": download_url,
        "qr_code": qr_code,
        "german_gettext": german_gettext,
        "web_url": web_url,
        "created": created_date().isoformat(),
        "alt": alt_attributes,
        "colors": PALETTES[profile],
        "hyphenation": {
            code: language(code).hyphenation for code in dict.fromkeys((SOURCE_LANGUAGE, lang.code))
        },
        "font_stacks": {
            code: language(code).css_font_family
            for code in dict.fromkeys((SOURCE_LANGUAGE, lang.code))
        },
    }
    module = _render(env, template, context)
    if lang.code != SOURCE_LANGUAGE and any(texts.counts()[state] for state in NOTICE_STATES):
        module = _render(env, template, {**context, "notice": True})
    max_pages = getattr(module, "max_pages", None)
    # Typography first (quotation marks, no-break spaces in names), then the issuer's name
    # (Waren-dorf) and all-caps words are never hyphenated. Not in
    # right-to-left documents: WeasyPrint orders the inline boxes of a Latin run split by a span
    # wrongly there ("Warendorf Kreis"), and right-to-left languages are not hyphenated anyway.
    contact = content.contact
    names = [content.issuer, *((contact.organisation, contact.office) if contact else ())]
    html = typeset(str(module), [n for n in names if n])
    if lang.direction == "ltr":
        html = unbroken_words(html, frozenset(_WORD.findall(content.issuer)))
    return RenderedHtml(html, content.format, int(max_pages) if max_pages else None)


def _render(env: Environment, template: Template, context: dict) -> TemplateModule:
    try:
        module = template.make_module(context)
    except TemplateNotFound as exc:
        where = _template_position(exc.__traceback__)
        searched = ", ".join(str(d) for d in env.globals["template_dirs"])
        raise TemplateError(
            Problem(*where, f"template '{exc.name}' not found (searched: {searched})")
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            Problem(exc.filename, exc.lineno, f"template syntax error: {exc.message}")
        ) from None
    except UndefinedError as exc:
        where = _template_position(exc.__traceback__)
        raise TemplateError(Problem(*where, f"template error: {exc.message}")) from None
    return module
