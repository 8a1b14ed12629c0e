"""The review server: reviewer page, JSON API and page previews (Starlette on uvicorn)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from brochures.errors import BrochuresError, EnvironmentProblem
from brochures.languages import SOURCE_LANGUAGE, language
from brochures.rendering.locate import EDITIONS
from brochures.review import store, tokens
from brochures.review.preview import Previews, UnknownPage
from brochures.review.ui import UiTexts, ui_strings, ui_translations

HERE = Path(__file__).parent
COOKIE = "brochures_review"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
STATIC = {  # the only files the server reads besides the project's catalogs and review log
    "review.js": "text/javascript; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the reviewer link carries the token
    "Cache-Control": "no-store",
}
log = logging.getLogger("brochures.review")


class ReviewApp:
    """The application state: the project's root, the previews, the CSRF secret."""

    def __init__(self, root: Path, secure_cookie: bool = False):
        self.root = root
        self.previews = Previews(root)
        self.secret = secrets.token_bytes(32)
        self.secure_cookie = secure_cookie
        self._pages: dict[str, Environment] = {}

    def page_env(self, ui: UiTexts) -> Environment:
        """The page templates with the UI language's gettext (one environment per language)."""
        env = self._pages.get(ui.lang)
        if env is None:
            env = Environment(
                loader=FileSystemLoader(HERE / "templates"),
                autoescape=select_autoescape(default=True),
                extensions=["jinja2.ext.i18n"],
            )
            env.install_gettext_translations(ui, newstyle=True)  # type: ignore[attr-defined]
            self._pages[ui.lang] = env
        return env

    def csrf(self, grant: tokens.Grant) -> str:
        return hmac.new(self.secret, grant.digest.encode(), hashlib.sha256).hexdigest()


def _error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _token_of(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "bearer"
    if request.method in SAFE_METHODS and request.query_params.get("token"):
        return request.query_params["token"], "link"
    return request.cookies.get(COOKIE), "cookie"


def guarded(endpoint: Callable) -> Callable:
    """Every route: 401 without a valid token (checked against the project's token file on every
    request, so invites and revocations act at once); CSRF on state-changing cookie requests."""

    @functools.wraps(endpoint)
    def wrapper(request: Request) -> Response:
        app: ReviewApp = request.app.state.review
        token, via = _token_of(request)
        grant = tokens.check(app.root, token)
        if grant is None:
            if request.url.path.startswith("/api/"):
                return _error(401, "a valid token is needed (Authorization: Bearer TOKEN)")
            return PlainTextResponse(
                "401: open the link you were given (it carries your access token).",
                status_code=401,
            )
        if via == "cookie" and request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, app.csrf(grant)):
                return _error(403, "missing or wrong CSRF token")
        request.state.grant = grant
        request.state.via = via
        response = endpoint(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return wrapper


def _lang(request: Request) -> str | JSONResponse:
    """The path's language if the project has it (404) and the token grants it (403)."""
    app: ReviewApp = request.app.state.review
    lang = request.path_params["lang"]
    project = app.previews.project()
    if lang == SOURCE_LANGUAGE or lang not in project.settings.languages:
        return _error(404, f"unknown language '{lang}'")
    if not request.state.grant.allows(lang):
        return _error(403, f"your link does not grant '{lang}'")
    return lang


def _granted_languages(request: Request) -> list[str]:
    app: ReviewApp = request.app.state.review
    project = app.previews.project()
    return [
        code
        for code in project.settings.languages
        if code != SOURCE_LANGUAGE and request.state.grant.allows(code)
    ]


# ---- pages ----


@guarded
def index(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    grant = request.state.grant
    if request.state.via == "link":  # the link opens a session; the token leaves the address bar
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            request.query_params["token"],
            httponly=True,
            samesite="lax",
            secure=app.secure_cookie,
            max_age=90 * 24 * 3600,
        )
        return response
    ui = ui_translations(request.headers.get("accept-language", ""))
    page = (
        app.page_env(ui)
        .get_template("review.html.j2")
        .render(
            csrf=app.csrf(grant),
            reviewer=grant.name,
            ui_lang=ui.lang,
            strings=ui_strings(ui),  # |tojson: safe inside <script>
        )
    )
    return HTMLResponse(page)


@guarded
def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return PlainTextResponse("not found", status_code=404)
    return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])


# ---- API ----


def _counts(entries: list[store.Entry]) -> dict[str, int]:
    counts = {"missing": 0, "unreviewed": 0, "outdated": 0, "reviewed": 0}
    for entry in entries:
        counts[str(entry.state)] += 1
    return counts


@guarded
def api_languages(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    project = app.previews.project()
    out = []
    for code in _granted_languages(request):
        try:
            entries = store.entries(project, code, pages=False)
        except store.UnknownLanguage:  # no catalog yet
            entries = []
        facts = language(code)
        out.append(
            {
                "code": code,
                "name": facts.native_name,
                "direction": facts.direction,
                "font": facts.css_font_family,
                "counts": _counts(entries),
                "brochures": [
                    b for b, d in project.brochures.items() if code in project.languages_of(d)
                ],
            }
        )
    return JSONResponse(out)


@guarded
def api_brochures(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    project = app.previews.project()
    return JSONResponse(
        [
            {
                "id": b,
                "title": project.content(b).title.source,
                "languages": project.languages_of(d),
            }
            for b, d in project.brochures.items()
        ]
    )


@guarded
def api_entries(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    lang = _lang(request)
    if isinstance(lang, Response):
        return lang
    brochure = request.query_params.get("brochure")
    try:
        with app.previews.lock:  # WeasyPrint lays out one document at a time in this process
            found = store.entries(app.previews.project(), lang, brochure)
    except (store.UnknownEntry, store.UnknownLanguage) as exc:
        return _error(404, str(exc))
    return JSONResponse([e.to_json() for e in found])


def _body(request: Request, fields: dict[str, type]) -> dict | JSONResponse:
    import anyio.from_thread

    try:
        data = json.loads(anyio.from_thread.run(request.body))
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the body must be JSON")
    if not isinstance(data, dict):
        return _error(400, "the body must be a JSON object")
    for name, kind in fields.items():
        optional = name.endswith("?")
        key = name.rstrip("?")
        if key not in data and optional:
            continue
        if not isinstance(data.get(key), kind) or (kind is int and isinstance(data[key], bool)):
            return _error(400, f"'{key}' must be a {kind.__name__}")
    return data


def _saved(request: Request, action: Callable[[], store.Entry]) -> Response:
    try:
        entry = action()
    except (store.UnknownEntry, store.UnknownLanguage) as exc:
        return _error(404, str(exc))
    except store.Conflict as exc:
        return _error(
            409,
            "this text was changed by someone else since you loaded it; nothing was overwritten",
            current=exc.current.to_json(),
            yours=exc.yours,
        )
    except store.CheckFailed as exc:
        return _error(422, str(exc), checks=exc.checks)
    except BrochuresError as exc:  # the catalog changed under the writer or does not validate
        return _error(409, str(exc))
    log.info("%s saved %s (%s)", request.state.grant.name, entry.id, entry.state)
    return JSONResponse(entry.to_json())


@guarded
def api_save(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    lang = _lang(request)
    if isinstance(lang, Response):
        return lang
    data = _body(request, {"translation": str, "reviewed": bool, "version": str, "comment?": str})
    if isinstance(data, Response):
        return data
    return _saved(
        request,
        lambda: store.save(
            app.previews.project(),
            lang,
            request.path_params["id"],
            data["translation"],
            data["reviewed"],
            data["version"],
            request.state.grant.name,
            data.get("comment") or None,
        ),
    )


@guarded
def api_history(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    lang = _lang(request)
    if isinstance(lang, Response):
        return lang
    return JSONResponse(store.history(app.previews.project(), lang, request.path_params["id"]))


@guarded
def api_revert(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    lang = _lang(request)
    if isinstance(lang, Response):
        return lang
    data = _body(request, {"seq": int, "version": str})
    if isinstance(data, Response):
        return data
    return _saved(
        request,
        lambda: store.revert(
            app.previews.project(),
            lang,
            request.path_params["id"],
            data["seq"],
            data["version"],
            request.state.grant.name,
        ),
    )


@guarded
def api_preview(request: Request) -> Response:
    app: ReviewApp = request.app.state.review
    lang = _lang(request)
    if isinstance(lang, Response):
        return lang
    edition = request.query_params.get("edition", "single")
    if edition not in EDITIONS:
        return _error(404, f"unknown edition '{edition}'")
    try:
        png = app.previews.png(
            lang,
            request.path_params["brochure"],
            edition,
            request.path_params["page"],
            request.query_params.get("highlight"),
        )
    except UnknownPage as exc:
        return _error(404, str(exc))
    return Response(png, media_type="image/png")


def create_app(root: Path, secure_cookie: bool = False) -> Starlette:
    """The review application for the project at `root`."""
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/static/{name}", static),
            Route("/api/languages", api_languages),
            Route("/api/brochures", api_brochures),
            Route("/api/languages/{lang}/entries", api_entries),
            Route("/api/languages/{lang}/entries/{id:path}", api_save, methods=["PUT"]),
            Route("/api/languages/{lang}/history/{id:path}", api_history),
            Route("/api/languages/{lang}/revert/{id:path}", api_revert, methods=["POST"]),
            Route("/api/languages/{lang}/preview/{brochure}/{page:int}.png", api_preview),
        ]
    )
    app.state.review = ReviewApp(root, secure_cookie)
    return app


# ---- the command ----


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    root: Path, host: str = "127.0.0.1", port: int = 8765, base_url: str | None = None
) -> None:
    """Bind, print the office's link (the one stdout line), then serve until Ctrl-C (uvicorn
    finishes the requests under way); logs, access log included, go to stderr."""
    import copy
    import socket

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from brochures.content.project import load_project

    load_project(root)  # input errors before anything is printed or bound
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    port = sock.getsockname()[1]  # --port 0: the port the system chose
    address = f"[{host}]" if ":" in host else host
    url = base_url or f"http://{address}:{port}"
    tokens.record_server(root, url)
    line = tokens.link(root, tokens.office_token(root), url)
    if not is_loopback(host):
        line += f"  (listening on {host}: reachable from other computers, not only this one)"
    app = create_app(root, secure_cookie=urlsplit(url).scheme == "https")
    logging_config = copy.deepcopy(LOGGING_CONFIG)
    logging_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s: %(message)s")
    print(line, flush=True)
    config = uvicorn.Config(
        app, log_config=logging_config, log_level="info", timeout_graceful_shutdown=10
    )
    logging.getLogger("uvicorn.access").addFilter(_redact_tokens)
    # uvicorn shuts down on Ctrl-C, then raises the signal again on its way out
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    log.info("review server stopped")


def _redact_tokens(record: logging.LogRecord) -> bool:
    """Access log lines without the tokens of reviewer links."""
    if isinstance(record.args, tuple):
        record.args = tuple(
            re.sub(r"token=[^&\s]+", "token=…", a) if isinstance(a, str) else a for a in record.args
        )
    return True
