"""A job (brochure × language × edition × profile) and what became of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from brochures.languages import SOURCE_LANGUAGE
from brochures.translation.catalogs import State


@dataclass(frozen=True)
class Job:
    brochure: str
    lang: str
    edition: str
    output: Path
    profile: str = "screen"

    @property
    def tag(self) -> str:
        return f"{SOURCE_LANGUAGE}+{self.lang}" if self.edition == "bilingual" else self.lang

    @property
    def name(self) -> str:
        name = f"{self.brochure}.{self.tag}"
        return name if self.profile == "screen" else f"{self.profile}:{name}"


class Status(StrEnum):
    BUILT = "built"
    UP_TO_DATE = "up to date"  # key and output unchanged: skipped
    FAILED = "failed"


@dataclass
class JobResult:
    job: Job
    status: Status = Status.BUILT
    failures: list[str] = field(default_factory=list)
    counts: dict[State, int] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)  # message ids shown in German
    title: str = ""  # the brochure's title in the job's language (German where not translated)
    pages: int = 0
    size: int = 0
    sha256: str = ""
    key: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # digest per input (keys.Fingerprints)
    looked_up: list[tuple[str, str]] = field(default_factory=list)  # catalog keys its HTML used
    reason: str = ""  # why it was built: new, forced, output missing, changed inputs
    seconds: float = 0.0
    error: str | None = None  # traceback of a bug that failed this job
    worker_rss: int = 0  # bytes, resident memory of the process that rendered it
    # screen PDFs: what the accessibility gate found (empty: it passed, PDF/UA-1 is claimed);
    # None: not checked (print PDFs)
    accessibility: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def claims_pdfua(self) -> bool:
        return self.accessibility == []

    @property
    def fully_reviewed(self) -> bool:
        return self.counts.get(State.REVIEWED, 0) == sum(self.counts.values())
