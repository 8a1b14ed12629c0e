"""The school system as data (`source/schulsystem.yaml`) for the diagram a brochure can show."""

from __future__ import annotations

from brochures.content.model import Model, PlainText, Slug
from brochures.content.yamlfile import YamlDocument
from brochures.errors import Problem


class School(Model):
    id: Slug
    name: PlainText


class Stage(Model):
    id: Slug
    name: PlainText
    years: PlainText | None = None
    schools: list[School]


class Certificate(Model):
    id: Slug
    name: PlainText
    after: list[Slug]  # stages or schools that lead to it


class Source(Model):
    title: PlainText
    url: PlainText | None = None


class SchoolSystem(Model):
    """General facts only, with their public source: stages, schools, the ways between them and
    the certificates."""

    title: PlainText
    source: Source
    stages: list[Stage]
    transitions: list[tuple[Slug, Slug]] = []
    certificates: list[Certificate] = []

    def check(self, doc: YamlDocument) -> list[Problem]:
        """Transitions between known schools; certificates after known stages or schools."""
        schools = {s.id for stage in self.stages for s in stage.schools}
        known = schools | {stage.id for stage in self.stages}
        problems = []
        for i, pair in enumerate(self.transitions):
            for end in pair:
                if end not in schools:
                    problems.append(
                        doc.problem(("transitions", i), f"transitions[{i}]: unknown school '{end}'")
                    )
        for i, certificate in enumerate(self.certificates):
            for end in certificate.after:
                if end not in known:
                    problems.append(
                        doc.problem(
                            ("certificates", i, "after"),
                            f"certificates[{i}].after: unknown stage or school '{end}'",
                        )
                    )
        return problems
