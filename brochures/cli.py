"""The command line: a click group whose commands parse options and call one library function."""

from __future__ import annotations

import inspect
import os
import sys
import time
from contextlib import contextmanager
from gettext import gettext  # click's own catalog, as click's own section titles use
from pathlib import Path
from typing import TYPE_CHECKING

import click

import brochures
from brochures import __version__
from brochures.errors import BrochuresError
from brochures.i18n import N_, _, ngettext, use_for_click

use_for_click()

if TYPE_CHECKING:
    from brochures.build import BuildReport, PdfRow


@contextmanager
def _translated(command: click.Command, ctx: click.Context | None = None):
    """The command's help texts (docstring, `help=`, `show_default=`) in the user's language
    while click formats them (brochures/i18n.py's extractor collects them for the catalogs)."""
    saved: list[tuple[object, str, object]] = []

    def swap(obj: object, attr: str) -> None:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            saved.append((obj, attr, value))
            setattr(obj, attr, _(inspect.cleandoc(value)))

    swap(command, "help")
    for param in command.get_params(ctx) if ctx is not None else command.params:
        swap(param, "help")
        swap(param, "show_default")
    try:
        yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


class Command(click.Command):
    """A command whose help is shown in the user's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


class Group(Command, click.Group):
    """Turns user errors into `path:line: message` lines and exit status 2, bugs keep tracebacks;
    its commands and subgroups show their help in the user's language, with whole descriptions."""

    command_class = Command
    group_class = type

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrochuresError as exc:
            for problem in exc.problems:
                click.echo(_("error: {problem}").format(problem=problem), err=True)
            ctx.exit(exc.exit_status)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with the whole first sentence of its description, wrapped to the
        terminal, never cut off with "..." (click shortens them to fit one line)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section(gettext("Commands")):
                formatter.write_dl(rows)


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
    from brochures.content.project import load_project

    project = load_project(project_dir)
    for section, fld in project.concept.fields():
        label = fld.title or _("(field of action not named in the excerpt)")
        number = f"{fld.number} " if fld.number else ""
        click.echo(f"{section.number} {section.title} / {number}{label}  [{fld.id}]")
        for goal in fld.goals:
            mark = f" ({goal.change})" if goal.change != "unchanged" else ""
            click.echo(f"  {goal.id:28} {goal.number or '-'}. {goal.title}{mark}")
    click.echo("")
    click.echo(_("brochures:"))
    for brochure in project.brochures.values():
        fmt = brochure.format or project.settings.default_format
        click.echo(
            f"  {brochure.id:20} {fmt:12} {brochure.title}  "
            + _("(goals: {goals})").format(goals=", ".join(brochure.goals))
        )
        click.echo(
            "    " + _("languages: {langs}").format(langs=" ".join(project.languages_of(brochure)))
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
    "--profile",
    type=click.Choice(["screen", "print", "all"]),
    default="screen",
    show_default=True,
    help="PDFs for screens and office printers (build/pdf/), for the print shop (build/print/), "
    "or both.",
)
@click.option(
    "--reviewed-only",
    is_flag=True,
    help="Build a language only when every text it needs is reviewed (for print runs).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild every PDF, also those whose inputs and output are unchanged.",
)
@click.option(
    "-j",
    "--jobs",
    "workers",
    type=click.IntRange(min=1),
    default=None,
    show_default="number of cores",
    help="At most this many PDFs rendered at the same time, each in a worker process (forked "
    "from a warmed-up server); 1 renders in the build process.",
)
@click.pass_obj
def build_command(
    project_dir: Path,
    brochures: tuple[str, ...],
    langs: tuple[str, ...],
    edition: str,
    profile: str,
    reviewed_only: bool,
    force: bool,
    workers: int | None,
) -> None:
    """Build the PDFs, then the download page build/index.html.

    Single-language PDFs go to build/pdf/<brochure>/<brochure>.<lang>.pdf, bilingual ones to
    <brochure>.de+<lang>.pdf beside them; print PDFs (--profile print) to build/print/, listed
    for the print shop on build/print/index.html. PDFs whose inputs and output are unchanged
    are skipped; build/manifest.json lists every PDF."""
    started = time.perf_counter()
    if (workers or os.cpu_count() or 1) > 1:
        from brochures.rendering import forkserver

        if force or forkserver.likely_needed(project_dir):  # it starts while the build loads
            forkserver.start()
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from brochures.build import EDITIONS, PROFILES, Status, build

    console = Console(stderr=True, highlight=False)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    bar: TaskID | None = None

    def planned(todo, up_to_date) -> None:
        nonlocal bar
        if up_to_date:
            console.print(
                ngettext(
                    "{count} PDF up to date (inputs and output unchanged)",
                    "{count} PDFs up to date (inputs and output unchanged)",
                    len(up_to_date),
                ).format(count=len(up_to_date))
            )
        if todo:
            bar = progress.add_task(_("starting workers"), total=len(todo))
            progress.start()

    def show(result) -> None:
        name = result.job.name
        if bar is not None:
            progress.update(bar, advance=1, description=name)
        if result.ok and not console.is_terminal:
            ua = ", PDF/UA-1" if result.claims_pdfua else ""
            console.print(
                ngettext(
                    "built {name} ({pages} page, {seconds:.2f} s; {reason})",
                    "built {name} ({pages} pages, {seconds:.2f} s; {reason})",
                    result.pages,
                ).format(
                    name=name, pages=result.pages, seconds=result.seconds, reason=result.reason
                )
                + ua
            )
        elif not result.ok:
            console.print(
                "[red]"
                + _("failed {name} ({seconds:.2f} s)").format(name=name, seconds=result.seconds)
                + "[/]"
            )
        for failure in result.failures:
            console.print(f"  [red]{name}: {escape(failure)}[/]")
        if result.ok and result.accessibility:
            console.print(
                "  [yellow]"
                + _("warning:")
                + "[/] "
                + _("{name}: written without the PDF/UA-1 claim:").format(name=name)
            )
            for problem in result.accessibility:
                console.print(f"  [yellow]{name}: {escape(problem)}[/]")
        if result.error:
            console.print(result.error, markup=False)
        if result.fallbacks:
            console.print(
                "  "
                + ngettext(
                    "{name}: {count} text shown in German (outdated or missing): {ids}",
                    "{name}: {count} texts shown in German (outdated or missing): {ids}",
                    len(result.fallbacks),
                ).format(name=name, count=len(result.fallbacks), ids=", ".join(result.fallbacks)),
                markup=False,
            )

    editions = list(EDITIONS) if edition == "all" else [edition]
    profiles = list(PROFILES) if profile == "all" else [profile]
    try:
        report = build(
            project_dir,
            list(brochures),
            list(langs),
            editions,
            reviewed_only,
            on_result=show,
            profiles=profiles,
            force=force,
            workers=workers,
            on_plan=planned,
        )
    finally:
        progress.stop()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("brochure"), overflow="fold")
    for column in (_("built"), _("up to date"), _("left out"), _("failed"), _("rendering s")):
        table.add_column(column, justify="right", overflow="fold")
    left_out = [name.split(":")[-1].split(".")[0] for name, _ in report.skipped]
    names = list(dict.fromkeys([r.job.brochure for r in report.results] + left_out))
    for brochure in [*names, None]:
        mine = [r for r in report.results if brochure in (None, r.job.brochure)]
        table.add_row(
            brochure or _("all"),
            str(sum(1 for r in mine if r.status is Status.BUILT)),
            str(sum(1 for r in mine if r.status is Status.UP_TO_DATE)),
            str(sum(1 for b in left_out if brochure in (None, b))),
            str(sum(1 for r in mine if r.status is Status.FAILED)),
            f"{sum(r.seconds for r in mine):.1f}",
            end_section=brochure == names[-1] if names else False,
        )
    console.print(table)
    console.print(summary(report, time.perf_counter() - started), markup=False)
    for name, why in report.skipped:
        console.print(_("skipped {name}: {why}").format(name=name, why=why), markup=False)
    behind = _behind_line(report.behind)
    if behind:
        console.print(behind, markup=False)
    for warning in report.warnings:
        console.print("[yellow]" + _("warning:") + f"[/] {escape(warning)}")
    screen = [r for r in report.results if r.ok and r.accessibility is not None]
    if screen:
        passed = sum(1 for r in screen if r.claims_pdfua)
        verdict = (
            _("accessibility: {passed} of {total} screen PDFs pass the gate and claim PDF/UA-1")
            if passed == len(screen)
            else _(
                "accessibility: {passed} of {total} screen PDFs pass the gate and claim PDF/UA-1 "
                "(the others: warnings above; not claimed)"
            )
        )
        console.print(verdict.format(passed=passed, total=len(screen)))
    if report.published:
        for problem in report.published.problems:
            console.print("[yellow]" + _("warning:") + f"[/] {problem}")
        console.print(
            ngettext(
                "download page: {index} ({pdfs} PDF; thumbnails: {drawn} drawn, {reused} reused)",
                "download page: {index} ({pdfs} PDFs; thumbnails: {drawn} drawn, {reused} reused)",
                report.published.pdfs,
            ).format(
                index=report.published.index,
                pdfs=report.published.pdfs,
                drawn=report.published.thumbnails_made,
                reused=report.published.thumbnails_reused,
            ),
            markup=False,
        )
        if report.published.print_index:
            console.print(
                ngettext(
                    "print shop's page: {index} ({count} print PDF)",
                    "print shop's page: {index} ({count} print PDFs)",
                    report.published.print_pdfs,
                ).format(index=report.published.print_index, count=report.published.print_pdfs),
                markup=False,
            )
    if report.printed:
        _print_report(console, report)
    too_long: dict[str, list[str]] = {}  # brochure → editions/languages whose pages overflow
    for r in report.failed:
        if any("does not fit the" in f for f in r.failures):
            too_long.setdefault(r.job.brochure, []).append(r.job.name.split(".", 1)[-1])
    for brochure, where in too_long.items():
        console.print(
            _(
                "{brochure} does not fit its format in: {langs} (the messages above name the block)"
            ).format(brochure=brochure, langs=", ".join(dict.fromkeys(where))),
            markup=False,
        )
    if report.failed:
        console.print(
            "[red]"
            + ngettext(
                "{failed} of {total} job failed",
                "{failed} of {total} jobs failed",
                len(report.results),
            ).format(failed=len(report.failed), total=len(report.results))
            + "[/]"
        )
        sys.exit(1)


def summary(report: BuildReport, seconds: float) -> str:
    """What the build's seconds were: the command's wall time, by stage; and what the table's
    "rendering s" sums (the PDFs' own times, which overlap when workers run side by side)."""
    stages = [f"{stage} {lap:.2f} s" for stage, lap in report.seconds.items()]
    rest = max(0.0, seconds - sum(report.seconds.values()))
    stages.append(_("start and summary {seconds:.2f} s").format(seconds=rest))
    if report.pooled and report.workers > 1:
        how = _(
            "{count} PDF workers side by side; rendering s adds up each PDF's own time, so it "
            "can exceed the wall time"
        ).format(count=report.workers)
    elif report.pooled:
        how = _("1 PDF worker")
    elif report.workers:
        how = _("PDFs rendered in the build process")
    else:
        how = _("no PDFs to render")
    wall = _("{seconds:.1f} s wall time ({stages})").format(
        seconds=seconds, stages=", ".join(stages)
    )
    return f"{wall}\n{how}"


def _print_report(console, report) -> None:
    """What the print PDFs are, one row per brochure and edition (languages alike together)."""
    from rich.table import Table

    table = Table(
        _("print PDF"),
        _("trim"),
        _("bleed"),
        _("pages"),
        _("PDF/X"),
        _("output intent"),
        _("colours"),
        title=_("Print report (build/print/)"),
    )
    groups: dict[tuple, list[str]] = {}
    for row in report.printed:
        f = row.facts
        pages = str(f.pages)
        if row.booklet:
            sheets = f.sheets(True)
            pages += " " + ngettext("({count} sheet)", "({count} sheets)", sheets).format(
                count=sheets
            )
        key = (
            f"{row.result.job.brochure} ({_(row.result.job.edition)})",
            f"{f.trim_mm[0]:g} × {f.trim_mm[1]:g} mm",
            f"{f.bleed_mm:g} mm",
            pages,
            f.pdfx or _("no"),
            f.output_intent or _("none"),
            ", ".join(f.spaces) + (" — " + _("RGB left!") if f.rgb else ""),
        )
        groups.setdefault(key, []).append(row.result.job.lang)
    for key, langs in groups.items():
        table.add_row(f"{key[0]}: {' '.join(langs)}", *key[1:])
    if not console.is_terminal:  # a log file: whole rows
        console.width = max(console.width, 140)
    console.print(table)
    if report.pdfx_missing:
        console.print(_("not PDF/X: {why}").format(why=_(report.pdfx_missing)), markup=False)
    for row in report.printed:
        for where in row.facts.rgb[:5]:
            console.print(
                _("RGB in {pdf}: {where}").format(pdf=row.result.job.name, where=where),
                markup=False,
            )


# The editions' names and the print report's reason, for the tool's own catalogs.
EDITION_NAMES = (N_("single"), N_("bilingual"))


@cli.group("catalog")
def catalog_group() -> None:
    """Gettext catalogs in locales/ (German is the source language)."""


@catalog_group.command("update")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any catalog is stale.")
@click.pass_obj
def catalog_update(project_dir: Path, check: bool) -> None:
    """Extract texts into locales/messages.pot and merge them into every language's catalog."""
    from brochures.content.project import load_project
    from brochures.translation.catalogs import update

    report = update(load_project(project_dir), check=check)
    for path in report.written:
        click.echo(_("updated {path}").format(path=path))
    for path in report.stale:
        click.echo(_("stale {path}").format(path=path))
    for line in _catalog_changes(report):
        click.echo(line)
    if not report.written and not report.stale:
        click.echo(
            ngettext(
                "the catalog is up to date",
                "all {count} catalogs up to date",
                len(report.unchanged),
            ).format(count=len(report.unchanged))
        )
    if report.stale:
        click.echo(_("run `brochures catalog update` to bring them up to date"), err=True)
        sys.exit(1)
    if any(c.added or c.outdated for c in report.changes.values()):
        click.echo(
            _(
                "next: translate the new and outdated texts (in a translation tool, with "
                "`brochures translate --lang LANG`, or `brochures catalog export --lang LANG`), "
                "then `brochures build`"
            )
        )


def _catalog_changes(report) -> list[str]:
    """Per language what the update did (or would do): a new language's texts one by one;
    languages with the same changes on one line."""
    lines = []
    groups: dict[tuple, list[str]] = {}
    for lang, changes in report.changes.items():
        if changes.created:
            lines.append(
                ngettext(
                    "{lang}: new catalog with {count} text to translate:",
                    "{lang}: new catalog with {count} texts to translate:",
                    len(changes.added),
                ).format(lang=lang, count=len(changes.added))
            )
            for ident in changes.added:
                copied = changes.copied.get(ident)
                german = report.german.get(ident, "")
                german = "" if german == ident else _shorten(german, 50)
                extra = "  " + _("(draft copied from {id})").format(id=copied) if copied else ""
                lines.append(f"  {ident}  {german}{extra}".rstrip())
            continue
        key = (
            tuple(changes.added),
            tuple(changes.outdated),
            tuple(changes.obsolete),
            tuple(sorted(changes.copied.items())),
        )
        groups.setdefault(key, []).append(lang)
    for (added, outdated, obsolete, copied), langs in groups.items():
        parts = []
        if added:
            parts.append(_("{count} added ({ids})").format(count=len(added), ids=", ".join(added)))
        if outdated:
            parts.append(
                _("{count} outdated ({ids})").format(count=len(outdated), ids=", ".join(outdated))
            )
        if obsolete:
            parts.append(
                _("{count} obsolete ({ids})").format(count=len(obsolete), ids=", ".join(obsolete))
            )
        if copied:
            parts.append(
                ngettext(
                    "{count} draft copied from the same German text ({pairs})",
                    "{count} drafts copied from the same German text ({pairs})",
                    len(copied),
                ).format(count=len(copied), pairs=", ".join(f"{a} ← {b}" for a, b in copied))
            )
        lines.append(f"{' '.join(langs)}: {'; '.join(parts)}")
    return lines


def _shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word with an ellipsis."""
    import re
    import textwrap

    plain = " ".join(re.sub(r"<[^>]+>", "", text).split())
    return textwrap.shorten(plain, width, placeholder=" …") if plain else ""


@catalog_group.command("export")
@click.option("--lang", required=True, metavar="LANG", help="The language to review.")
@click.option("--brochure", "brochure_id", metavar="ID", help="Only this brochure's texts.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xliff", "docx"]),
    help="XLIFF 1.2 (CAT tools) or DOCX (Word); default: from the output's suffix.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def catalog_export(
    project_dir: Path, lang: str, brochure_id: str | None, fmt: str | None, output: Path
) -> None:
    """Write a language's texts for review outside the web page (XLIFF or DOCX)."""
    from brochures.content.project import load_project
    from brochures.review.exchange import export

    fmt = fmt or {".docx": "docx"}.get(output.suffix.lower(), "xliff")
    count = export(load_project(project_dir), lang, brochure_id, fmt, output)
    click.echo(
        ngettext(
            "wrote {path} ({count} text, {format})", "wrote {path} ({count} texts, {format})", count
        ).format(path=output, count=count, format=fmt)
    )


@catalog_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reviewer", metavar="NAME", help="Who reviewed (needed for reviewed texts).")
@click.pass_obj
def catalog_import(project_dir: Path, file: Path, reviewer: str | None) -> None:
    """Apply a reviewed XLIFF or DOCX file; exit 1 if texts were refused by a message check."""
    from rich.console import Console
    from rich.table import Table

    from brochures.content.project import load_project
    from brochures.review.exchange import import_file

    report = import_file(load_project(project_dir), file, reviewer)
    for entry_id in report.outdated:
        click.echo(
            _("{file}: {id}: the German changed since the export; written as outdated").format(
                file=file, id=entry_id
            )
        )
    for entry_id, checks in report.refused:
        for check in checks:
            if check["severity"] == "error":
                click.echo(
                    _("{file}: {id}: refused: {check}: {detail}").format(
                        file=file, id=entry_id, check=check["check"], detail=check["detail"]
                    )
                )
    counts = report.counts()
    table = Table(_("applied"), _("unchanged"), _("outdated"), _("refused"))
    table.add_row(*(str(counts[k]) for k in ("applied", "unchanged", "outdated", "refused")))
    Console().print(table)
    if report.refused:
        sys.exit(1)


@cli.command("status")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANG",
    help="Only this language (repeatable); --texts needs exactly one.",
)
@click.option("--brochure", "brochure_id", metavar="ID", help="Only this brochure's texts.")
@click.option(
    "--texts",
    "list_texts",
    is_flag=True,
    help="List each text of the language: id, state, German, where it appears, last reviewer.",
)
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["reviewed", "unreviewed", "outdated", "missing"]),
    help="With --texts: only texts in this state (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status_command(
    project_dir: Path,
    langs: tuple[str, ...],
    brochure_id: str | None,
    list_texts: bool,
    states: tuple[str, ...],
    as_json: bool,
) -> None:
    """Per brochure and language: reviewed, unreviewed, outdated and missing translations; with
    --texts, the texts themselves."""
    import json

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from brochures.content.project import load_project
    from brochures.rendering.usage import status_report
    from brochures.translation.catalogs import State, lag

    project = load_project(project_dir)
    console = Console(highlight=False)
    behind = _behind_line(lag(project, langs or project.settings.languages))
    if list_texts:
        from brochures.review.listing import texts

        if len(langs) != 1:
            raise click.UsageError(_("--texts lists one language: give --lang LANG once"))
        rows = texts(project, langs[0], brochure_id, [State(s) for s in states])
        if as_json:
            click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        else:
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
            table.add_column(_("text"), no_wrap=True)
            table.add_column(_("state"), no_wrap=True, min_width=10)
            table.add_column(_("reviewed by"), no_wrap=True, min_width=11)
            table.add_column(_("appears in"), overflow="fold", min_width=24, max_width=40)
            table.add_column(
                _("German"), no_wrap=True, overflow="ellipsis", min_width=20, max_width=50
            )
            for row in rows:
                who = f"{row.reviewer}, {row.reviewed_on}" if row.reviewer else ""
                # a template string's id is its German text: shown once, shortened
                ident = _shorten(row.id, 40) if row.german == row.id else row.id
                german = "" if row.german == row.id else _shorten(row.german, 48)
                table.add_row(ident, _(row.state.value), who, ", ".join(row.brochures), german)
            if not console.is_terminal:  # piped into a file or a pager: whole lines
                console.width = max(console.width, 160)
            console.print(table)
            console.print(
                ngettext("{count} text", "{count} texts", len(rows)).format(count=len(rows))
            )
    else:
        rows, summaries = status_report(project)
        rows = [
            r
            for r in rows
            if (not langs or r["language"] in langs)
            and (brochure_id is None or r["brochure"] == brochure_id)
        ]
        summaries = [x for x in summaries if not langs or x.language in langs]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            # Readable at 80 columns: a brochure's name on a line of its own above its
            # languages, so no column needs its width; a long name folds instead of being cut.
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            table.add_column(_("brochure / language"), overflow="fold")
            for state in State:
                table.add_column(_(state.value), justify="right", overflow="fold")
            table.add_column(_("complete"), justify="right", overflow="fold")
            for i, row in enumerate(rows):
                if i == 0 or rows[i - 1]["brochure"] != row["brochure"]:
                    table.add_row(row["brochure"], style="bold", end_section=False)
                preparing = " – " + _("in preparation") if row["in_preparation"] else ""
                table.add_row(
                    f"  {row['language']}{preparing}",
                    *(str(row[s.value]) for s in State),
                    f"{row['complete']:.0%}",
                    end_section=i + 1 < len(rows) and rows[i + 1]["brochure"] != row["brochure"],
                )
            console.print(table)
            for summary in summaries:
                values = {
                    "lang": summary.language,
                    "total": summary.total,
                    "share": f"{summary.counts[State.REVIEWED] / (summary.total or 1):.0%}",
                    "date": summary.last_reviewed,
                    "name": summary.last_reviewer,
                    **{s.value: summary.counts[s] for s in State},
                }
                console.print(
                    _(
                        "{lang}: {total} texts: {reviewed} reviewed, {unreviewed} unreviewed, "
                        "{outdated} outdated, {missing} missing"
                    ).format(**values),
                    markup=False,
                )
                if summary.last_reviewed:
                    line = _("  {share} reviewed; last reviewed {date} by {name}").format(**values)
                else:
                    line = _("  {share} reviewed; nothing reviewed yet").format(**values)
                console.print(line, markup=False)
    if behind:  # wrapped to the terminal's width; beside JSON on stderr
        Console(highlight=False, stderr=as_json).print(behind, markup=False)


# The names of the review states, for the catalogs of the tool's own messages.
STATE_NAMES = (N_("reviewed"), N_("unreviewed"), N_("outdated"), N_("missing"))


def _behind_line(lags) -> str | None:
    """One line saying which catalogs are behind the sources, with the command that helps;
    languages with the same numbers together."""
    if not lags:
        return None
    groups: dict[str, list[str]] = {}
    for found in lags:
        if found.no_catalog:
            what = _("no catalog yet")
        else:
            parts = []
            if found.new:
                parts.append(_("{count} new").format(count=found.new))
            if found.changed:
                parts.append(_("{count} changed").format(count=found.changed))
            if found.removed:
                parts.append(_("{count} removed").format(count=found.removed))
            what = ", ".join(parts)
        groups.setdefault(what, []).append(found.lang)
    details = "; ".join(f"{' '.join(langs)}: {what}" for what, langs in groups.items())
    return _(
        "the catalogs are behind the sources ({details}): run `brochures catalog update`"
    ).format(details=details)


@cli.group("review", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--base-url",
    metavar="URL",
    help="The address reviewers use (e.g. https://review.example.org behind a reverse proxy).",
)
@click.pass_context
def review_group(ctx: click.Context, host: str, port: int, base_url: str | None) -> None:
    """Serve the review page: prints the office's link (every language), then serves until
    Ctrl-C. Logs go to stderr."""
    if ctx.invoked_subcommand is None:
        from brochures.review.server import serve

        serve(ctx.obj, host, port, base_url)


@review_group.command("invite")
@click.argument("langs", nargs=-1, required=True, metavar="LANG...")
@click.option("--name", required=True, help="The reviewer's name (recorded with each approval).")
@click.option("--base-url", metavar="URL", help="The address reviewers use.")
@click.pass_obj
def review_invite(project_dir: Path, langs: tuple[str, ...], name: str, base_url: str | None):
    """Create a reviewer link for LANG...; prints it as the last line."""
    from brochures.review.tokens import invite_link

    click.echo(invite_link(project_dir, list(langs), name, base_url))


@review_group.command("revoke")
@click.argument("name")
@click.pass_obj
def review_revoke(project_dir: Path, name: str) -> None:
    """End every link (and open session) of the reviewer NAME."""
    from brochures.review.tokens import revoke

    removed = revoke(project_dir, name)
    if not removed:
        click.echo(_("no link for '{name}'").format(name=name), err=True)
        sys.exit(1)
    click.echo(
        ngettext(
            "revoked {count} link of {name}", "revoked {count} links of {name}", removed
        ).format(count=removed, name=name)
    )


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
    """Import a council synopsis (two versions side by side) into the concept."""
    from brochures.content.synopsis import import_synopsis

    output = output or project_dir / "source" / "konzept.yaml"
    result = import_synopsis(synopsis, output, title=title, issuer=issuer)
    for problem in result.unmapped:
        click.echo(str(problem), err=True)
    for ident in result.dropped:
        click.echo(
            _("{output}: removed (no longer in the synopsis): {id}").format(
                output=output, id=ident
            ),
            err=True,
        )
    click.echo(
        (_("wrote: {path}") if result.written else _("unchanged: {path}")).format(path=output)
    )


@cli.command("proof")
@click.option(
    "--brochure",
    "brochures",
    multiple=True,
    metavar="ID",
    help="Only this brochure (repeatable). Default: all.",
)
@click.pass_obj
def proof_command(project_dir: Path, brochures: tuple[str, ...]) -> None:
    """Build what is out of date (screen, single and bilingual) and write a proof sheet per
    brochure, build/proof/<brochure>.pdf: every page of every language as labelled thumbnails."""
    from brochures.proof import proof

    for path in proof(project_dir, list(brochures)):
        click.echo(f"wrote {path}")


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--strict",
    is_flag=True,
    help="Also exit 1 when a screen PDF fails the accessibility gate (not PDF/UA-1).",
)
@click.pass_obj
def check_command(project_dir: Path, as_json: bool, strict: bool) -> None:
    """Message checks and quality gates of every PDF; exit 1 on any error.

    A PDF the last build made whose inputs and output are unchanged passed the gates with these
    inputs: its figures come from build/manifest.json. Screen PDFs that are new or changed are
    laid out and checked now; changed print PDFs are listed as changed. With --strict, a PDF
    that fails the accessibility gate is an error too."""
    import json

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from brochures.build import check_project
    from brochures.content.project import load_project
    from brochures.translation.catalogs import check_messages

    rows = check_messages(load_project(project_dir))
    report = check_project(project_dir)
    errors = [r for r in rows if r.severity == "error"]
    errors += [g for g in report.gates if g.severity == "error"]
    warnings = [r for r in rows if r.severity != "error"]
    warnings += [g for g in report.gates if g.severity == "warning"]
    if strict:
        errors += [g for g in report.gates if g.severity == "warning" and g.gate == "accessibility"]
    if as_json:
        data = {
            "messages": [r.__dict__ for r in rows],
            "gates": [g.__dict__ for g in report.gates],
            "pdfs": [p.__dict__ for p in report.pdfs],
            "left_out": [{"job": job, "why": why} for job, why in report.left_out],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        if errors:
            sys.exit(1)
        return
    console = Console(highlight=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=_("Messages"))
    for column in (_("language"), _("message"), _("severity"), _("check"), _("detail")):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r.lang, r.context, r.severity, r.check, r.detail)
    console.print(table if rows else _("Messages: no findings"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=_("PDFs"))
    table.add_column(_("PDF"), overflow="fold")
    table.add_column(_("pages"), justify="right")
    table.add_column(_("KB"), justify="right")
    table.add_column(_("texts"), overflow="fold")
    table.add_column(_("checked"), overflow="fold")
    table.add_column(_("PDF/UA"))
    checked = {
        "last build": _("last build"),
        "now": _("now"),
        "changed": _("changed"),
    }
    for p in report.pdfs:
        table.add_row(
            p.job,
            str(p.pages),
            str(max(1, round(p.bytes / 1024))),
            texts(p),
            checked[p.checked],
            "" if p.accessibility is None else _("yes") if not p.accessibility else _("no"),
        )
    console.print(table)
    for job, why in report.left_out:
        console.print(_("left out {name}: {why}").format(name=job, why=why), markup=False)
    if report.gates:
        table = Table(
            box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=_("Quality gates")
        )
        for column in (_("job"), _("severity"), _("gate"), _("detail")):
            table.add_column(column, overflow="fold")
        for g in report.gates:
            table.add_row(g.job, g.severity, g.gate, g.detail)
        console.print(table)
    if any(p.checked == "changed" for p in report.pdfs):
        console.print(
            _("changed: inputs changed since the last build; `brochures build` checks them")
        )
    console.print(
        ngettext("{count} error", "{count} errors", len(errors)).format(count=len(errors))
        + ", "
        + ngettext("{count} warning", "{count} warnings", len(warnings)).format(count=len(warnings))
    )
    if errors:
        sys.exit(1)


def texts(pdf: PdfRow) -> str:
    """What a PDF's texts are: all reviewed, or how many are not and how many show German."""
    if pdf.language == "de":
        return _("German original")
    words = {
        "unreviewed": _("{count} unreviewed"),
        "outdated": _("{count} outdated"),
        "missing": _("{count} missing"),
    }
    parts = [
        words[state].format(count=count)
        for state, count in pdf.review.items()
        if state in words and count
    ]
    if pdf.german:
        parts.append(_("{count} in German").format(count=pdf.german))
    return ", ".join(parts) or _("all reviewed")


@cli.command("impose")
@click.option("--brochure", "brochure_id", required=True, metavar="ID", help="The brochure.")
@click.option("--lang", required=True, metavar="LANG", help="The language of its screen PDF.")
@click.pass_obj
def impose_command(project_dir: Path, brochure_id: str, lang: str) -> None:
    """Put a booklet on A4 sheets for a desktop printer, into build/print/<brochure>/.

    The booklet's screen PDF is imposed onto A4 landscape sheets in saddle-stitch order: print
    both sides, fold, staple in the middle."""
    from brochures.content.project import load_project
    from brochures.errors import ConfigError, Problem
    from brochures.files import build_lock
    from brochures.languages import BROCHURE_LANGUAGES, language, not_among, spelled
    from brochures.rendering.impose import impose

    project = load_project(project_dir)
    if brochure_id not in project.brochures:
        raise ConfigError(project.unknown_brochure(brochure_id))
    lang = spelled(lang)  # fa_AF is fa-AF
    languages = project.languages_of(project.brochures[brochure_id])
    wrong = not_among(lang, languages, BROCHURE_LANGUAGES)
    if wrong:
        raise ConfigError(Problem(None, None, wrong))
    source = project.build_dir / "pdf" / brochure_id / f"{brochure_id}.{lang}.pdf"
    target = project.build_dir / "print" / brochure_id / f"{brochure_id}.{lang}.imposed.pdf"
    with build_lock(project.root):
        sides = impose(source, target, language(lang).direction == "rtl")
    click.echo(
        ngettext(
            "wrote {path} ({count} sheet side)", "wrote {path} ({count} sheet sides)", sides
        ).format(path=target.relative_to(project.root), count=sides)
    )


@cli.command("schema")
@click.argument(
    "kind", required=False, type=click.Choice(["project", "brochure", "concept", "glossary"])
)
@click.option(
    "--write",
    is_flag=True,
    help="Write every schema into the project's source/schemas/ (the files name them there).",
)
@click.pass_obj
def schema_command(project_dir: Path, kind: str | None, write: bool) -> None:
    """Print the JSON Schema of a kind of file (every key with its description; docs/files.md
    has the same as a table), for editors that complete and check YAML."""
    from brochures.content.schema import schema_text, write_schemas

    if write:
        for path in write_schemas(project_dir):
            click.echo(_("wrote {path}").format(path=path))
    elif kind is None:
        raise click.UsageError(_("name a kind (project, brochure, concept, glossary) or --write"))
    else:
        click.echo(schema_text(kind), nl=False)


@cli.group("new")
def new_group() -> None:
    """Start a new file from a commented template."""


@new_group.command("brochure")
@click.argument("brochure_id", metavar="ID")
@click.option("--format", "fmt", metavar="FORMAT", help="a5-booklet, a4-flyer, dl-trifold, ...")
@click.option(
    "--goals",
    required=True,
    metavar="ID,ID",
    help="The concept's goals it presents, comma-separated (ids from `brochures list`).",
)
@click.pass_obj
def new_brochure_command(project_dir: Path, brochure_id: str, fmt: str | None, goals: str) -> None:
    """Write source/brochures/ID.yaml with every key explained, to fill in."""
    from brochures.content.newfile import new_brochure
    from brochures.content.project import load_project

    project = load_project(project_dir)
    path = new_brochure(project, brochure_id, fmt, [g.strip() for g in goals.split(",") if g])
    click.echo(_("wrote {path}").format(path=path.relative_to(project.root)))
    click.echo(
        _(
            "next: fill in its title and audience, then `brochures catalog update` and "
            "`brochures build --brochure {id}`"
        ).format(id=brochure_id)
    )


@cli.command("doctor")
@click.pass_obj
def doctor_command(project_dir: Path) -> None:
    """Check the machine and name the fix for anything missing.

    Pango, HarfBuzz subsetting, fonts for every configured language, gettext, argostranslate
    and its models, write access to build/."""
    from rich.console import Console

    from brochures.content.project import load_project
    from brochures.doctor import diagnose

    project = load_project(project_dir)
    findings = diagnose(
        project.root, project.settings.languages, project.settings.print_color_profile
    )
    console = Console(highlight=False, soft_wrap=True)
    for f in findings:
        mark = "[green]" + _("ok") + "[/]     "
        if not f.ok:
            mark = (
                "[yellow]" + _("optional") + "[/]" if f.optional else "[red]" + _("missing") + "[/]"
            )
        console.print(f"{mark} {f.what}: {f.detail}" + (f"  → {f.fix}" if not f.ok else ""))
    if not all(f.ok or f.optional for f in findings):
        sys.exit(1)


@cli.command("translate")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANG",
    help="Translate only this language (repeatable). Default: every target language.",
)
@click.option(
    "--brochure",
    "brochures",
    multiple=True,
    metavar="ID",
    help="Only the texts of this brochure (repeatable). Default: every text.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Translate the engine's own entries again, even where the German is unchanged.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=0),
    help="CPU threads per model (default: argostranslate's setting, else the cores, at most 4).",
)
@click.option(
    "--beam-size",
    type=click.IntRange(min=1),
    help="Beam size (default: argostranslate's setting, 4; 1 is fastest).",
)
@click.pass_obj
def translate_command(
    project_dir: Path,
    langs: tuple[str, ...],
    brochures: tuple[str, ...],
    refresh: bool,
    threads: int | None,
    beam_size: int | None,
) -> None:
    """Fill missing translations with argostranslate, written as unreviewed (fuzzy) entries.

    Reviewed entries and a person's drafts are never changed; the engine's own entries are
    translated again when their German changed. Languages no installed model reaches are
    reported as needing a human translator."""
    from contextlib import ExitStack

    from brochures.content.project import load_project
    from brochures.translation.models import ROUTES_FILE, RouteCache
    from brochures.translation.translate import translate

    def load_engine():
        from brochures.translation.models import ArgosEngine

        return ArgosEngine(threads=threads, beam_size=beam_size)

    project = load_project(project_dir)
    routes = RouteCache(project.build_dir / ROUTES_FILE)
    bars, shown = ExitStack(), {}  # "bar": the rich Progress, then language → its task

    def progress(lang: str, done: int, total: int) -> None:
        """A bar per language, shown from the first batch on (rich is imported only then)."""
        if "bar" not in shown:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            columns = (TextColumn("{task.description:>4}"), BarColumn(), MofNCompleteColumn())
            console = Console(stderr=True, highlight=False)
            shown["bar"] = bars.enter_context(Progress(*columns, console=console))
        if lang not in shown:
            shown[lang] = shown["bar"].add_task(lang, total=total)
        shown["bar"].update(shown[lang], completed=done)

    with bars:
        report = translate(
            project,
            langs,
            brochures,
            load_engine=load_engine,
            unreachable=routes.unreachable,
            refresh=refresh,
            progress=progress,
        )
    if report.engine_loaded:
        routes.save([r.lang for r in report.languages if r.unreachable])
    for r in report.languages:
        kept = _(
            "kept {reviewed} reviewed, {drafts} drafts, {machine} machine translations"
        ).format(reviewed=r.reviewed, drafts=r.drafts, machine=r.machine)
        if r.unreachable:
            click.echo(
                ngettext(
                    "{lang}: needs a human translator: no installed model reaches '{lang}' "
                    "from German ({count} text without translation)",
                    "{lang}: needs a human translator: no installed model reaches '{lang}' "
                    "from German ({count} texts without translation)",
                    r.todo,
                ).format(lang=r.lang, count=r.todo)
            )
        elif r.translated:
            assert r.route is not None
            click.echo(
                _(
                    "{lang}: {translated} translated ({path}; {models}), {flagged} flagged; {kept}"
                ).format(
                    lang=r.lang,
                    translated=r.translated,
                    path=r.route.path,
                    models=r.route.models,
                    flagged=len(r.flagged),
                    kept=kept,
                )
            )
        else:
            click.echo(_("{lang}: nothing to translate; {kept}").format(lang=r.lang, kept=kept))
        for message_id, reason in r.flagged:
            click.echo(
                "  "
                + _("flagged {id}: {reason} (German is used until reviewed)").format(
                    id=message_id, reason=reason
                )
            )
    if report.engine_loaded:
        calls = report.engine_calls
        click.echo(
            ngettext("{count} engine call", "{count} engine calls", calls).format(count=calls)
        )
    else:
        click.echo(_("nothing to translate: no model was loaded"))


@cli.group("models")
def models_group() -> None:
    """Translation models (argostranslate packages) for `brochures translate`."""


@models_group.command("list")
@click.pass_obj
def models_list(project_dir: Path) -> None:
    """Installed language pairs, and which of the project's languages they reach."""
    from brochures.content.project import load_project
    from brochures.errors import ConfigError
    from brochures.translation.models import installed, packages_folder, reach

    models = installed()
    click.echo(_("installed in {folder}:").format(folder=packages_folder()))
    for model in models:
        click.echo(f"  {model.source}→{model.target}  {model.version}")
    if not models:
        click.echo("  " + _("none (brochures models install PATH.argosmodel)"))
    try:
        languages = load_project(project_dir).settings.languages
    except ConfigError:
        return  # not in a project: the pairs are all there is to say
    click.echo(_("the project's languages:"))
    for lang, route in reach(models, languages).items():
        how = (
            _("reached: {path}").format(path=route.path) if route else _("needs a human translator")
        )
        click.echo(f"  {lang:4} {how}")


@models_group.command("install")
@click.argument("package_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--online",
    "online_lang",
    metavar="LANG",
    help="Fetch the packages that reach LANG from German from the argos index (needs a network).",
)
def models_install(package_file: Path | None, online_lang: str | None) -> None:
    """Install a package file (PATH.argosmodel), or with --online LANG from the argos index."""
    from brochures.translation.models import install_file, install_online

    if (package_file is None) == (online_lang is None):
        raise click.UsageError(_("give either a package file or --online LANG"))
    done = [install_file(package_file)] if package_file else install_online(str(online_lang))
    for model, replaced in done:
        was = (
            " " + _("(replaced {versions})").format(versions=", ".join(m.version for m in replaced))
            if replaced
            else ""
        )
        click.echo(
            _("installed {pair} {version}").format(
                pair=f"{model.source}→{model.target}", version=model.version
            )
            + was
        )
    if online_lang and not done:
        click.echo(
            _("'{lang}' is already reached by the installed models").format(lang=online_lang)
        )


def main() -> None:
    """The `brochures` command. When it is done, the process leaves without Python's teardown of
    its modules and objects: that took 0.1 s after every command (a no-op build is 0.5 s)."""
    import signal

    if signal.getsignal(signal.SIGINT) is brochures._interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # imports done: click's turn
    try:
        cli(prog_name="brochures")
    except SystemExit as exc:
        leave(exc.code)
        raise


def leave(code: object) -> None:
    """Exit at once with the command's status, after what a normal exit does that matters here:
    the atexit handlers (logging, multiprocessing) and flushed output. Only when no other
    thread is left that a normal exit would wait for; otherwise the normal exit follows."""
    import atexit
    import threading

    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed to stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            status = status or 1
    os._exit(status)
