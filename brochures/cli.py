"""The command line: a click group whose commands parse options and call one library function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from brochures import __version__
from brochures.errors import BrochuresError


class Group(click.Group):
    """Turns user errors into `path:line: message` lines and exit status 2, bugs keep tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrochuresError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            ctx.exit(exc.exit_status)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="current folder",
    help="The project folder (with source/, templates/, locales/).",
)
@click.version_option(__version__, prog_name="brochures")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path) -> None:
    """Print-ready, multilingual brochures from the Kreis Warendorf integration concept."""
    ctx.obj = project_dir


@cli.command("list")
@click.pass_obj
def list_command(project_dir: Path) -> None:
    """List fields of action, goals (ids and titles) and brochures."""
    from brochures.project import load_project

    project = load_project(project_dir)
    for section, fld in project.concept.fields():
        label = fld.title or "(field of action not named in the excerpt)"
        number = f"{fld.number} " if fld.number else ""
        click.echo(f"{section.number} {section.title} / {number}{label}  [{fld.id}]")
        for goal in fld.goals:
            mark = f" ({goal.change})" if goal.change != "unchanged" else ""
            click.echo(f"  {goal.id:28} {goal.number or '-'}. {goal.title}{mark}")
    click.echo("")
    click.echo("brochures:")
    for brochure in project.brochures.values():
        fmt = brochure.format or project.settings.default_format
        click.echo(f"  {brochure.id:20} {fmt:12} {brochure.title}  (goals: "
                   f"{', '.join(brochure.goals)})")


@cli.command("build")
@click.option("--brochure", "brochures", multiple=True, metavar="ID",
              help="Build only this brochure (repeatable). Default: all.")
@click.option("--lang", "langs", multiple=True, metavar="LANG",
              help="Build only this language (repeatable). Default: de.")
@click.pass_obj
def build_command(project_dir: Path, brochures: tuple[str, ...], langs: tuple[str, ...]) -> None:
    """Build PDFs into build/pdf/<brochure>/<brochure>.<lang>.pdf."""
    from rich.console import Console
    from rich.table import Table

    from brochures.build import build

    console = Console(stderr=True)

    def show(result) -> None:
        status = "[green]built[/]" if result.ok else "[red]failed[/]"
        console.print(f"{status} {result.job.name} ({result.pages} pages, {result.seconds:.2f} s)")
        for failure in result.failures:
            console.print(f"  [red]{result.job.name}: {failure}[/]")

    report = build(project_dir, list(brochures), list(langs), on_result=show)
    table = Table("job", "result", "pages", "KB", "seconds")
    for r in report.results:
        try:
            shown = r.job.output.resolve().relative_to(project_dir.resolve())
        except ValueError:
            shown = r.job.output
        table.add_row(str(shown), "ok" if r.ok else "FAILED", str(r.pages),
                      f"{r.size / 1024:.0f}", f"{r.seconds:.2f}")
    console.print(table)
    if report.failed:
        console.print(f"[red]{len(report.failed)} of {len(report.results)} jobs failed[/]")
        sys.exit(1)


def main() -> None:
    cli(prog_name="brochures")
