"""The review log: every save of a translation, appended as a JSON line (who, when, old and new)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from brochures.content.project import Project
from brochures.translation.catalogs import State

LOG_NAME = "log.jsonl"


def log_path(project: Project) -> Path:
    """`review/log.jsonl` in the project: kept with the catalogs (commit it)."""
    return project.root / "review" / LOG_NAME


def side(translation: str, state: State, previous: str | None) -> dict:
    side = {"translation": translation, "state": state.value}
    if state is State.OUTDATED and previous:
        side["previous"] = previous
    return side


def record(
    when: dt.datetime,
    lang: str,
    entry_id: str,
    reviewer: str,
    action: str,
    old: dict,
    new: dict,
    comment: str | None,
    version: str,
) -> dict:
    return {
        "time": when.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "lang": lang,
        "id": entry_id,
        "reviewer": reviewer,
        "action": action,
        "old": old,
        "new": new,
        "comment": comment or None,
        "version": version,
    }


def append(project: Project, records: list[dict]) -> None:
    """Append records, one line each, in one write, and fsync (append-only: never rewritten).
    The caller holds the catalog's lock; lines of other catalogs' writers are whole lines,
    since each write of O_APPEND lands at the end as one piece."""
    if not records:
        return
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        written = os.write(fd, data)
        if written != len(data):  # a full disk: no half line left behind is possible to promise
            raise OSError(f"{path}: only {written} of {len(data)} bytes written")
        os.fsync(fd)
    finally:
        os.close(fd)


def read(project: Project) -> list[dict]:
    """Every record, oldest first, each with `seq` (its 1-based line number). A damaged line (a
    crash mid-write, a hand edit) is skipped, not fatal."""
    path = log_path(project)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "lang" in value and "id" in value:
            records.append({**value, "seq": number})
    return records
