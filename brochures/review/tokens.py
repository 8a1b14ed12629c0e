"""Reviewer access: tokens stored hashed in the project (git-ignored), invite, revoke, scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from brochures.errors import ConfigError, Problem
from brochures.files import write_atomic

TOKENS = "tokens.json"
SERVER = "server.json"  # the running server's address, recorded when it starts
DEFAULT_URL = "http://127.0.0.1:8765"
ALL = "*"  # the office's token: every language
OFFICE = "office"


@dataclass(frozen=True)
class Grant:
    """Who a valid token belongs to and which languages it grants."""

    name: str
    langs: tuple[str, ...]
    digest: str

    def allows(self, lang: str) -> bool:
        return ALL in self.langs or lang in self.langs

    @property
    def office(self) -> bool:
        return ALL in self.langs


def private_folder(root: Path) -> Path:
    """The project's git-ignored folder of the review server (created on first use)."""
    folder = root / ".review"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# tokens and the review server's address: never committed\n*\n")
    return folder


def digest(token: str) -> str:
    """Tokens are 256-bit random strings: one SHA-256 is enough to keep them unusable if read."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _path(root: Path) -> Path:
    return root / ".review" / TOKENS


def _read(root: Path) -> list[dict]:
    try:
        data = json.loads(_path(root).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [g for g in data.get("tokens", []) if isinstance(g, dict)]


def _write(root: Path, grants: list[dict]) -> None:
    private_folder(root)
    text = json.dumps({"tokens": grants}, ensure_ascii=False, indent=1) + "\n"
    write_atomic(_path(root), text.encode("utf-8"))
    _path(root).chmod(0o600)


def _add(root: Path, name: str, langs: list[str], replace: bool) -> str:
    token = secrets.token_urlsafe(32)
    grants = [g for g in _read(root) if not (replace and g.get("name") == name)]
    grants.append(
        {
            "name": name,
            "langs": sorted(set(langs)),
            "sha256": digest(token),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    _write(root, grants)
    return token


def invite(root: Path, langs: list[str], name: str) -> str:
    """A new token for `name` granting `langs`; earlier tokens of the name stay valid."""
    name = " ".join(name.split())
    if not name or name == OFFICE:
        raise ConfigError(Problem(None, None, f"invalid reviewer name '{name}'"))
    return _add(root, name, langs, replace=False)


def office_token(root: Path) -> str:
    """A new token of the office (every language); the previous office token stops working."""
    return _add(root, OFFICE, [ALL], replace=True)


def revoke(root: Path, name: str) -> int:
    """Remove every token of `name`; how many there were. Open sessions end at once (every
    request checks its token)."""
    grants = _read(root)
    kept = [g for g in grants if g.get("name") != name]
    if len(kept) != len(grants):
        _write(root, kept)
    return len(grants) - len(kept)


def check(root: Path, token: str | None) -> Grant | None:
    """The grant of a token, read from disk on every call, or None if it is not valid."""
    if not token:
        return None
    wanted = digest(token)
    for grant in _read(root):
        if hmac.compare_digest(str(grant.get("sha256", "")), wanted):
            return Grant(str(grant["name"]), tuple(grant.get("langs", [])), wanted)
    return None


def record_server(root: Path, url: str) -> None:
    private_folder(root)
    write_atomic(root / ".review" / SERVER, (json.dumps({"url": url}) + "\n").encode("utf-8"))


def server_url(root: Path) -> str | None:
    try:
        return json.loads((root / ".review" / SERVER).read_text(encoding="utf-8"))["url"]
    except (FileNotFoundError, KeyError, ValueError, TypeError):
        return None


def link(root: Path, token: str, base_url: str | None = None) -> str:
    """The reviewer link: `--base-url`, else the running server's recorded address, else the
    default address, plus `/?token=TOKEN`."""
    base = base_url or server_url(root) or DEFAULT_URL
    return f"{base.rstrip('/')}/?token={token}"


def invite_link(root: Path, langs: list[str], name: str, base_url: str | None = None) -> str:
    """Invite a reviewer for languages of the project; their link."""
    from brochures.content.project import load_project
    from brochures.languages import SOURCE_LANGUAGE, not_among

    project = load_project(root)
    translated = [c for c in project.settings.languages if c != SOURCE_LANGUAGE]
    what, where = "the project's translated languages", "source/project.yaml"
    wrong = [Problem(None, None, w) for c in langs if (w := not_among(c, translated, what, where))]
    if wrong:
        raise ConfigError(wrong)
    return link(root, invite(root, langs, name), base_url)
