"""The command line: parses arguments, calls :mod:`clausegen.api`, prints.

Errors are translated once, in :class:`_Group`: a :class:`ClausegenError`
becomes its message on stderr and its exit code (2 invalid input, 3 blocked
by screening, 1 any other failure).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import api, checks
from . import library as lib
from .errors import ClausegenError, ExitCode, Problem
from .output import write_atomic

_PATH = click.Path(path_type=Path)
_EXISTING = click.Path(path_type=Path, exists=False, dir_okay=False)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClausegenError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(int(error.exit_code))


def _warn(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _columns(ctx: click.Context | None, param: click.Parameter | None, value: str) -> tuple[str, str]:
    parts = tuple(part.strip() for part in value.split(","))
    if sorted(parts) != ["en", "ru"]:
        raise click.BadParameter("give ru,en or en,ru")
    return parts  # type: ignore[return-value]


company_option = click.option("--company", type=_PATH, default=None,
                              help="Company profile (default: ./clausegen.yaml when present).")
clauses_option = click.option("--clauses", "clauses_dir", type=_PATH, default=None,
                              help="Use this clause library folder instead of the shipped one.")
templates_option = click.option("--templates", "templates_dir", type=_PATH, default=None,
                                help="Use this template folder instead of the shipped one.")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings (text in the wrong language) as errors.")


def input_options(command: Any) -> Any:
    """The options every generating command shares: profile, library, templates, strictness."""
    for option in (strict_option, templates_option, clauses_option, company_option):
        command = option(command)
    return command


def _screened(deal: Path, company: Path | None, strict: bool) -> tuple[Any, Any]:
    validated = api.load_deal(deal, company, strict=strict)
    _warn(validated.warnings)
    return validated, api.screen_deal(validated.deal)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clausegen", message="clausegen %(version)s")
def cli() -> None:
    """Export-control paperwork for Russian AI exporters: annexes, letters, screening."""


@cli.command()
@click.argument("deal", type=_EXISTING)
@click.option("-o", "--output", type=_PATH, required=True, help="Where to write the annex (.docx).")
@click.option("--columns", default="ru,en", show_default=True, callback=_columns,
              help="Column order: ru,en or en,ru.")
@input_options
def annex(deal: Path, output: Path, columns: tuple[str, str], company: Path | None, clauses_dir: Path | None,
          templates_dir: Path | None, strict: bool) -> None:
    """Generate the bilingual export-control annex for DEAL."""
    generated, validated = api.write_annex(deal, output, company=company, clauses=clauses_dir,
                                           templates=templates_dir, columns=columns, strict=strict)
    _warn(validated.warnings)
    click.echo(f"{output}: annex with {len(generated.clauses)} clauses, sha256 {generated.sha256[:16]}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the deal file."""
    click.echo(json.dumps(api.deal_schema(), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("deal", type=_EXISTING)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("-o", "--output", type=_PATH, default=None, help="Also write the screening report (.docx).")
@input_options
def screen(deal: Path, as_json: bool, output: Path | None, company: Path | None, clauses_dir: Path | None,
           templates_dir: Path | None, strict: bool) -> None:
    """Screen DEAL against Annex 1 and the section 4 decision ladder."""
    validated, screening = _screened(deal, company, strict)
    library = lib.load_library(clauses_dir)
    summary = api.screening_summary(validated.deal, screening, library)
    if output is not None:
        report = api.build_report(validated.deal, screening, library, templates_dir)
        write_atomic(output, report.data)
        click.echo(f"{output}: screening report, sha256 {report.sha256[:16]}", err=True)
    if as_json:
        click.echo(api.summary_json(summary))
        return
    click.echo(f"Deal {summary['deal_id']}")
    click.echo(f"Decision: {summary['decision']}")
    click.echo(f"Export under 2.1: {'yes' if summary['is_export'] else 'no (access without modification)'}")
    click.echo("Reasons:")
    for reason in summary["reasons"]:
        click.echo(f"  [{reason['section']}] {reason['en']}")
    click.echo("Indicators fired:" if summary["indicators"] else "Indicators fired: none")
    for item in summary["indicators"]:
        click.echo(f"  {item['number']:>2}. {item['title']['en']} / {item['title']['ru']} ({item['source']})")
        for evidence in item["evidence"]:
            click.echo(f"      {evidence}")
    for item in summary["not_applicable"]:
        click.echo(f"  {item['number']:>2}. not applicable: {item['note']}")
    if summary["clauses"]:
        click.echo("Annex clauses:")
        for clause in summary["clauses"]:
            number = f"{clause['number']}." if clause["number"] else "  "
            click.echo(f"  {number:>4} {clause['id']} v{clause['version']}: {clause['reason']}")
    else:
        click.echo("Annex: not allowed")
    click.echo("Letters recommended: " + (", ".join(summary["letters"]) or "none"))


@cli.command()
@click.argument("kind", type=click.Choice(api.LETTER_KINDS))
@click.argument("deal", type=_EXISTING)
@click.option("-o", "--output", type=_PATH, required=True, help="Where to write the letter (.docx).")
@click.option("--lang", type=click.Choice(["both", "ru", "en"]), default="both", show_default=True,
              help="Both languages side by side, or one.")
@input_options
def letter(kind: str, deal: Path, output: Path, lang: str, company: Path | None, clauses_dir: Path | None,
           templates_dir: Path | None, strict: bool) -> None:
    """Generate a counterparty letter of KIND for DEAL."""
    validated, screening = _screened(deal, company, strict)
    generated = api.build_letter(kind, validated.deal, screening, lib.load_library(clauses_dir), templates_dir, lang)
    write_atomic(output, generated.data)
    click.echo(f"{output}: {kind} letter, sha256 {generated.sha256[:16]}")


@cli.command()
@click.argument("deal", type=_EXISTING)
@click.option("-o", "--output", type=_PATH, required=True, help="Folder to write the documents into.")
@input_options
def pack(deal: Path, output: Path, company: Path | None, clauses_dir: Path | None, templates_dir: Path | None,
         strict: bool) -> None:
    """Write the screening report, the annex (when allowed) and the recommended letters for DEAL."""
    validated, screening = _screened(deal, company, strict)
    documents = api.build_pack(validated.deal, screening, lib.load_library(clauses_dir), templates_dir)
    for document in documents:  # everything is rendered before the first file is written
        write_atomic(output / document.filename, document.data)
        click.echo(f"{output / document.filename}: {document.kind}")
    click.echo(f"decision: {screening.decision}")


@cli.group(cls=_Group)
def clauses() -> None:
    """List, show and check the clause library."""


@clauses.command("list")
@clauses_option
def clauses_list(clauses_dir: Path | None) -> None:
    """List every clause: id, document, version, sections, condition."""
    library = lib.load_library(clauses_dir)
    for document in lib.DOCUMENTS:
        for clause in library.for_document(document):
            m = clause.meta
            click.echo(f"{m.id:34} {m.document:19} v{m.version}  {','.join(m.sections) or '-':22} {m.when}")


@clauses.command("show")
@click.argument("clause_id")
@clauses_option
def clauses_show(clause_id: str, clauses_dir: Path | None) -> None:
    """Show one clause's metadata and both texts."""
    clause = lib.load_library(clauses_dir).get(clause_id)
    m = clause.meta
    click.echo(f"{m.id} (v{m.version}, {m.document}, order {m.order}, numbering {m.numbering})")
    click.echo(f"title: {m.title.ru} / {m.title.en}")
    click.echo(f"sections: {', '.join(m.sections) or '-'}")
    click.echo(f"when: {m.when}")
    click.echo("--- ru ---\n" + clause.ru.rstrip() + "\n--- en ---\n" + clause.en.rstrip())


@clauses.command("check")
@clauses_option
def clauses_check(clauses_dir: Path | None) -> None:
    """Verify the library: both languages, placeholders, sections, language, syntax, references."""
    library, problems = checks.check_library(clauses_dir)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(int(ExitCode.INVALID_INPUT))
    assert library is not None  # no problems means the library loaded
    click.echo(f"{library.root}: {len(library.clauses)} clauses, no problems (library {library.fingerprint[:16]})")


def main() -> None:
    """Console entry point."""
    cli(prog_name="clausegen")
