"""The register of deals (issue 5; Declaration 5.3): what a row holds, append-only history, the
`register` commands, recording by annex/letter/pack, and concurrent writers losing nothing.

Every test names its own register file in tmp_path.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, EXPECTED_DECISIONS, invoke
from test_sheets import copies, example, write_sheet

from clausegen import api
from clausegen.batch import BatchResult, run_batch
from clausegen.library import load_library
from clausegen.output import sha256
from clausegen.register import COLUMNS, JSON_COLUMNS, Register
from clausegen.render import docx_custom_properties

SAAS = EXAMPLE_DEALS["saas-clinic-ae"]
REFUSED = EXAMPLE_DEALS["refuse-drone-xx"]


def deal_id(stem: str) -> str:
    return example(stem)["deal_id"]


def screened(stem: str):
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    return deal, api.screen_deal(deal)


# ------------------------------------------------------------------ what a row holds


@dataclass(frozen=True)
class Generated:
    out: Path
    register: Path
    result: BatchResult
    rows: dict[str, dict]  # deal_id -> its one row


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Generated:
    """The examples run through the batch into a fresh register."""
    folder = tmp_path_factory.mktemp("register-rows")
    sheet = write_sheet(folder / "deals.csv", [example(stem) for stem in EXAMPLE_DEALS])
    out, register = folder / "out", folder / "register.sqlite"
    result = run_batch(sheet, out, company=COMPANY, register=register)
    rows = Register(register).history()
    return Generated(out, register, result, {row["deal_id"]: row for row in rows})


def test_batch_records_one_row_per_deal_generated(generated):
    assert len(Register(generated.register).history()) == len(EXAMPLE_DEALS)
    assert set(generated.rows) == {deal_id(stem) for stem in EXAMPLE_DEALS}
    for outcome in generated.result.outcomes:
        row = generated.rows[outcome.deal_id]
        assert (row["id"], row["command"], row["source"]) == (outcome.register_id, "batch", outcome.source)


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_row_gives_the_contract_the_counterparty_the_end_users_and_the_solution(generated, stem):
    deal, screening = screened(stem)
    row = generated.rows[deal.deal_id]
    contract = deal.contract  # an offer deal has no contract number or date yet: empty in the row
    assert (row["contract_number"], row["contract_date"], row["contract_kind"], row["annex_number"]) == (
        contract.number or "", contract.date.isoformat() if contract.date else "", str(contract.kind),
        contract.annex_number)
    assert (row["basis"], row["offer_number"]) == (deal.basis, deal.offer.number if deal.offer else None)
    assert (row["counterparty_name_en"], row["counterparty_name_ru"], row["counterparty_country"]) == (
        deal.counterparty.name.get("en"), deal.counterparty.name.get("ru"), deal.counterparty.country)
    assert [(user["name"]["en"], user["country"]) for user in row["end_users"]] == [
        (user.name.get("en"), user.country) for user in deal.end_use.end_users]
    assert (row["solution_name_en"], row["solution_name_ru"], row["delivery"], row["is_export"]) == (
        deal.solution.name.get("en"), deal.solution.name.get("ru"), str(deal.solution.delivery), screening.is_export)


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_row_gives_the_decision_the_indicators_and_the_permission(generated, stem):
    deal, screening = screened(stem)
    row = generated.rows[deal.deal_id]
    assert row["decision"] == EXPECTED_DECISIONS[stem]
    assert [indicator["number"] for indicator in row["indicators"]] == list(screening.fired)
    assert [reason["section"] for reason in row["reasons"]] == [reason.section for reason in screening.reasons]
    permission = deal.permission
    assert (row["permission_number"], row["permission_date"]) == (
        (permission.number, permission.date.isoformat()) if permission and permission.number else (None, None))


def test_permission_of_the_deal_with_one_is_recorded(generated):
    row = generated.rows[deal_id("weights-research-in")]
    assert (row["permission_number"], row["permission_date"]) == ("ЭК-2026/1187", "2026-11-28")


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_row_documents_have_the_sha256_of_the_files_on_disk(generated, stem):
    row = generated.rows[deal_id(stem)]
    files = {entry["kind"]: entry["file"] for outcome in generated.result.outcomes
             if outcome.deal_id == row["deal_id"] for entry in outcome.files}
    assert [document["kind"] for document in row["documents"]] == list(files)
    for document in row["documents"]:
        path = Path(document["file"])
        assert path == generated.out / files[document["kind"]]
        assert sha256(path.read_bytes()) == document["sha256"]


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_row_lists_the_clauses_its_documents_record_and_the_library_hash(generated, stem):
    row = generated.rows[deal_id(stem)]
    recorded = set()
    for document in row["documents"]:
        properties = docx_custom_properties(Path(document["file"]).read_bytes())
        recorded |= {item for item in properties["clausegen.clauses"].split(";") if item}
        assert document["clauses"] == [item for item in properties["clausegen.clauses"].split(";") if item]
    assert row["clauses"] == sorted(recorded)
    assert row["library_hash"] == load_library().fingerprint


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize("stem", ["saas-clinic-ae", "onprem-logistics-kz"])
def test_batch_row_holds_the_deal_as_validated(generated, stem):
    # a batch stores the JSON it keyed the deal by; read back, it is the deal's data as validated
    deal, _ = screened(stem)
    assert generated.rows[deal.deal_id]["deal"] == deal.model_dump(mode="json")


def test_batch_row_stores_the_deal_as_one_json_object_text(generated):
    with sqlite3.connect(generated.register) as connection:
        kinds = connection.execute("SELECT DISTINCT typeof(deal), substr(deal, 1, 1) FROM records").fetchall()
    assert kinds == [("text", "{")]


def test_a_value_encoded_already_is_stored_as_it_is_and_others_are_encoded():
    from clausegen.kinds import EncodedJSON
    from clausegen.register import prepare_row

    deal, screening = screened("saas-clinic-ae")
    row = api.register_row(deal, screening, [], command="test", source="test", deal_json=deal.model_dump_json())
    prepared = prepare_row(row)
    assert type(prepared["deal"]) is str and prepared["deal"] == deal.model_dump_json()
    assert json.loads(prepared["reasons"]) == row["reasons"]
    assert isinstance(row["deal"], EncodedJSON)


def test_register_row_without_the_encoded_deal_holds_its_data():
    deal, screening = screened("saas-clinic-ae")
    assert api.register_row(deal, screening, [], command="test", source="test")["deal"] == deal.model_dump(mode="json")


@pytest.mark.parametrize("statement", [
    "UPDATE records SET decision = 'proceed' WHERE decision = 'refuse'",
    "DELETE FROM records WHERE decision = 'refuse'",
], ids=["update", "delete"])
def test_changing_or_deleting_a_row_is_refused_by_the_database(generated, tmp_path, statement):
    copy = tmp_path / "register.sqlite"
    copy.write_bytes(generated.register.read_bytes())  # the shared register stays as it was
    before = Register(copy).history()
    connection = sqlite3.connect(copy)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute(statement)
    finally:
        connection.close()
    assert Register(copy).history() == before


def test_a_row_cannot_be_overwritten_by_insert_or_replace(generated, tmp_path):
    copy = tmp_path / "register.sqlite"
    copy.write_bytes(generated.register.read_bytes())
    refused = generated.rows[deal_id("refuse-drone-xx")]
    columns = ", ".join(COLUMNS)
    others = ", ".join("'proceed'" if name == "decision" else name for name in COLUMNS)
    connection = sqlite3.connect(copy)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute(f"INSERT OR REPLACE INTO records ({columns}) SELECT {others} FROM records "
                               f"WHERE id = {refused['id']}")
            connection.commit()
    finally:
        connection.close()
    assert Register(copy).history(refused["deal_id"])[0]["decision"] == "refuse"


def test_regenerating_with_force_adds_rows_and_leaves_the_old_rows_as_they_were(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae"), example("refuse-drone-xx")])
    register = tmp_path / "register.sqlite"
    run_batch(sheet, tmp_path / "out", company=COMPANY, register=register)
    first = Register(register).history()
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--force", "--company", COMPANY, "--register", register)
    assert result.exit_code == 0, result.output
    history = Register(register).history()
    assert len(history) == 4
    assert history[:2] == first
    assert [row["deal_id"] for row in history[2:]] == [row["deal_id"] for row in first]


# ------------------------------------------------------------------ the register commands


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A register holding two records of each of two deals (the second run forced)."""
    folder = tmp_path_factory.mktemp("register-history")
    sheet = write_sheet(folder / "deals.csv", [example("saas-clinic-ae"), example("refuse-drone-xx")])
    register = folder / "register.sqlite"
    for force in (False, True):
        run_batch(sheet, folder / "out", company=COMPANY, register=register, force=force)
    return register


def test_register_show_of_an_unknown_deal_exits_1_naming_it(history):
    result = invoke("register", "show", "EXP-0000-0000", "--register", history)
    assert result.exit_code == 1
    assert "EXP-0000-0000" in result.stderr and "no record" in result.stderr
    assert result.stdout == ""


def test_register_show_prints_every_record_of_the_deal_oldest_first(history):
    result = invoke("register", "show", deal_id("refuse-drone-xx"), "--register", history)
    assert result.exit_code == 0, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("record ")]
    ids = [row["id"] for row in Register(history).history(deal_id("refuse-drone-xx"))]
    assert [heading.split(",")[0] for heading in headings] == [f"record {number}" for number in ids]
    assert "decision refuse" in result.stdout


def test_register_list_prints_the_latest_record_of_each_deal(history):
    result = invoke("register", "list", "--register", history)
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == sorted(
        [deal_id("saas-clinic-ae"), deal_id("refuse-drone-xx")])
    assert "2 deals, 4 records" in result.stderr


def test_register_export_json_parses_and_holds_every_row(history):
    result = invoke("register", "export", "--format", "json", "--register", history)
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    assert exported == Register(history).history()
    assert len(exported) == 4


def from_csv(name: str, cell: str):
    """A register value back from its CSV cell (nested columns are JSON, booleans true/false, none empty)."""
    if name in JSON_COLUMNS:
        return json.loads(cell)
    if name == "is_export":
        return {"true": True, "false": False}[cell]
    if name in ("id", "annex_number"):
        return int(cell) if cell else None
    return cell if cell else None


def test_register_export_csv_has_a_header_and_one_line_per_row_and_round_trips(history):
    result = invoke("register", "export", "--format", "csv", "--register", history)
    assert result.exit_code == 0, result.output
    rows = Register(history).history()
    assert len(result.stdout.splitlines()) == 1 + len(rows)
    header, *records = list(csv.reader(io.StringIO(result.stdout)))
    assert header == list(COLUMNS)
    assert [{name: from_csv(name, cell) for name, cell in zip(header, record)} for record in records] == rows


def test_register_export_latest_gives_the_newest_row_of_each_deal(history):
    result = invoke("register", "export", "--format", "json", "--latest", "--register", history)
    assert result.exit_code == 0, result.output
    newest = {}
    for row in Register(history).history():
        newest[row["deal_id"]] = row["id"]
    assert sorted((row["deal_id"], row["id"]) for row in json.loads(result.stdout)) == sorted(newest.items())


# ------------------------------------------------------------------ annex, letter and pack record


COMMANDS = {
    "annex": (("annex", SAAS, "-o", "{tmp}/annex.docx"), ["annex"]),
    "letter": (("letter", "notice", SAAS, "-o", "{tmp}/notice.docx"), ["notice"]),
    "pack": (("pack", REFUSED, "-o", "{tmp}/pack"), ["screening-report", "refusal"]),
}


def command_line(name: str, tmp_path: Path) -> list:
    arguments, _ = COMMANDS[name]
    return [str(argument).format(tmp=tmp_path) for argument in arguments] + ["--company", COMPANY]


@pytest.mark.parametrize("name", COMMANDS)
def test_generating_command_records_one_row_with_its_documents(tmp_path, name):
    register = tmp_path / "register.sqlite"
    result = invoke(*command_line(name, tmp_path), "--register", register)
    assert result.exit_code == 0, result.output
    (row,) = Register(register).history()
    assert row["command"] == name
    assert [document["kind"] for document in row["documents"]] == COMMANDS[name][1]
    for document in row["documents"]:
        assert sha256(Path(document["file"]).read_bytes()) == document["sha256"]
    assert f"(row {row['id']})" in result.stderr


@pytest.mark.parametrize("name", COMMANDS)
def test_generating_command_with_no_register_records_nothing(tmp_path, name):
    register = tmp_path / "register.sqlite"
    result = invoke(*command_line(name, tmp_path), "--no-register", "--register", register)
    assert result.exit_code == 0, result.output
    assert Register(register).count() == 0


def test_annex_with_an_unusable_register_exits_1_and_writes_no_annex(tmp_path):
    result = invoke(*command_line("annex", tmp_path), "--register", "nosuchdatabase://register")
    assert result.exit_code == 1
    assert "register" in result.stderr
    assert not (tmp_path / "annex.docx").exists()


# ------------------------------------------------------------------ concurrent writers


def test_two_workers_record_every_deal_once_in_input_order(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 20))
    register = tmp_path / "register.sqlite"
    result = run_batch(sheet, tmp_path / "out", company=COMPANY, register=register, workers=2,
                       parts=("annex",))
    assert not result.failed
    rows = Register(register).history()
    assert [row["deal_id"] for row in rows] == [f"EXP-COPY-{number:04d}" for number in range(1, 21)]
    assert [row["id"] for row in rows] == [outcome.register_id for outcome in result.outcomes]


def test_two_batch_processes_writing_one_register_at_once_lose_nothing(tmp_path):
    register = tmp_path / "register.sqlite"
    processes = []
    for prefix in ("EXP-LEFT", "EXP-RIGHT"):
        sheet = write_sheet(tmp_path / f"{prefix}.csv", copies("hardware-camera-vn", 10, prefix))
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "clausegen", "batch", str(sheet), "-o", str(tmp_path / prefix),
             "--documents", "annex", "--company", str(COMPANY), "--register", str(register)],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert "10 deals: 10 generated" in stdout
    rows = Register(register).history()
    assert len(rows) == 20
    assert len({row["id"] for row in rows}) == 20
    assert {row["deal_id"] for row in rows} == {f"{prefix}-{number:04d}" for prefix in ("EXP-LEFT", "EXP-RIGHT")
                                                for number in range(1, 11)}


#: A process that appends ROWS rows as fast as it can, once the parent says go.
APPENDER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from clausegen.register import Register

    register, prefix, rows, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    row = json.loads((folder / "row.json").read_text(encoding="utf-8"))
    (folder / f"ready-{prefix}").touch()
    deadline = time.monotonic() + 60
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    store = Register(register)
    ids = [store.record({**row, "deal_id": f"{prefix}-{number}"}) for number in range(rows)]
    print(json.dumps(ids))
""")


def test_two_processes_appending_to_a_new_register_at_once_lose_no_row(tmp_path):
    deal, screening = screened("saas-clinic-ae")
    (tmp_path / "row.json").write_text(json.dumps(api.register_row(deal, screening, [], command="test",
                                                                   source="test")), encoding="utf-8")
    register, rows = tmp_path / "register.sqlite", 40
    processes = {prefix: subprocess.Popen([sys.executable, "-c", APPENDER, str(register), prefix, str(rows),
                                           str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for prefix in ("left", "right")}
    try:
        while not all((tmp_path / f"ready-{prefix}").exists() for prefix in processes):
            assert all(process.poll() is None for process in processes.values()), "an appender died early"
            time.sleep(0.01)
        (tmp_path / "go").touch()
        ids = {}
        for prefix, process in processes.items():
            stdout, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr
            ids[prefix] = json.loads(stdout)
    finally:
        for process in processes.values():
            process.kill()
    recorded = Register(register).history()
    assert len(recorded) == 2 * rows
    assert sorted(row["id"] for row in recorded) == sorted(ids["left"] + ids["right"])
    assert len(set(ids["left"]) | set(ids["right"])) == 2 * rows
    assert {row["deal_id"] for row in recorded} == {f"{prefix}-{number}" for prefix in processes
                                                    for number in range(rows)}


def test_register_export_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(tmp_path):
    register = tmp_path / "register.sqlite"
    deal = tmp_path / "deal.yaml"
    text = EXAMPLE_DEALS["saas-clinic-ae"].read_text(encoding="utf-8")
    deal.write_text(text.replace("name: {en: Gulf Vision Analytics FZ-LLC}",
                                 "name: {en: '=HYPERLINK(\"http://evil.example\",\"Gulf\")'}", 1), encoding="utf-8")
    assert invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--register", register).exit_code == 0
    result = invoke("register", "export", "--format", "csv", "--register", register)
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
