"""Batch generation (issue 5): bad rows, regeneration by inputs key, stale documents, the manifest, the CLI.

Sheets are built in tmp_path from the example deals (see test_sheets.py).  Every run records into
a register in tmp_path, never into the session's or the checkout's.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import (COMPANY, EXAMPLE_DEALS, EXAMPLES, EXPECTED_DECISIONS, files_in, invoke,
                     modules_after_one_batch, write_deal)
from test_sheets import example, write_sheet

from clausegen.batch import BLOCKED, FAILED, GENERATED, UNCHANGED, BatchResult, run_batch
from clausegen.library import clauses_dir
from clausegen.register import Register
from clausegen.render import docx_custom_properties

DEAL_IDS = {stem: example(stem)["deal_id"] for stem in EXAMPLE_DEALS}
STEM_OF = {deal_id: stem for stem, deal_id in DEAL_IDS.items()}
BLOCKED_DECISIONS = {"permission_required", "refuse", "outside_declaration"}
ALLOWED_IDS = {DEAL_IDS[stem] for stem, decision in EXPECTED_DECISIONS.items() if decision not in BLOCKED_DECISIONS}
BLOCKED_IDS = set(DEAL_IDS.values()) - ALLOWED_IDS

#: A Russian sentence put in front of a clause's Russian text to reword it (same paragraphs, still Russian).
REWORDING = "Настоящая статья изложена в уточнённой редакции. "


def run(source: Path, out: Path, **options) -> BatchResult:
    """run_batch with the example company profile and a register next to ``out``."""
    options.setdefault("register", out.parent / "register.sqlite")
    return run_batch(source, out, company=COMPANY, **options)


def examples_sheet(folder: Path, name: str = "deals.csv") -> Path:
    """Every example deal, one per row (4 allowed, 3 blocked)."""
    return write_sheet(folder / name, [example(stem) for stem in EXAMPLE_DEALS])


def stats(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``out`` -> (mtime_ns, inode): a rewrite through a rename changes the inode."""
    return {str(path.relative_to(out)): (path.stat().st_mtime_ns, path.stat().st_ino)
            for path in sorted(out.rglob("*")) if path.is_file()}


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The files that appeared, disappeared or were written again between two :func:`stats`."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def by_id(result: BatchResult) -> dict[str, object]:
    return {outcome.deal_id: outcome for outcome in result.outcomes}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def recorded_clause_ids(document: Path) -> set[str]:
    """The clause ids a generated DOCX records in its custom properties."""
    recorded = docx_custom_properties(document.read_bytes()).get("clausegen.clauses", "")
    return {item.split("@")[0] for item in recorded.split(";") if item}


# ------------------------------------------------------------------ a sheet with good and bad rows


@dataclass(frozen=True)
class MixedRun:
    sheet: Path
    out: Path
    exit_code: int
    stderr: str


#: Row 3 has a country that is no ISO code, row 4 a date that is no date; rows 2 and 5 are sound.
BAD_CELLS = {3: "counterparty.country", 4: "contract.date"}


@pytest.fixture(scope="module", params=["csv", "xlsx"])
def mixed_run(request, tmp_path_factory) -> MixedRun:
    """`clausegen batch` on a sheet with two sound rows (one allowed, one refused) and two bad rows."""
    folder = tmp_path_factory.mktemp(f"mixed-{request.param}")
    deals = [
        example("saas-clinic-ae"),
        example("hardware-camera-vn", {"counterparty.country": "Vietnam"}),
        example("onprem-logistics-kz", {"contract.date": "31.02.2026"}),
        example("refuse-drone-xx"),
    ]
    sheet = write_sheet(folder / f"deals.{request.param}", deals)
    out = folder / "out"
    result = invoke("batch", sheet, "-o", out, "--company", COMPANY, "--register", folder / "register.sqlite")
    return MixedRun(sheet, out, result.exit_code, result.stderr)


def test_sheet_with_a_bad_row_exits_1(mixed_run):
    assert mixed_run.exit_code == 1, mixed_run.stderr


@pytest.mark.parametrize("row", sorted(BAD_CELLS))
def test_bad_row_message_names_the_row_and_the_column(mixed_run, row):
    lines = [line for line in mixed_run.stderr.splitlines() if f"row {row}, {BAD_CELLS[row]}:" in line]
    assert lines and all(mixed_run.sheet.name in line for line in lines), mixed_run.stderr


def test_sound_rows_of_a_sheet_with_bad_rows_are_still_generated(mixed_run):
    assert files_in(mixed_run.out / DEAL_IDS["saas-clinic-ae"]) == {
        f"{DEAL_IDS['saas-clinic-ae']}-{kind}.docx" for kind in ("screening", "annex", "notice")}
    assert f"{DEAL_IDS['refuse-drone-xx']}-refusal.docx" in files_in(mixed_run.out / DEAL_IDS["refuse-drone-xx"])
    assert not (mixed_run.out / DEAL_IDS["hardware-camera-vn"]).exists()
    assert not (mixed_run.out / DEAL_IDS["onprem-logistics-kz"]).exists()


def test_bad_rows_are_in_the_manifest_as_failed_with_their_problems(mixed_run):
    entries = {entry["source"]: entry for entry in manifest(mixed_run.out)["deals"]}
    for row, column in BAD_CELLS.items():
        entry = entries[f"{mixed_run.sheet}, row {row}"]
        assert entry["status"] == "failed"
        assert entry["files"] == []
        assert any(f"row {row}, {column}:" in problem for problem in entry["problems"]), entry
    assert entries[f"{mixed_run.sheet}, row 2"]["status"] == "generated"
    assert entries[f"{mixed_run.sheet}, row 5"]["status"] == "blocked"


def _errors_rows(mixed_run) -> list[list[str]]:
    if mixed_run.sheet.suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(mixed_run.out / "errors.xlsx", read_only=True)
        return [["" if v is None else str(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    import csv

    return list(csv.reader((mixed_run.out / "errors.csv").read_text(encoding="utf-8-sig").splitlines()))


def test_failed_rows_are_written_to_an_errors_sheet_of_the_sources_kind_beside_the_manifest(mixed_run):
    rows = _errors_rows(mixed_run)
    header = rows[0]
    assert header[:2] == ["Строка / Row", "Проблемы / Problems"] and "deal_id" in header
    assert [row[0] for row in rows[1:]] == ["3", "4"]
    for row in rows[1:]:
        column = BAD_CELLS[int(row[0])]
        assert row[1].startswith(f"{column}: "), row[1]  # in the sheet's own column name
        assert row[header.index("deal_id")] == example(("hardware-camera-vn", "onprem-logistics-kz")[int(row[0]) - 3])[
            "deal_id"]  # the row as it was given, ready to correct


def test_a_rerun_without_failed_rows_removes_the_previous_errors_sheet(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae", {"counterparty.country": "Emirates"})])
    out = tmp_path / "out"
    assert run(sheet, out).errors == out / "errors.csv"
    write_sheet(sheet, [example("saas-clinic-ae")])
    assert run(sheet, out).errors is None
    assert not (out / "errors.csv").exists()


def test_an_errors_csv_cell_that_would_run_as_a_formula_is_neutralised(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae", {"counterparty.country": "=1+1"})])
    result = run(sheet, tmp_path / "out")
    text = result.errors.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and ",=1+1" not in text


def test_a_folder_source_skips_a_json_schema_with_a_note(tmp_path):
    folder = tmp_path / "deals"
    folder.mkdir()
    shutil.copy(EXAMPLE_DEALS["saas-clinic-ae"], folder)
    (folder / "deal.schema.json").write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema"}')
    result = run(folder, tmp_path / "out")
    assert [o.status for o in result.outcomes] == ["generated"]
    assert result.skipped == [f"{folder / 'deal.schema.json'}: a JSON Schema, not a deal"]


# ------------------------------------------------------------------ regeneration: unchanged inputs


@dataclass(frozen=True)
class Rerun:
    out: Path
    register: Path
    first: BatchResult
    second: BatchResult
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    manifest_before: bytes
    rows_before: int


@pytest.fixture(scope="module")
def rerun(tmp_path_factory) -> Rerun:
    """The seven examples generated, then the same sheet run again with nothing changed."""
    folder = tmp_path_factory.mktemp("rerun")
    sheet, out, register = examples_sheet(folder), folder / "out", folder / "register.sqlite"
    first = run(sheet, out, register=register)
    before, manifest_before = stats(out), (out / "manifest.json").read_bytes()
    rows_before = Register(register).count()
    second = run(sheet, out, register=register)
    return Rerun(out, register, first, second, before, stats(out), manifest_before, rows_before)


def test_rerun_with_unchanged_inputs_rewrites_no_document(rerun):
    documents = {name for name in rerun.before if name.endswith(".docx")}
    assert documents and len(documents) == rerun.first.files_written
    assert rewritten(rerun.before, rerun.after) - {"manifest.json"} == set()


def test_rerun_with_unchanged_inputs_reports_every_deal_unchanged_or_blocked(rerun):
    assert {outcome.deal_id: outcome.status for outcome in rerun.second.outcomes} == {
        **{deal_id: UNCHANGED for deal_id in ALLOWED_IDS}, **{deal_id: BLOCKED for deal_id in BLOCKED_IDS}}
    assert rerun.second.files_written == 0


def test_rerun_with_unchanged_inputs_records_nothing_in_the_register(rerun):
    assert Register(rerun.register).count() == rerun.rows_before == len(EXAMPLE_DEALS)


def test_rerun_with_unchanged_inputs_leaves_the_manifest_untouched(rerun):
    assert rerun.after["manifest.json"] == rerun.before["manifest.json"]
    assert (rerun.out / "manifest.json").read_bytes() == rerun.manifest_before


def test_rerun_summary_says_0_files_written(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("hold-vision-tr")])
    arguments = ("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY, "--register",
                 tmp_path / "register.sqlite")
    # saas: report, annex, notice; hold: report, hold letter, notice (citing the draft), information request,
    # end-user statement
    assert "; 8 files written" in invoke(*arguments).stdout
    second = invoke(*arguments)
    assert second.exit_code == 0, second.output
    assert "2 deals: 0 generated, 1 unchanged, 1 blocked, 0 failed; 0 files written" in second.stdout


def test_document_deleted_by_hand_is_written_again_and_only_that_deal_regenerated(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("hardware-camera-vn")])
    out = tmp_path / "out"
    run(sheet, out)
    deleted = out / DEAL_IDS["hardware-camera-vn"] / f"{DEAL_IDS['hardware-camera-vn']}-notice.docx"
    deleted.unlink()
    second = run(sheet, out)
    assert {o.deal_id: o.status for o in second.outcomes} == {
        DEAL_IDS["saas-clinic-ae"]: UNCHANGED, DEAL_IDS["hardware-camera-vn"]: GENERATED}
    assert deleted.is_file()
    assert second.files_written == 1


# ------------------------------------------------------------------ regeneration: a reworded clause, --force


@pytest.mark.parametrize("clause_id", ["delivery-code-weights", "eus-particulars"])
def test_rewording_a_clause_regenerates_exactly_the_deals_whose_documents_use_it(tmp_path, clause_id):
    clauses = shutil.copytree(clauses_dir(), tmp_path / "clauses")
    sheet, out = examples_sheet(tmp_path), tmp_path / "out"
    first = run(sheet, out, clauses=clauses)
    using = {outcome.deal_id for outcome in first.outcomes
             if any(clause_id in recorded_clause_ids(out / entry["file"]) for entry in outcome.files)}
    assert using and using < set(DEAL_IDS.values())  # the clause tells deals apart
    before = stats(out)
    text = clauses / "ru" / f"{clause_id}.txt"
    text.write_text(REWORDING + text.read_text(encoding="utf-8"), encoding="utf-8")

    second = run(sheet, out, clauses=clauses)

    assert not second.failed, [outcome.problems for outcome in second.outcomes]
    # a blocked deal's letters (a hold's end-user statement) are made again too; its status stays "blocked"
    assert {outcome.deal_id for outcome in second.outcomes if outcome.status == GENERATED} == using & ALLOWED_IDS
    assert {name.split("/")[0] for name in rewritten(before, stats(out)) if name != "manifest.json"} == using


def test_force_regenerates_every_deal(rerun, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(rerun.out, out)
    forced = run(examples_sheet(tmp_path), out, force=True)
    assert {outcome.deal_id: outcome.status for outcome in forced.outcomes} == {
        **{deal_id: GENERATED for deal_id in ALLOWED_IDS}, **{deal_id: BLOCKED for deal_id in BLOCKED_IDS}}
    assert Register(tmp_path / "register.sqlite").count() == len(EXAMPLE_DEALS)  # each deal made and recorded anew


# ------------------------------------------------------------------ blocked and stale


def test_blocked_deal_is_in_the_manifest_and_register_with_its_decision_and_without_annex(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("refuse-drone-xx")])
    out, deal_id = tmp_path / "out", DEAL_IDS["refuse-drone-xx"]
    result = run(sheet, out)
    (entry,) = manifest(out)["deals"]
    assert (entry["status"], entry["decision"]) == ("blocked", "refuse")
    assert files_in(out / deal_id) == {f"{deal_id}-screening.docx", f"{deal_id}-refusal.docx"}
    (row,) = Register(tmp_path / "register.sqlite").history(deal_id)
    assert row["decision"] == "refuse"
    assert row["id"] == result.outcomes[0].register_id
    assert "annex" not in {document["kind"] for document in row["documents"]}


def test_annex_of_a_deal_refused_on_rerun_is_removed_and_the_refusal_written(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    deal_id = DEAL_IDS["saas-clinic-ae"]
    write_deal(deals, example("saas-clinic-ae"), "saas-clinic-ae.yaml")
    out = tmp_path / "out"
    run(deals, out)
    assert f"{deal_id}-annex.docx" in files_in(out / deal_id)

    write_deal(deals, example("saas-clinic-ae", {"knowledge": {"prohibited_use_known": True}}), "saas-clinic-ae.yaml")
    second = run(deals, out)

    assert (second.outcomes[0].status, second.outcomes[0].decision) == (BLOCKED, "refuse")
    assert files_in(out / deal_id) == {f"{deal_id}-screening.docx", f"{deal_id}-refusal.docx"}
    assert [entry["kind"] for entry in manifest(out)["deals"][0]["files"]] == ["screening-report", "refusal"]


def test_deal_file_failing_validation_does_not_stop_the_other_deals_of_a_folder(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    write_deal(deals, example("saas-clinic-ae"), "a-good.yaml")
    write_deal(deals, example("hardware-camera-vn", {"solution.delivery": "cloud"}), "b-invalid.yaml")
    (deals / "c-broken.yaml").write_text("deal_id: [unclosed\n", encoding="utf-8")
    write_deal(deals, example("onprem-logistics-kz"), "d-good.json")
    result = run(deals, tmp_path / "out")
    assert [(Path(o.source).name, o.status) for o in result.outcomes] == [
        ("a-good.yaml", GENERATED), ("b-invalid.yaml", FAILED), ("c-broken.yaml", FAILED), ("d-good.json", GENERATED)]
    assert any("b-invalid.yaml" in problem and "solution.delivery" in problem
               for problem in result.outcomes[1].problems)
    assert any("c-broken.yaml" in problem for problem in result.outcomes[2].problems)


def test_run_limited_to_annexes_keeps_the_reports_and_letters_of_an_earlier_full_run(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("refuse-drone-xx")])
    out = tmp_path / "out"
    run(sheet, out)
    before = files_in(out)
    run(sheet, out, parts=("annex",))
    assert before <= files_in(out)


# ------------------------------------------------------------------ duplicates


def test_duplicate_deal_id_in_a_sheet_fails_the_second_row_naming_the_first(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [
        example("saas-clinic-ae"), example("hardware-camera-vn"),
        example("onprem-logistics-kz", {"deal_id": DEAL_IDS["saas-clinic-ae"]})])
    result = run(sheet, tmp_path / "out")
    assert [outcome.status for outcome in result.outcomes] == [GENERATED, GENERATED, FAILED]
    (problem,) = result.outcomes[2].problems
    assert f"{sheet}, row 4, deal_id:" in problem
    assert f"already used by {sheet}, row 2" in problem
    assert (tmp_path / "out" / DEAL_IDS["saas-clinic-ae"] / f"{DEAL_IDS['saas-clinic-ae']}-notice.docx").is_file()


def test_rerun_of_a_sheet_with_a_duplicate_deal_id_leaves_the_first_row_unchanged(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [
        example("saas-clinic-ae"), example("onprem-logistics-kz", {"deal_id": DEAL_IDS["saas-clinic-ae"]})])
    run(sheet, tmp_path / "out")
    second = run(sheet, tmp_path / "out")
    assert [outcome.status for outcome in second.outcomes] == [UNCHANGED, FAILED]
    assert Register(tmp_path / "register.sqlite").count() == 1


# ------------------------------------------------------------------ the command line


def test_batch_output_has_no_progress_bar_when_not_on_a_terminal(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("hardware-camera-vn")])
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY,
                    "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    assert not re.search(r"deals\s+\[|\[[#-]+\]", result.output), result.output
    assert result.stderr == ""  # two sound deals: nothing to say but the summary, on stdout


def test_documents_annex_writes_only_annexes(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("refuse-drone-xx")])
    out = tmp_path / "out"
    result = invoke("batch", sheet, "-o", out, "--documents", "annex", "--company", COMPANY,
                    "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 0, result.output
    assert files_in(out) == {"manifest.json", f"{DEAL_IDS['saas-clinic-ae']}/{DEAL_IDS['saas-clinic-ae']}-annex.docx"}
    assert [entry["status"] for entry in manifest(out)["deals"]] == ["generated", "blocked"]


@pytest.mark.parametrize("register", ["nosuchdatabase://register", "://", "{tmp}/deals.csv"],
                         ids=["unknown-scheme", "no-url", "not-a-database"])
def test_unusable_register_exits_1_with_a_message_and_writes_no_document(tmp_path, register):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae")])
    register = register.format(tmp=tmp_path)
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY, "--register", register)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "register" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_manifest_is_json_whose_sha256_match_the_files(rerun):
    data = manifest(rerun.out)
    # The manifest records the state of the documents, so an unchanged run reads "generated".
    assert data["counts"] == {"generated": len(ALLOWED_IDS), "blocked": len(BLOCKED_IDS), "failed": 0}
    entries = [entry for deal in data["deals"] for entry in deal["files"]]
    assert {entry["file"] for entry in entries} == {name for name in rerun.after if name.endswith(".docx")}
    for entry in entries:
        assert hashlib.sha256((rerun.out / entry["file"]).read_bytes()).hexdigest() == entry["sha256"], entry["file"]


def test_output_that_is_a_file_exits_1_naming_it_and_leaves_nothing_behind(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae")])
    (tmp_path / "out").write_text("not a folder")
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY, "--no-register")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write ") and str(tmp_path / "out") in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deals.csv", "out"]


def test_no_staged_part_file_is_left_after_a_run_with_a_duplicate_deal_id(tmp_path):
    deal = example("saas-clinic-ae")
    sheet = write_sheet(tmp_path / "deals.csv", [deal, deal])
    out = tmp_path / "out"
    run(sheet, out, workers=2)
    assert not [path for path in out.rglob("*") if path.name.endswith(".part")]


def test_manifest_streamed_deal_by_deal_is_the_same_json_as_the_outcomes(tmp_path):
    out = tmp_path / "out"
    result = run(examples_sheet(tmp_path), out, workers=2)
    data = manifest(out)
    assert [entry["deal_id"] for entry in data["deals"]] == [outcome.deal_id for outcome in result.outcomes]
    assert data["deals"] == [outcome.manifest_entry() for outcome in result.outcomes]
    assert data["counts"] == {"generated": len(ALLOWED_IDS), "blocked": len(BLOCKED_IDS), "failed": 0}


def broken_library(tmp_path: Path) -> Path:
    """The clause library with two clauses (third and fourth in the catalogue) that cannot be rendered."""
    root = tmp_path / "clauses"
    shutil.copytree(clauses_dir(), root)
    for clause_id in ("definitions", "policy-acknowledgement"):
        for lang in ("ru", "en"):
            path = root / lang / f"{clause_id}.txt"
            path.write_text("{{ 1/0 }}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.mark.parametrize("count", [2, 3])
def test_the_library_check_shared_among_processes_finds_what_one_finds_in_its_order(tmp_path, count):
    from clausegen.checks import render_findings, render_problems
    from clausegen.library import load_library

    library = load_library(broken_library(tmp_path))
    whole = render_problems(library)
    assert len(whole) == 4  # two clauses, each in both languages: Russian first, then English
    shared = sorted((found for index in range(count) for found in render_findings(library, (index, count))),
                    key=lambda found: found[0])
    assert [str(problem) for _place, problem in shared] == [str(problem) for problem in whole]


def test_a_broken_library_is_refused_alike_by_one_worker_and_by_two_and_nothing_is_written(tmp_path):
    library = broken_library(tmp_path)
    said = []
    for workers in ("1", "2"):
        out, register = tmp_path / f"out-{workers}", tmp_path / f"register-{workers}.sqlite"
        result = invoke("batch", EXAMPLES, "-o", out, "--company", COMPANY, "--register", register,
                        "--clauses", library, "--workers", workers)
        assert result.exit_code == 2, result.stderr
        assert not out.exists() and not register.exists()
        said.append(result.stderr)
    assert said[0] == said[1] and said[0].count("division by zero") == 4, said


@pytest.mark.parametrize("workers", ["1", "2"])
def test_with_a_broken_library_and_an_unusable_register_the_library_is_named(tmp_path, workers):
    (tmp_path / "a-file").write_text("not a folder")
    common = ("batch", EXAMPLES, "-o", tmp_path / "out", "--company", COMPANY, "--workers", workers,
              "--register", tmp_path / "a-file" / "register.sqlite")
    broken = invoke(*common, "--clauses", broken_library(tmp_path))
    assert broken.exit_code == 2 and "division by zero" in broken.stderr and "cannot open" not in broken.stderr
    unusable = invoke(*common)
    assert unusable.exit_code == 1 and "cannot open the register" in unusable.stderr
    assert not (tmp_path / "out").exists()


def test_a_batch_without_a_register_does_not_import_sqlalchemy(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae")])
    assert modules_after_one_batch(sheet, tmp_path / "out", "sqlalchemy") == []
