"""The user-error tree: problems with input or environment, reported as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with its position where one exists."""

    path: Path | str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class BrochuresError(Exception):
    """Base of every user error: invalid input or environment (exit status 2)."""

    exit_status = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = Problem(None, None, problems)
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(BrochuresError):
    """The project settings or a brochure definition are invalid."""


class SourceError(BrochuresError):
    """The structured concept is invalid."""


class TemplateError(BrochuresError):
    """A template is missing or does not compile."""


class EnvironmentProblem(BrochuresError):
    """Something the tool needs from the machine is missing or unusable."""


class OutputError(BrochuresError):
    """An output could not be written after jobs ran (disk full while publishing): one line,
    exit status 1 like a failed job."""

    exit_status = 1


def raise_if(problems: list[Problem], kind: type[BrochuresError]) -> None:
    """Raise `kind` with every problem at once, if there are any."""
    if problems:
        raise kind(problems)
