"""The command line: parses arguments, calls :mod:`clausegen.api`, prints.

Errors are translated once, in :class:`_Group`: a :class:`ClausegenError`
becomes its message on stderr and its exit code (2 invalid input, 3 blocked
by screening, 1 any other failure).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import kinds
from .errors import ClausegenError, ExitCode, Problem
from .output import write_atomic

if TYPE_CHECKING:
    from . import api, checkrecord
    from .register import Register

# Each command imports the modules it uses when it runs: `clausegen annex --no-register` never imports
# SQLAlchemy, and only `serve` imports Flask (tests/test_cli_imports.py checks what importing this module
# brings in).

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


def _pdf() -> Any:
    """The PDF module (the commands' own ``pdf`` flag hides the name)."""
    from . import pdf

    return pdf


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


into_option = click.option("--into", type=_PATH, default=None, metavar="CONTRACT.docx",
                           help="Put the annex inside this document: at its paragraph [[clausegen:annex]] or "
                                "bookmark clausegen_annex, else after its end on a new page; as a section of "
                                "its own, the document's styles, numbering, headers and footers kept.")
register_option = click.option("--register", "register", default=None, metavar="PATH|URL",
                               help="The register: a SQLite file or a database URL (default: $CLAUSEGEN_REGISTER, "
                                    "else the company profile's register:, else clausegen-register.sqlite in the "
                                    "user's data folder).")
no_register_option = click.option("--no-register", is_flag=True, help="Do not record this generation in the register.")
pdf_option = click.option("--pdf", is_flag=True, help="Also write a PDF next to each DOCX (needs LibreOffice).")
versions_option = click.option(
    "--versions-from-register", is_flag=True,
    help="Use the clause versions the register recorded for this deal's offer (with the texts it kept), not the "
         "library's current ones: the annex of a contract signed on an offer says what the offer's annex said.")


def output_options(command: Any) -> Any:
    """The options of commands that write documents: PDF copies and the register."""
    for option in (pdf_option, no_register_option, register_option):
        command = option(command)
    return command


def _register(register: str | None, company: Path | None = None, *, must_exist: bool = False) -> Register:
    """The register: --register, else $CLAUSEGEN_REGISTER, else the company profile's, else the user's data folder.

    ``must_exist``: for commands that only read it, a missing file is an error (exit 2), not a new register.
    """
    from . import api
    from .register import Register

    named = None
    if not register and not os.environ.get(kinds.REGISTER_ENV):
        record = api.profile_record(company)
        if record is not None:
            named = api.profile_register(record, api.validate_profile(record))
    return Register(register, profile_register=named, must_exist=must_exist)


def _open_register(register: str | None, no_register: bool, make_pdf: bool,
                   company: Path | None = None) -> Register | None:
    """Check, before any document is written, that what comes after the writing can succeed."""
    if make_pdf:
        _pdf().require()
    if no_register:
        return None
    store = _register(register, company)
    store.engine  # noqa: B018 - an unusable register fails here, not after the documents exist
    return store


def _record(store: Register | None, validated: Any, screening: Any, documents: list[api.Generated],
            paths: list[Path], *, command: str, source: Path, make_pdf: bool,
            check: checkrecord.Check | None = None, versions_from: int | None = None) -> None:
    """What every generating command does once its documents are written: PDFs, then the register."""
    from . import api

    if make_pdf:
        for made in _pdf().convert(paths):
            click.echo(f"{made}: PDF")
    if store is not None:
        files = {document.kind: str(path) for document, path in zip(documents, paths)}
        row = api.record(validated.deal, screening, documents, command=command, source=str(source),
                         register=store, files=files, check=check, versions_from=versions_from)
        click.echo(f"recorded in the register: {store.where} (row {row})", err=True)


def input_options(command: Any) -> Any:
    """The options every generating command shares: profile, library, templates, strictness, the check."""
    for option in (strict_option, templates_option, clauses_option, company_option, *check_options):
        command = option(command)
    return command


check_options = (
    click.option("--user", default=None, envvar=kinds.USER_ENV, show_envvar=True,
                 help="Who generates, for the register (default: the OS user)."),
    click.option("--prepared-by", default=None, metavar="NAME",
                 help="Who prepared the check, when neither the deal (screening.prepared_by) nor the company "
                      "profile (compliance_officer) names one."),
    click.option("--date", "check_date", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
                 help="Date of the check, when the deal records none (screening.date); default today."),
)


def _check(deal: Any, screening: Any, options: dict[str, Any], store: Register | None) -> checkrecord.Check:
    """When and by whom the check was made; an approval of this decision comes from the register."""
    from . import checkrecord

    approval = store.approval(deal.deal_id, str(screening.decision)) if store is not None else None
    when = options.get("check_date")
    return checkrecord.resolve(deal, date=when.date() if when else None, prepared_by=options.get("prepared_by"),
                               user=options.get("user"), approval=approval)


def _screened(deal: Path, company: Path | None, strict: bool) -> tuple[Any, Any]:
    from . import api

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
@versions_option
@into_option
@input_options
@output_options
def annex(deal: Path, output: Path, columns: tuple[str, str], into: Path | None, company: Path | None,
          clauses_dir: Path | None, templates_dir: Path | None, strict: bool, register: str | None,
          no_register: bool, pdf: bool, versions_from_register: bool, **check: Any) -> None:
    """Generate the bilingual export-control annex for DEAL (with --into, inside the contract or offer)."""
    from . import api

    validated, screening = _screened(deal, company, strict)  # an invalid deal touches no register
    generated, kept = _generated("annex", validated, screening, clauses_dir, templates_dir, columns, register, company,
                                 no_register, versions_from_register)
    if into is not None:
        generated = api.annex_into(generated, into)
    docx = _docx_for(output)
    store = _open_register(register, no_register, pdf, company)
    write_atomic(docx, generated.data)
    inside = f" inside {into}" if into is not None else ""
    click.echo(f"{docx}: annex with {len(generated.clauses)} clauses{inside}, sha256 {generated.sha256[:16]}")
    _record(store, validated, screening, [generated], [docx], command="annex", source=deal,
            make_pdf=pdf or docx != output, check=_check(validated.deal, screening, check, store), versions_from=kept)


def _generated(kind: str, validated: Any, screening: Any, clauses_dir: Path | None, templates_dir: Path | None,
               langs: tuple[str, ...], register: str | None, company: Path | None, no_register: bool,
               versions_from_register: bool, check: checkrecord.Check | None = None) -> tuple[api.Generated, int | None]:
    """The annex or letter of ``kind``: from today's library, or from the clause versions the register
    recorded for the deal's offer (and the record they come from)."""
    from . import api, library as lib

    library = lib.load_library(clauses_dir)
    if not versions_from_register:
        if kind == "annex":
            return api.build_annex(validated.deal, screening, library, templates_dir, (langs[0], langs[1])), None
        lang = "both" if len(langs) == 2 else langs[0]
        return api.build_letter(kind, validated.deal, screening, library, templates_dir, lang, check), None
    if no_register:
        raise click.UsageError("--versions-from-register reads the register: it cannot go with --no-register")
    from . import sent  # the register's reader: SQLAlchemy only when asked for

    kept = sent.with_offer_versions(_register(register, company, must_exist=True), validated.deal, screening, kind,
                                    library, templates_dir, langs, check)
    for note in kept.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"clause versions of record {kept.record} (the offer's) kept", err=True)
    return kept.document, kept.record


def _docx_for(output: Path) -> Path:
    """Where the DOCX goes: ``output``, or for ``-o NAME.pdf`` NAME.docx beside it (LibreOffice then makes
    NAME.pdf from it, so both are there), refused up front when LibreOffice is missing."""
    if output.suffix.lower() != ".pdf":
        return output
    if not _pdf().available():
        raise ClausegenError(f"{output}: a PDF is made by LibreOffice, which is not installed (no 'soffice' on "
                             f"PATH); install it (e.g. apt-get install libreoffice-writer-nogui), or write "
                             f"the DOCX with -o {output.with_suffix('.docx')}")
    return output.with_suffix(".docx")


@cli.command("activities")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (as in docs/deal-format.md).")
def activities_command(markdown: bool) -> None:
    """The activity tags of the deal format, grouped by the Annex 1 item they serve (19-22, then none)."""
    from . import activities as vocabulary

    if markdown:
        click.echo("| tag | Annex 1 item | Russian | English |\n| --- | --- | --- | --- |")
    for number, tags in vocabulary.by_item():
        if not markdown:
            click.echo(f"item {number}: {vocabulary.item_label(number, 'en')}" if number else "no Annex 1 item:")
        for tag in tags:
            ru, en = vocabulary.label(tag, "ru"), vocabulary.label(tag, "en")
            if markdown:
                click.echo(f"| `{tag}` | {number or '—'} | {ru} | {en} |")
            else:
                click.echo(f"  {tag:26} {en} / {ru}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the deal file."""
    from . import api

    click.echo(json.dumps(api.deal_schema(), ensure_ascii=False, indent=2))


@cli.command("sheet-template")
@click.option("-o", "--output", type=_PATH, required=True, help="The workbook to write (.xlsx).")
def sheet_template(output: Path) -> None:
    """Write an empty deal workbook for `clausegen batch`: every column, a filled example row,
    drop-downs for every choice, date and number formats, and an «Инструкция» sheet in Russian."""
    from .workbooks import sheet_template as write

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an Excel workbook: give a name ending in .xlsx", param_hint="-o")
    click.echo(f"{write(output)}: deal workbook with the sheets «Сделки», «Инструкция», «Списки»")


@cli.command()
@click.argument("deal", type=_EXISTING)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("-o", "--output", type=_PATH, default=None, help="Also write the screening report (.docx).")
@click.option("--register", "register", default=None, metavar="PATH|URL",
              help="Read the approval of the decision from this register, when it exists (default: as for "
                   "annex); screen records nothing.")
@input_options
def screen(deal: Path, as_json: bool, output: Path | None, company: Path | None, clauses_dir: Path | None,
           templates_dir: Path | None, strict: bool, register: str | None, **options: Any) -> None:
    """Screen DEAL against Annex 1 and the section 4 decision ladder."""
    from . import api, library as lib

    validated, screening = _screened(deal, company, strict)
    library = lib.load_library(clauses_dir)
    store = _register(register, company)
    store = store if store.exists() else None  # screen only reads approvals: it creates no register
    check = _check(validated.deal, screening, options, store)
    summary = api.screening_summary(validated.deal, screening, library, check)
    if output is not None:
        report = api.build_report(validated.deal, screening, library, templates_dir, check)
        docx = _docx_for(output)
        write_atomic(docx, report.data)
        click.echo(f"{docx}: screening report, sha256 {report.sha256[:16]}", err=True)
        if docx != output:
            for made in _pdf().convert([docx]):
                click.echo(f"{made}: PDF", err=True)
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
    checked = summary["check"]
    preparer = (checked["prepared_by"] or {}).get("en", {}).get("name") or "not named"
    approver = (checked["approved_by"] or {}).get("en", {}).get("name") or (
        "NOT YET APPROVED" if checked["approval_pending"] else "not required")
    click.echo(f"Checked on {checked['date']} ({checked['date_source']}); prepared by {preparer}; "
               f"approved: {approver}")
    click.echo(f"Identification: {summary['identification']['label']['en']}")
    click.echo("Next steps:")
    for step in summary["next_steps"]:
        click.echo(f"  - {step['en']}")


@cli.command()
@click.argument("kind", type=click.Choice(kinds.LETTER_KINDS))
@click.argument("deal", type=_EXISTING)
@click.option("-o", "--output", type=_PATH, required=True, help="Where to write the letter (.docx).")
@click.option("--lang", type=click.Choice(["both", "ru", "en"]), default="both", show_default=True,
              help="Both languages side by side, or one.")
@versions_option
@input_options
@output_options
def letter(kind: str, deal: Path, output: Path, lang: str, company: Path | None, clauses_dir: Path | None,
           templates_dir: Path | None, strict: bool, register: str | None, no_register: bool, pdf: bool,
           versions_from_register: bool, **check: Any) -> None:
    """Generate a counterparty letter of KIND for DEAL."""
    validated, screening = _screened(deal, company, strict)
    langs = ("ru", "en") if lang == "both" else (lang,)
    docx = _docx_for(output)
    store = _open_register(register, no_register, pdf, company)
    checked = _check(validated.deal, screening, check, store)  # the letters of a refused deal bear its date
    generated, kept = _generated(kind, validated, screening, clauses_dir, templates_dir, langs, register, company,
                                 no_register, versions_from_register, checked)
    write_atomic(docx, generated.data)
    click.echo(f"{docx}: {kind} letter, sha256 {generated.sha256[:16]}")
    _record(store, validated, screening, [generated], [docx], command="letter", source=deal,
            make_pdf=pdf or docx != output, check=checked, versions_from=kept)


@cli.command()
@click.argument("deal", type=_EXISTING)
@click.option("-o", "--output", type=_PATH, required=True, help="Folder to write the documents into.")
@into_option
@input_options
@output_options
def pack(deal: Path, output: Path, into: Path | None, company: Path | None, clauses_dir: Path | None,
         templates_dir: Path | None, strict: bool, register: str | None, no_register: bool, pdf: bool,
         **options: Any) -> None:
    """Write the screening report, the annex (when allowed) and the recommended letters for DEAL
    (with --into, the annex inside the contract)."""
    from . import api, library as lib

    validated, screening = _screened(deal, company, strict)
    store = _open_register(register, no_register, pdf, company)
    check = _check(validated.deal, screening, options, store)
    documents = api.build_pack(validated.deal, screening, lib.load_library(clauses_dir), templates_dir, check,
                               into)
    if into is not None and not any(document.kind == "annex" for document in documents):
        click.echo(f"note: no annex for decision {screening.decision}, so nothing was put into {into}", err=True)
    paths = [output / document.filename for document in documents]
    for document, path in zip(documents, paths):  # everything is rendered before the first file is written
        write_atomic(path, document.data)
        click.echo(f"{path}: {document.kind}")
    click.echo(f"decision: {screening.decision}")
    _record(store, validated, screening, documents, paths, command="pack", source=deal, make_pdf=pdf, check=check)


def _parts(ctx: click.Context | None, param: click.Parameter | None, value: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [part for part in parts if part not in kinds.PACK_PARTS]
    if unknown or not parts:
        raise click.BadParameter(f"give some of {','.join(kinds.PACK_PARTS)}")
    return tuple(part for part in kinds.PACK_PARTS if part in parts)


@cli.command("batch")
@click.argument("source", type=_PATH)
@click.option("-o", "--output", type=_PATH, required=True, help="Folder for the documents and manifest.json.")
@click.option("-w", "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes rendering in parallel.")
@click.option("--force", is_flag=True, help="Regenerate every deal, even when nothing it depends on changed.")
@click.option("--documents", "parts", default=",".join(kinds.PACK_PARTS), show_default=True, callback=_parts,
              help="Which documents to make: report, annex, letters (comma-separated).")
@click.option("--sheet", default=None, metavar="NAME",
              help="The worksheet of an XLSX source; default «Сделки» or Deals, else the first with a deal_id column.")
@input_options
@output_options
def batch_command(source: Path, output: Path, workers: int, force: bool, parts: tuple[str, ...], sheet: str | None,
                  company: Path | None, clauses_dir: Path | None, templates_dir: Path | None, strict: bool,
                  register: str | None, no_register: bool, pdf: bool, user: str | None, prepared_by: str | None,
                  check_date: Any) -> None:
    """Generate the documents of every deal in SOURCE: a folder of deal files, a .csv or an .xlsx.

    Each deal goes to OUTPUT/<deal_id>/; OUTPUT/manifest.json lists every deal with its status,
    decision and files.  A deal whose inputs (deal, company profile, the clauses its documents
    use, templates) have not changed since the last run is left alone.  Exit code 0 when no deal
    failed (blocked deals are an outcome), 1 otherwise.
    """
    from . import batch as batching

    gc.enable()  # any number of deals: garbage is collected as usual (main() turned it off)
    bars: list[Any] = []
    notes: list[str] = []  # what is said of failed and blocked deals, after the bar: no outcome is kept

    def progress(outcome: Any, total: int) -> None:
        if not bars:  # a bar only on a terminal; piped output stays clean
            bars.append(click.progressbar(length=total, label="deals", file=sys.stderr, show_pos=True,
                                          hidden=not sys.stderr.isatty()))
        bars[0].update(1)
        if outcome.status == batching.FAILED:
            notes.append(f"failed: {outcome.source}" + (f" ({outcome.deal_id})" if outcome.deal_id else ""))
            notes.extend(f"  {problem}" for problem in outcome.problems)
        elif outcome.status == batching.BLOCKED:
            notes.append(f"blocked: {outcome.deal_id}: {outcome.decision}")
        notes.extend(f"  {warning}" for warning in outcome.warnings)

    try:
        result = batching.run_batch(source, output, company=company, clauses=clauses_dir, templates=templates_dir,
                                    workers=workers, force=force, parts=parts, strict=strict, register=register,
                                    record=not no_register, pdf=pdf, progress=progress, sheet=sheet,
                                    check_date=check_date.date() if check_date else None, prepared_by=prepared_by,
                                    user=user, keep_outcomes=False)
    except batching.BatchInterrupted as stop:
        if bars:
            bars[0].render_finish()
            bars.clear()
        click.echo(str(stop), err=True)  # one line, not a traceback from every worker
        sys.exit(int(stop.exit_code))
    finally:
        if bars:
            bars[0].render_finish()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in result.skipped:
        click.echo(f"skipped: {note}", err=True)
    for note in notes:
        click.echo(note, err=True)
    click.echo(result.summary())
    click.echo(f"manifest: {result.manifest}")
    if result.register is not None:
        first, last, rows = result.first_row, result.last_row, result.rows_recorded
        click.echo(f"recorded in the register: {result.register} "
                   + (f"(rows {first}-{last})" if rows > 1 else f"(row {first})" if rows else "(no new rows)"))
    if result.errors is not None:
        click.echo(f"failed rows, with their problems, to correct and run again: {result.errors}")
    if result.failed:
        sys.exit(int(ExitCode.FAILURE))


@cli.command()
@click.argument("documents", nargs=-1, required=True, type=_EXISTING)
@click.option("--deal", "deal_path", type=_PATH, default=None,
              help="The deal the documents were made for: compare every clause row with what its recorded "
                   "version renders for it, and know the deal's proper names exactly.")
@company_option
@clauses_option
def verify(documents: tuple[Path, ...], deal_path: Path | None, company: Path | None,
           clauses_dir: Path | None) -> None:
    """Lint generated DOCX files against the drafting rules: both columns say the same thing, each in
    its own script, no leaked codes, doubled punctuation, mixed quotes or date formats, defined terms
    capitalised, one number of working days, no reference to a missing clause, and (with --deal) every
    clause row as its clause renders for the deal.  Exit code 2 on any problem."""
    from .verify import load_expected, verify_file

    expected = load_expected(deal_path, company, clauses_dir) if deal_path is not None else None
    failed = False
    for document in documents:
        report = verify_file(document, expected)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(report.summary(), err=not report.ok)
        failed = failed or not report.ok
    if failed:
        sys.exit(int(ExitCode.INVALID_INPUT))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any address but loopback needs at least one user (clausegen users add) "
                   "and HTTPS in front (session cookies are Secure there).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Requests served at once by each process (waitress worker threads).")
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port (POSIX); rendering uses one core per process, so set it to "
                   "the number of cores.")
@click.option("--token", default=None, envvar="CLAUSEGEN_TOKEN", show_envvar=True,
              help="Shared token for scripts (Authorization: Bearer TOKEN; at least 16 characters); they act as "
                   "the sales user 'token'.")
@strict_option
@templates_option
@clauses_option
@company_option
@register_option
def serve(host: str, port: int, threads: int, processes: int, token: str | None, strict: bool,
          templates_dir: Path | None,
          clauses_dir: Path | None, company: Path | None, register: str | None) -> None:
    """Serve the deal form for a sales team on http://HOST:PORT/ (waitress; users sign in)."""
    from . import web  # Flask and waitress are imported only when serving

    gc.enable()  # a server runs for days: garbage is collected as usual (main() turned it off)

    web.serve(host, port, company, token, _register(register, company).url, clauses=clauses_dir,
              templates=templates_dir, strict=strict, threads=threads, processes=processes)


@cli.group(cls=_Group)
def register() -> None:
    """The register of deals (Declaration 5.3): list, show, export, approve."""




def filter_options(command: Any) -> Any:
    """Filters of `register list` and `register export`: check date range, decision, country, approval."""
    day = click.DateTime(["%Y-%m-%d"])
    for option in (
        click.option("--approval", type=click.Choice(kinds.APPROVAL_STATES), default=None,
                     help="Only deals whose decision is approved, pending approval, or needs none."),
        click.option("--country", default=None, metavar="XX", help="Only this counterparty country (ISO alpha-2)."),
        click.option("--decision", type=click.Choice(kinds.DECISIONS), default=None, help="Only this decision."),
        click.option("--to", "date_to", type=day, default=None, metavar="YYYY-MM-DD",
                     help="Only checks made on or before this date."),
        click.option("--from", "date_from", type=day, default=None, metavar="YYYY-MM-DD",
                     help="Only checks made on or after this date."),
    ):
        command = option(command)
    return command


def _filters(options: dict[str, Any]) -> dict[str, Any]:
    day = lambda value: value.date().isoformat() if value else None  # noqa: E731
    return {"date_from": day(options.get("date_from")), "date_to": day(options.get("date_to")),
            "decision": options.get("decision"), "country": options.get("country"),
            "approval": options.get("approval")}


@register.command("list")
@filter_options
@register_option
def register_list(register: str | None, **options: Any) -> None:
    """The latest record of every deal (filtered by check date, decision, country, approval)."""
    from .register import approval_state

    store = _register(register, must_exist=True)
    rows = store.latest(**_filters(options))
    approved = store.approved_deals()
    for row in rows:
        checked = row.get("check_date") or str(row["recorded_at"])[:10]
        click.echo(f"{row['deal_id']:24} {checked}  {row['decision']:24} {approval_state(row, approved):12} "
                   f"{row['counterparty_country']}  {row['counterparty_name_en']}  ({len(row['documents'])} documents)")
    click.echo(f"{len(rows)} deals, {store.count()} records in {store.where}", err=True)


@register.command("approve")
@click.argument("deal_id")
@click.option("--by", "name", required=True, help="Who approves (full name).")
@click.option("--position", default=None, help="The approver's position.")
@click.option("--user", default=None, envvar=kinds.USER_ENV, show_envvar=True,
              help="Who records the approval (default: the OS user).")
@register_option
def register_approve(deal_id: str, name: str, position: str | None, user: str | None, register: str | None) -> None:
    """Record the approval of DEAL_ID's latest decision; reports made afterwards show the approver."""
    from . import checkrecord

    if not name.strip():
        raise ClausegenError("--by: give the approver's name")
    store = _register(register, must_exist=True)
    approval = store.approve(deal_id, name.strip(), (position or "").strip() or None, checkrecord.current_user(user))
    click.echo(f"{deal_id}: decision {approval['decision']} approved by {approval['name']} "
               f"on {approval['approved_at'][:10]} (approval {approval['id']}, record {approval['record_id']})")


@register.command("show")
@click.argument("deal_id")
@click.option("--document", "kind", type=click.Choice(kinds.AS_SENT_KINDS), default=None,
              help="With --as-sent: which document to regenerate.")
@click.option("--as-sent", is_flag=True, help="Regenerate the document as it was sent, from the deal, clause "
                                              "texts and template the register kept (needs --document and -o).")
@click.option("--record", "record_id", type=int, default=None, help="With --as-sent: this record, not the latest.")
@click.option("-o", "--output", type=_PATH, default=None, help="With --as-sent: where to write the document.")
@register_option
def register_show(deal_id: str, kind: str | None, as_sent: bool, record_id: int | None, output: Path | None,
                  register: str | None) -> None:
    """Every record of DEAL_ID, oldest first; or, with --as-sent, one document regenerated as it was sent."""
    if as_sent or kind or output or record_id is not None:
        _show_as_sent(deal_id, kind, as_sent, record_id, output, register)
        return
    store = _register(register, must_exist=True)
    rows = store.history(deal_id)
    if not rows:
        raise ClausegenError(f"no record of deal {deal_id!r} in the register")
    for row in rows:
        click.echo(f"record {row['id']}, {row['recorded_at']}, by '{row['command']}' from {row['source']}")
        if row.get("offer_number"):
            until = f", valid until {row['offer_valid_until']}" if row.get("offer_valid_until") else ""
            click.echo(f"  offer {row['offer_number']} of {row['offer_date']}{until}"
                       + (" (the documents are made for it)" if row.get("basis") == "offer" else " (the contract's basis)"))
        if row["contract_number"]:
            click.echo(f"  contract {row['contract_number']} of {row['contract_date']} ({row['contract_kind']}), "
                       f"annex {row['annex_number']}")
        else:
            click.echo(f"  contract not signed yet ({row['contract_kind']}), annex {row['annex_number']}")
        if row.get("versions_from"):
            click.echo(f"  clause versions kept from record {row['versions_from']}")
        click.echo(f"  counterparty {row['counterparty_name_en']} / {row['counterparty_name_ru']}, "
                   f"{row['counterparty_country']}")
        for user in row["end_users"]:
            click.echo(f"  end user {user['name']['en']} / {user['name']['ru']}, {user['country']}")
        click.echo(f"  solution {row['solution_name_en']} / {row['solution_name_ru']}, {row['delivery']}, "
                   f"export: {'yes' if row['is_export'] else 'no'}")
        click.echo(f"  decision {row['decision']}; indicators: "
                   + (", ".join(str(item['number']) for item in row["indicators"]) or "none"))
        if row["permission_number"]:
            click.echo(f"  permission {row['permission_number']} of {row['permission_date']}")
        for document in row["documents"]:
            click.echo(f"  {document['kind']:19} {document['file']}  sha256 {document['sha256']}")
        click.echo(f"  library {row['library_hash'][:16]}, clausegen {row['clausegen_version']}")
        if row.get("clause_hashes") is not None:
            click.echo(f"  clause texts kept: {len(row['clause_hashes'])} (--record {row['id']} --document KIND "
                       "--as-sent -o FILE regenerates a document as sent)")
        if row.get("check_date"):
            click.echo(f"  checked on {row['check_date']} ({row['check_date_source']}) by user {row['user_name']}; "
                       f"prepared by {row['prepared_by'] or '-'}; approved by {row['approved_by'] or '-'}")
    offers = [row["id"] for row in rows if row.get("basis") == "offer"]
    contracts = [row["id"] for row in rows if offers and row.get("basis") != "offer"]
    if offers and contracts:
        click.echo(f"offer and contract: records {', '.join(map(str, offers))} were made for the offer, "
                   f"{', '.join(map(str, contracts))} for the contract signed on it")
    approval = store.approval(deal_id)
    if approval:
        click.echo(f"approval {approval['id']}: {approval['decision']} approved by {approval['name']}"
                   + (f", {approval['position']}" if approval["position"] else "")
                   + f" on {approval['approved_at']} (recorded by {approval['user_name']})")


def _show_as_sent(deal_id: str, kind: str | None, as_sent: bool, record_id: int | None, output: Path | None,
                  register: str | None) -> None:
    if not (as_sent and kind and output):
        raise click.UsageError("regenerating a document takes --as-sent, --document and -o together")
    from . import sent

    result = sent.regenerate_as_sent(_register(register, must_exist=True), deal_id, kind, record_id)
    write_atomic(output, result.document.data)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    same = "identical to the one sent" if result.identical else f"NOT identical to the one sent ({result.sent_sha256})"
    click.echo(f"{output}: {kind} of record {result.record} as sent, sha256 {result.document.sha256}, {same}")


@register.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--latest", is_flag=True, help="Only the latest record of each deal (default: the whole history).")
@click.option("-o", "--output", type=_PATH, default=None, help="Write to this file instead of standard output.")
@filter_options
@register_option
def register_export(fmt: str, latest: bool, output: Path | None, register: str | None, **options: Any) -> None:
    """The register as CSV or JSON, for the authorised bodies (Declaration 6.1)."""
    import csv
    import io

    from .register import iter_csv_rows

    store = _register(register, must_exist=True)
    filters = _filters(options)
    rows = store.latest(**filters) if latest else store.filtered_history(**filters)
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(iter_csv_rows(rows))
        text = buffer.getvalue()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))
        click.echo(f"{output}: {len(rows)} records", err=True)


@cli.group(cls=_Group)
def clauses() -> None:
    """List, show, check, bump, lock, export and import the clause library."""


@clauses.command("list")
@clauses_option
def clauses_list(clauses_dir: Path | None) -> None:
    """List every clause: id, document, version, sections, condition."""
    from . import library as lib

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
    from . import library as lib

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
    from . import checks, lock

    library, problems = checks.check_library(clauses_dir)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(int(ExitCode.INVALID_INPUT))
    assert library is not None  # no problems means the library loaded
    _warn(lock.lock_notes(library))
    click.echo(f"{library.root}: {len(library.clauses)} clauses, no problems (library {library.fingerprint[:16]})")


@clauses.command("bump")
@click.argument("clause_ids", nargs=-1, required=True, metavar="ID [ID...]")
@clauses_option
def clauses_bump(clause_ids: tuple[str, ...], clauses_dir: Path | None) -> None:
    """Give each clause ID its next version (catalogue.yaml edited in place) and lock its text."""
    from . import lock

    for clause_id, old, new in lock.bump(list(clause_ids), clauses_dir):
        click.echo(f"{clause_id}: version {old} -> {new}")


@clauses.command("lock")
@click.option("--force", is_flag=True, help="Record the current texts under the current versions even where "
                                            "a locked version's text changed (a lock broken by a merge).")
@clauses_option
def clauses_lock(force: bool, clauses_dir: Path | None) -> None:
    """Write clauses.lock: the sha256 of every clause version's texts (adds the versions not yet locked)."""
    from . import lock

    path, added = lock.write_lock(clauses_dir, force=force)
    click.echo(f"{path}: " + (f"locked {', '.join(added)}" if added else "up to date"))


@clauses.command("export")
@click.option("-o", "--output", type=_PATH, required=True, help="The review document: NAME.docx or NAME.xlsx.")
@click.option("--format", "fmt", type=click.Choice(kinds.LIBRARY_FORMATS), default=None,
              help="docx (one bilingual document) or xlsx (one row per paragraph); default: from -o's suffix.")
@clauses_option
def clauses_export(output: Path, fmt: str | None, clauses_dir: Path | None) -> None:
    """Write the library as one bilingual review document for lawyers (edit it, then `clauses import`)."""
    from . import libdoc, library as lib

    path, count = libdoc.export_library(lib.load_library(clauses_dir), output, fmt)
    click.echo(f"{path}: {count} clauses")


@clauses.command("import")
@click.argument("document", type=_PATH)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@clauses_option
def clauses_import(document: Path, dry_run: bool, clauses_dir: Path | None) -> None:
    """Write back the clauses an edited review document (DOCX or XLSX) changed, each version bumped."""
    from . import libdoc

    result = libdoc.import_library(document, clauses_dir, dry_run=dry_run)
    for change in result.changes:
        click.echo(f"{change.id}: version {change.old_version} -> {change.new_version}")
        for line in change.lines:
            click.echo(f"  {line}")
        for warning in change.warnings:
            click.echo(f"  warning: {warning}", err=True)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{document}: {len(result.changes)} clause(s) {verb}, {result.unchanged} unchanged"
               + (" (dry run: nothing written)" if dry_run and result.changes else ""))


@cli.command("compare")
@click.argument("documents", nargs=-1, required=True, type=_PATH, metavar="SENT.docx RETURNED.docx")
@click.option("-o", "--output", type=_PATH, default=None,
              help="Write the redline here: the returned document with every change as a tracked change.")
@click.option("--against-register", is_flag=True,
              help="Give RETURNED.docx only: the sent document is regenerated from the register record its "
                   "properties name (deal, document, clause versions).")
@register_option
@clauses_option
def compare_command(documents: tuple[Path, ...], output: Path | None, against_register: bool, register: str | None,
                    clauses_dir: Path | None) -> None:
    """Compare a document the counterparty returned with the one sent: each changed row by clause, column
    and words on stdout, and with -o a Word redline (tracked changes by "clausegen"; the counterparty's
    own tracked changes kept as theirs).  Exit code 0 when nothing changed, 1 when something did."""
    from . import compare as comparing

    expected = 1 if against_register else 2
    if len(documents) != expected:
        raise click.UsageError("give SENT.docx and RETURNED.docx" if not against_register
                               else "with --against-register give RETURNED.docx only")
    if output is not None and output.suffix.lower() != ".docx":
        raise click.UsageError(f"-o {output}: the redline is a .docx")
    if against_register:
        (returned,) = comparing.read_files(documents[0])
        as_sent = comparing.sent_from_register(_register(register, must_exist=True), returned, str(documents[0]))
        for note in as_sent.notes:
            click.echo(f"note: {note}", err=True)
        sent_data, sent_name = as_sent.document.data, f"the {as_sent.document.kind} of record {as_sent.record}"
    else:
        sent_data, returned = comparing.read_files(*documents)
        sent_name = str(documents[0])
    result = comparing.compare_documents(sent_data, returned, sent_name=sent_name, returned_name=str(documents[-1]),
                                         library=comparing.clause_library(clauses_dir))
    if output is not None:
        write_atomic(output, result.redline)
    click.echo(result.summary())
    for change in result.changes:
        click.echo(f"  {change}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if output is not None:
        click.echo(f"{output}: redline" + (" (what changed tracked by clausegen, the counterparty's own tracked "
                                           "changes kept as theirs)" if result.changes else ", no change"))
    if result.changes:
        sys.exit(int(ExitCode.FAILURE))


@cli.group(cls=_Group)
def users() -> None:
    """The web form's users (kept in the register database): add, list, remove."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["sales", "legal", "admin"]), required=True,
              help="sales: fill, screen, download; legal: also approve decisions; admin: everything.")
@click.option("--display-name", default=None, metavar="TEXT",
              help="The name an approval is recorded under (e.g. «Соколов П. А.»); default NAME.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@register_option
def users_add(name: str, role: str, display_name: str | None, password_stdin: bool, register: str | None) -> None:
    """Add a user NAME with a password (asked twice, or read with --password-stdin)."""
    from . import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = _register(register)
    user = accounts.add_user(store, name, role, password, display_name)
    click.echo(f"added {user.name} ({user.role}) to {store.where}")


@users.command("list")
@register_option
def users_list(register: str | None) -> None:
    """Every user with their role (and a lock-out, if any)."""
    from . import accounts

    for user, locked in accounts.list_users(_register(register, must_exist=True)):
        shown = f" «{user.display_name}»" if user.display_name else ""
        click.echo(f"{user.name}\t{user.role}{shown}" + (f"\tlocked until {locked}" if locked else ""))


@users.command("remove")
@click.argument("name")
@register_option
def users_remove(name: str, register: str | None) -> None:
    """Remove the user NAME (their register rows keep their name; their session ends)."""
    from . import accounts

    store = _register(register, must_exist=True)
    accounts.remove_user(store, name)
    click.echo(f"removed {name} from {store.where}")


def main() -> None:
    """Console entry point.

    A command is one short process: what it imports and makes lives until it ends, so the cyclic
    garbage collector is off while it runs and everything is frozen on the way out (else the
    interpreter's last collection walks it all once more): those passes were about a fifth of a warm
    annex's CPU time.  Commands that run long turn collection back on (batch, serve).
    """
    gc.disable()
    try:
        cli(prog_name="clausegen")
    finally:
        gc.freeze()
