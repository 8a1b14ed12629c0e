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
        click.echo(
            f"  {brochure.id:20} {fmt:12} {brochure.title}  (goals: {', '.join(brochure.goals)})"
        )


@cli.command("build")
@click.option(
    "--brochure",
    "brochures",
    multiple=True,
    metavar="ID",
    help="Build only this brochure (repeatable). Default: all.",
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANG",
    help="Build only this language (repeatable). Default: every language of a brochure.",
)
@click.option(
    "--edition",
    type=click.Choice(["single", "bilingual", "all"]),
    default="all",
    show_default=True,
    help="Single-language PDFs, German beside the language, or both.",
)
@click.option(
    "--reviewed-only",
    is_flag=True,
    help="Build a language only when every text it needs is reviewed (for print runs).",
)
@click.pass_obj
def build_command(
    project_dir: Path,
    brochures: tuple[str, ...],
    langs: tuple[str, ...],
    edition: str,
    reviewed_only: bool,
) -> None:
    """Build PDFs into build/pdf/<brochure>/<brochure>.<lang>.pdf (and .de+<lang>.pdf)."""
    from rich.console import Console
    from rich.table import Table

    from brochures.build import EDITIONS, build

    console = Console(stderr=True, highlight=False)

    def show(result) -> None:
        status = "[green]built[/]" if result.ok else "[red]failed[/]"
        console.print(f"{status} {result.job.name} ({result.pages} pages, {result.seconds:.2f} s)")
        for failure in result.failures:
            console.print(f"  [red]{result.job.name}: {failure}[/]")
        if result.fallbacks:
            console.print(
                f"  {result.job.name}: {len(result.fallbacks)} texts shown in German "
                f"(outdated or missing): {', '.join(result.fallbacks)}"
            )

    editions = list(EDITIONS) if edition == "all" else [edition]
    report = build(
        project_dir, list(brochures), list(langs), editions, reviewed_only, on_result=show
    )
    table = Table("job", "result", "pages", "KB", "reviewed", "unreviewed", "German", "seconds")
    for r in report.results:
        c = r.counts
        table.add_row(
            r.job.name,
            "ok" if r.ok else "FAILED",
            str(r.pages),
            f"{r.size / 1024:.0f}",
            str(c.get("reviewed", 0)),
            str(c.get("unreviewed", 0)),
            str(len(r.fallbacks)),
            f"{r.seconds:.2f}",
        )
    console.print(table)
    for name, why in report.skipped:
        console.print(f"skipped {name}: {why}")
    if report.failed:
        console.print(f"[red]{len(report.failed)} of {len(report.results)} jobs failed[/]")
        sys.exit(1)


@cli.group("catalog")
def catalog_group() -> None:
    """Gettext catalogs in locales/ (German is the source language)."""


@catalog_group.command("update")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any catalog is stale.")
@click.pass_obj
def catalog_update(project_dir: Path, check: bool) -> None:
    """Extract texts into locales/messages.pot and merge them into every language's catalog."""
    from brochures.catalogs import update
    from brochures.project import load_project

    report = update(load_project(project_dir), check=check)
    for path in report.written:
        click.echo(f"updated {path}")
    for path in report.stale:
        click.echo(f"stale {path}")
    if not report.written and not report.stale:
        click.echo(f"all {len(report.unchanged)} catalogs up to date")
    if report.stale:
        click.echo("run `brochures catalog update` to bring them up to date", err=True)
        sys.exit(1)


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status_command(project_dir: Path, as_json: bool) -> None:
    """Per brochure and language: reviewed, unreviewed, outdated and missing translations."""
    import json

    from rich.console import Console
    from rich.table import Table

    from brochures.catalogs import State, status
    from brochures.project import load_project

    rows = status(load_project(project_dir))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("brochure", "language", *(s.value for s in State), "complete")
    for row in rows:
        table.add_row(
            row["brochure"],
            row["language"],
            *(str(row[s.value]) for s in State),
            f"{row['complete']:.0%}",
        )
    Console().print(table)


@cli.command("import-synopsis")
@click.argument("synopsis", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Concept file to create or merge into. Default: source/konzept.yaml.",
)
@click.option("--title", help="Document title (default: from the header row, or kept).")
@click.option("--issuer", help="Issuer; needed for a new concept file, else kept.")
@click.pass_obj
def import_synopsis_command(
    project_dir: Path, synopsis: Path, output: Path | None, title: str | None, issuer: str | None
) -> None:
    """Import a council synopsis (two versions side by side) into the structured concept."""
    from brochures.synopsis import import_synopsis

    output = output or project_dir / "source" / "konzept.yaml"
    result = import_synopsis(synopsis, output, title=title, issuer=issuer)
    for problem in result.unmapped:
        click.echo(str(problem), err=True)
    for ident in result.dropped:
        click.echo(f"{output}: removed (no longer in the synopsis): {ident}", err=True)
    click.echo(f"{'wrote' if result.written else 'unchanged'}: {output}")


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def check_command(project_dir: Path, as_json: bool) -> None:
    """Message checks between German and every translation; exit 1 on any error."""
    import json

    from rich.console import Console
    from rich.table import Table

    from brochures.catalogs import check_messages
    from brochures.project import load_project

    rows = check_messages(load_project(project_dir))
    errors = [r for r in rows if r.severity == "error"]
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
    else:
        table = Table("language", "message", "severity", "check", "detail")
        for r in rows:
            table.add_row(r.lang, r.context, r.severity, r.check, r.detail)
        console = Console()
        console.print(table)
        console.print(f"{len(errors)} errors, {len(rows) - len(errors)} warnings")
    if errors:
        sys.exit(1)


@cli.command("impose")
@click.option("--brochure", "brochure_id", required=True, metavar="ID", help="The brochure.")
@click.option("--lang", required=True, metavar="LANG", help="The language of its screen PDF.")
@click.pass_obj
def impose_command(project_dir: Path, brochure_id: str, lang: str) -> None:
    """Impose a booklet's screen PDF onto A4 landscape sheets for a desktop printer
    (saddle stitch: print both sides, fold, staple in the middle)."""
    from brochures.errors import ConfigError, Problem
    from brochures.impose import impose
    from brochures.languages import check_code, language
    from brochures.project import load_project

    project = load_project(project_dir)
    if brochure_id not in project.brochures:
        known = ", ".join(project.brochures)
        raise ConfigError(Problem(None, None, f"unknown brochure '{brochure_id}' (known: {known})"))
    if check_code(lang) or lang not in project.languages_of(project.brochures[brochure_id]):
        raise ConfigError(Problem(None, None, f"'{lang}' is not a language of '{brochure_id}'"))
    folder = project.build_dir / "pdf" / brochure_id
    target = folder / f"{brochure_id}.{lang}.imposed.pdf"
    sides = impose(folder / f"{brochure_id}.{lang}.pdf", target, language(lang).direction == "rtl")
    click.echo(f"wrote {target.relative_to(project.root)} ({sides} sheet sides)")


def main() -> None:
    cli(prog_name="brochures")
