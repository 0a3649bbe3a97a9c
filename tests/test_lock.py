"""Versions tied to texts (issue 14, part 2): clauses.lock, `clauses bump`, `clauses lock`, the text
hash in the document properties and the register, and `register show --as-sent`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, invoke
from sqlalchemy import Column, MetaData, Table, create_engine

from clausegen import lock
from clausegen.library import clauses_dir, load_library
from clausegen.output import sha256
from clausegen.register import COLUMNS, Register, records
from clausegen.render import docx_custom_properties, docx_rows

SAAS = EXAMPLE_DEALS["saas-clinic-ae"]
DEAL_ID = "EXP-2026-0142"
SHIPPED = clauses_dir()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the shipped library, lock included, to edit."""
    return Path(shutil.copytree(SHIPPED, tmp_path / "clauses"))


#: A sentence put in front of a clause text: the rewording of the tests, whatever the text says.
ADDED = {"ru": "Стороны подтверждают изложенное ниже.",
         "en": "The Parties confirm the following."}
CLAUSE = "delivery-saas"  # in the annex of the SaaS example


def reword(root: Path, lang: str, clause_id: str = CLAUSE) -> None:
    path = root / lang / f"{clause_id}.txt"
    path.write_text(f"{ADDED[lang]} {path.read_text(encoding='utf-8')}", encoding="utf-8")


def version(root: Path, clause_id: str = CLAUSE) -> int:
    return load_library(root).get(clause_id).meta.version


def edit_entry(root: Path, old: str, new: str, clause_id: str = CLAUSE) -> None:
    """Replace ``old`` by ``new`` once, in the catalogue entry of ``clause_id``."""
    catalogue = root / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    start = text.index(f"- id: {clause_id}\n")
    assert old in text[start:]
    catalogue.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")


def docx_text(path: Path) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(path.read_bytes()))


def check(root: Path):
    return invoke("clauses", "check", "--clauses", root)


# ------------------------------------------------------------------ the lock and `clauses check`


def test_the_shipped_library_has_a_lock_that_matches_every_clause_version():
    assert (SHIPPED / lock.LOCK_NAME).is_file()
    assert lock.lock_problems(load_library(SHIPPED)) == []


def test_clauses_check_passes_on_the_shipped_library_without_a_note():
    result = invoke("clauses", "check")
    assert result.exit_code == 0 and "warning" not in result.stderr


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_clauses_check_fails_on_a_text_changed_without_a_new_version(library, lang):
    reword(library, lang)
    result = check(library)
    assert result.exit_code == 2
    assert (f"clause {CLAUSE}: text changed ({lang}) but version is still {version(library)}: "
            f"run `clausegen clauses bump {CLAUSE}`") in result.stderr


def test_clauses_check_fails_on_a_printed_title_changed_without_a_new_version(library):
    edit_entry(library, "en: ", "en: New ")
    result = check(library)
    assert result.exit_code == 2
    assert (f"clause {CLAUSE}: text changed (catalogue: title, numbering or when) but version is still "
            f"{version(library)}") in result.stderr


def test_clauses_check_fails_on_a_version_raised_by_hand_and_not_locked(library):
    old = version(library)
    edit_entry(library, f"version: {old}", f"version: {old + 1}")
    result = check(library)
    assert result.exit_code == 2
    assert f"clause {CLAUSE}: version {old + 1} is not in the lock: run `clausegen clauses lock`" in result.stderr


def test_a_library_without_a_lock_passes_check_with_a_note(library):
    (library / lock.LOCK_NAME).unlink()
    result = check(library)
    assert result.exit_code == 0
    assert "warning: no clauses.lock: versions are not tied to texts" in result.stderr


def test_a_lock_that_is_not_a_lock_is_a_problem_naming_the_file(library):
    (library / lock.LOCK_NAME).write_text("[1, 2]", encoding="utf-8")
    result = check(library)
    assert result.exit_code == 2 and f"{library / lock.LOCK_NAME}: not a clausegen lock file" in result.stderr


def test_a_lock_that_is_a_folder_is_a_problem_not_a_traceback(library):
    (library / lock.LOCK_NAME).unlink()
    (library / lock.LOCK_NAME).mkdir()
    result = check(library)
    assert result.exit_code == 2 and "cannot read the lock file: not a regular file" in result.stderr


# ------------------------------------------------------------------ `clauses bump`


def test_bump_raises_the_version_on_its_own_line_and_leaves_the_rest_of_the_catalogue_alone(library):
    before = (library / "catalogue.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    old = version(library)
    reword(library, "en")
    result = invoke("clauses", "bump", CLAUSE, "--clauses", library)
    assert result.exit_code == 0 and f"{CLAUSE}: version {old} -> {old + 1}" in result.stdout
    after = (library / "catalogue.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [(line, edited) for line, edited in zip(before, after) if line != edited]
    assert len(before) == len(after) and changed == [(f"  version: {old}\n", f"  version: {old + 1}\n")]
    assert version(library) == old + 1


def test_bump_locks_the_new_version_and_keeps_the_old_versions_hash(library):
    old = version(library)
    old_entry = json.loads((library / lock.LOCK_NAME).read_text())["clauses"][CLAUSE][str(old)]
    reword(library, "en")
    invoke("clauses", "bump", CLAUSE, "--clauses", library)
    versions = json.loads((library / lock.LOCK_NAME).read_text())["clauses"][CLAUSE]
    new = versions[str(old + 1)]
    assert versions[str(old)] == old_entry
    assert new == lock.entry(load_library(library).get(CLAUSE))
    assert new["en"] != old_entry["en"] and new["ru"] == old_entry["ru"]
    assert check(library).exit_code == 0


def test_bump_of_several_clauses_bumps_each_once(library):
    before = (version(library, "liability"), version(library, "definitions"))
    result = invoke("clauses", "bump", "liability", "definitions", "liability", "--clauses", library)
    assert result.exit_code == 0
    assert (version(library, "liability"), version(library, "definitions")) == (before[0] + 1, before[1] + 1)


def test_bump_of_an_unknown_clause_exits_2_and_changes_nothing(library):
    catalogue, locked = (library / "catalogue.yaml").read_bytes(), (library / lock.LOCK_NAME).read_bytes()
    result = invoke("clauses", "bump", "liability", "no-such-clause", "--clauses", library)
    assert result.exit_code == 2 and "no clause with id 'no-such-clause'" in result.stderr
    assert (library / "catalogue.yaml").read_bytes() == catalogue
    assert (library / lock.LOCK_NAME).read_bytes() == locked


# ------------------------------------------------------------------ `clauses lock`


def test_clauses_lock_writes_the_lock_of_a_library_without_one_with_the_shipped_locks_current_entries(library):
    (library / lock.LOCK_NAME).unlink()
    result = invoke("clauses", "lock", "--clauses", library)
    assert result.exit_code == 0 and f"{CLAUSE}@{version(library)}" in result.stdout
    written = json.loads((library / lock.LOCK_NAME).read_text())["clauses"]
    shipped = json.loads((SHIPPED / lock.LOCK_NAME).read_text())["clauses"]
    current = {c.id: str(c.meta.version) for c in load_library(SHIPPED).clauses.values()}
    assert written == {cid: {v: shipped[cid][v]} for cid, v in current.items()}


def test_clauses_lock_is_idempotent(library):
    first = invoke("clauses", "lock", "--clauses", library)
    data = (library / lock.LOCK_NAME).read_bytes()
    second = invoke("clauses", "lock", "--clauses", library)
    assert first.exit_code == second.exit_code == 0 and "up to date" in second.stdout
    assert (library / lock.LOCK_NAME).read_bytes() == data


def test_clauses_lock_refuses_a_locked_version_whose_text_changed_unless_forced(library):
    reword(library, "en")
    refused = invoke("clauses", "lock", "--clauses", library)
    assert refused.exit_code == 2 and f"run `clausegen clauses bump {CLAUSE}`" in refused.stderr
    forced = invoke("clauses", "lock", "--force", "--clauses", library)
    assert forced.exit_code == 0 and check(library).exit_code == 0


def test_clauses_lock_force_keeps_the_past_versions_entries(library):
    reword(library, "en")
    invoke("clauses", "bump", CLAUSE, "--clauses", library)
    before = json.loads((library / lock.LOCK_NAME).read_text())["clauses"][CLAUSE]
    reword(library, "ru")
    invoke("clauses", "lock", "--force", "--clauses", library)
    after = json.loads((library / lock.LOCK_NAME).read_text())["clauses"][CLAUSE]
    current = str(version(library))
    assert set(after) == set(before) and all(after[v] == before[v] for v in before if v != current)
    assert after[current] == lock.entry(load_library(library).get(CLAUSE)) != before[current]


# ------------------------------------------------------------------ documents and the register


def annex(out: Path, register: Path, library: Path | None = None) -> Path:
    args = ["annex", SAAS, "--company", COMPANY, "-o", out, "--register", register]
    result = invoke(*args, *(["--clauses", library] if library else []))
    assert result.exit_code == 0, result.output
    return out


def test_document_properties_record_the_text_hash_beside_each_clause_version(tmp_path):
    properties = docx_custom_properties(annex(tmp_path / "a.docx", tmp_path / "r.sqlite").read_bytes())
    shipped = load_library()
    pairs = [item.split("=") for item in properties["clausegen.clause_hashes"].split(";")]
    assert [name for name, _ in pairs] == properties["clausegen.clauses"].split(";")
    for name, digest in pairs:
        clause_id, version = name.split("@")
        assert shipped.get(clause_id).meta.version == int(version)
        assert digest == lock.text_hash(shipped.get(clause_id))


def test_the_register_row_records_the_text_hashes_and_keeps_each_text_once(tmp_path):
    out = annex(tmp_path / "a.docx", tmp_path / "r.sqlite")
    annex(out, tmp_path / "r.sqlite")
    properties = docx_custom_properties(out.read_bytes())
    store = Register(tmp_path / "r.sqlite")
    rows = store.history(DEAL_ID)
    expected = dict(item.split("=") for item in properties["clausegen.clause_hashes"].split(";"))
    assert rows[-1]["clause_hashes"] == dict(sorted(expected.items()))
    for digest in expected.values():
        kind, data = store.text(digest)
        assert kind == "clause" and sha256(data) == digest
    with sqlite3.connect(tmp_path / "r.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM texts WHERE kind = 'clause'").fetchone()[0] == len(expected)


def test_register_show_says_a_record_can_be_regenerated_as_sent(tmp_path):
    annex(tmp_path / "a.docx", tmp_path / "r.sqlite")
    result = invoke("register", "show", DEAL_ID, "--register", tmp_path / "r.sqlite")
    clauses = docx_custom_properties((tmp_path / "a.docx").read_bytes())["clausegen.clauses"].count("@")
    assert result.exit_code == 0
    assert f"clause texts kept: {clauses} (--record 1 --document KIND --as-sent" in result.stdout


def test_the_register_refuses_to_change_a_kept_text(tmp_path):
    annex(tmp_path / "a.docx", tmp_path / "r.sqlite")
    with sqlite3.connect(tmp_path / "r.sqlite") as connection, pytest.raises(sqlite3.DatabaseError,
                                                                            match="append-only"):
        connection.execute("UPDATE texts SET content = x'00'")


def test_as_sent_after_bump_and_reword_gives_the_old_wording_and_the_first_files_bytes(tmp_path, library):
    register = tmp_path / "r.sqlite"
    first = annex(tmp_path / "first.docx", register, library)
    reword(library, "en")
    assert invoke("clauses", "bump", CLAUSE, "--clauses", library).exit_code == 0
    second = annex(tmp_path / "second.docx", register, library)
    assert ADDED["en"] in docx_text(second) and first.read_bytes() != second.read_bytes()
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "--record", "1",
                    "-o", tmp_path / "as-sent.docx", "--register", register)
    assert result.exit_code == 0 and "identical to the one sent" in result.stdout
    assert (tmp_path / "as-sent.docx").read_bytes() == first.read_bytes()
    assert ADDED["en"] not in docx_text(tmp_path / "as-sent.docx")


def test_as_sent_of_the_latest_record_gives_its_bytes(tmp_path, library):
    register = tmp_path / "r.sqlite"
    annex(tmp_path / "first.docx", register, library)
    reword(library, "ru")
    invoke("clauses", "bump", CLAUSE, "--clauses", library)
    second = annex(tmp_path / "second.docx", register, library)
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert result.exit_code == 0 and "of record 2 as sent" in result.stdout
    assert (tmp_path / "x.docx").read_bytes() == second.read_bytes()


def test_as_sent_survives_a_changed_template(tmp_path):
    templates = Path(shutil.copytree(Path(__file__).resolve().parent.parent / "templates", tmp_path / "templates"))
    register = tmp_path / "r.sqlite"
    result = invoke("annex", SAAS, "--company", COMPANY, "-o", tmp_path / "a.docx", "--register", register,
                    "--templates", templates)
    assert result.exit_code == 0
    shutil.copy(templates / "letter.docx", templates / "annex.docx")  # the template is gone
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert (tmp_path / "x.docx").read_bytes() == (tmp_path / "a.docx").read_bytes()


def test_as_sent_regenerates_a_letter_of_a_pack(tmp_path):
    register = tmp_path / "r.sqlite"
    assert invoke("pack", SAAS, "--company", COMPANY, "-o", tmp_path / "pack", "--register", register).exit_code == 0
    result = invoke("register", "show", DEAL_ID, "--document", "notice", "--as-sent", "-o", tmp_path / "n.docx",
                    "--register", register)
    assert result.exit_code == 0
    assert (tmp_path / "n.docx").read_bytes() == (tmp_path / "pack" / f"{DEAL_ID}-notice.docx").read_bytes()


@pytest.mark.parametrize("command, kind", [(("annex", "--columns", "en,ru"), "annex"),
                                           (("letter", "notice", "--lang", "en"), "notice")])
def test_as_sent_keeps_the_column_order_and_the_letters_language(tmp_path, command, kind):
    register, out = tmp_path / "r.sqlite", tmp_path / "sent.docx"
    made = invoke(*command[:-2], SAAS, *command[-2:], "--company", COMPANY, "-o", out, "--register", register)
    assert made.exit_code == 0, made.output
    result = invoke("register", "show", DEAL_ID, "--document", kind, "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert result.exit_code == 0 and (tmp_path / "x.docx").read_bytes() == out.read_bytes()


def test_as_sent_of_a_document_the_record_does_not_hold_exits_1_naming_it(tmp_path):
    annex(tmp_path / "a.docx", tmp_path / "r.sqlite")
    result = invoke("register", "show", DEAL_ID, "--document", "refusal", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1 and f"no refusal of deal '{DEAL_ID}'" in result.stderr
    assert not (tmp_path / "x.docx").exists()


def test_as_sent_needs_the_document_and_an_output(tmp_path):
    annex(tmp_path / "a.docx", tmp_path / "r.sqlite")
    result = invoke("register", "show", DEAL_ID, "--as-sent", "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 2 and "--as-sent, --document and -o together" in result.output


def test_an_older_register_gains_the_columns_and_says_its_old_record_cannot_be_regenerated(tmp_path):
    made = tmp_path / "new.sqlite"
    annex(tmp_path / "a.docx", made)
    old_columns = [c for c in COLUMNS if c not in ("clause_hashes", "deal")]
    register = tmp_path / "old.sqlite"
    old = MetaData()
    Table("records", old, *[Column(name, records.c[name].type, primary_key=records.c[name].primary_key)
                            for name in old_columns])
    engine = create_engine(f"sqlite:///{register}")
    old.create_all(engine)
    engine.dispose()
    with sqlite3.connect(made) as source:
        row = source.execute(f"SELECT {', '.join(old_columns)} FROM records").fetchone()
    with sqlite3.connect(register) as connection:
        connection.execute(f"INSERT INTO records ({', '.join(old_columns)}) VALUES "
                           f"({', '.join('?' for _ in old_columns)})", row)
    for _ in range(2):  # the migration runs on every open
        rows = Register(register).history()
    assert rows[0]["clause_hashes"] is None and rows[0]["deal"] is None
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert result.exit_code == 1 and "cannot be regenerated as sent" in result.stderr
    annex(tmp_path / "b.docx", register)
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert result.exit_code == 0 and (tmp_path / "x.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_a_batch_keeps_the_texts_its_rows_name(tmp_path):
    from test_sheets import example, write_sheet

    from clausegen.batch import run_batch

    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae")])
    register = tmp_path / "r.sqlite"
    run_batch(sheet, tmp_path / "out", company=COMPANY, register=register)
    result = invoke("register", "show", DEAL_ID, "--document", "annex", "--as-sent", "-o", tmp_path / "x.docx",
                    "--register", register)
    assert result.exit_code == 0 and "identical to the one sent" in result.stdout
