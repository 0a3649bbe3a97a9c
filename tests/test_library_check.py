"""`clausegen clauses check|list|show` (issue 2, item 4).

tests/data/broken-library/ holds one clause per defect (see its catalogue.yaml);
`check` must report each of them, naming the file, and exit 2.
"""

from __future__ import annotations

import shutil

import pytest
from helpers import BROKEN_LIBRARY, invoke, lines_naming

SHORT_CIRCUIT = (
    "BUG: clausegen/checks.py check_library returns only load_library's problems when the library "
    "does not load (a clause without its English text), so every other defect goes unreported"
)

#: (clause id, file the message names, words the message contains)
DEFECTS = {
    "missing-english": ("no-english", "en/no-english.txt", "has no en text"),
    "placeholders-differ": ("placeholder-mismatch", "placeholder-mismatch.txt", "placeholders differ"),
    "unknown-section": ("bad-section", "catalogue.yaml", "'9.9'"),
    "wrong-language": ("wrong-language", "ru/wrong-language.txt", "another language"),
    "jinja-syntax-error": ("syntax-error", "ru/syntax-error.txt", "does not compile"),
    "unknown-cross-reference": ("dangling-ref", "ru/dangling-ref.txt", "'nope'"),
    "condition-does-not-compile": ("bad-condition", "catalogue.yaml", "condition does not compile"),
}
LOADABLE_DEFECTS = {name: defect for name, defect in DEFECTS.items() if name != "missing-english"}


def reported(stderr: str, clause_id: str, file: str, words: str) -> bool:
    """Whether one line of ``stderr`` names the file and says ``words`` about ``clause_id``."""
    return any(file in line and words in line and clause_id in line for line in stderr.splitlines())


@pytest.fixture(scope="module")
def broken_check():
    """`clausegen clauses check` on the broken fixture library, run once."""
    return invoke("clauses", "check", "--clauses", BROKEN_LIBRARY)


@pytest.fixture(scope="module")
def loadable_broken_check(tmp_path_factory):
    """The same, on a copy of the broken library whose only load-level defect (the missing text) is repaired."""
    root = tmp_path_factory.mktemp("library") / "broken-library"
    shutil.copytree(BROKEN_LIBRARY, root)
    (root / "en" / "no-english.txt").write_text(
        "The Counterparty shall comply with export control law when it uses the AI Solution.\n", encoding="utf-8"
    )
    return invoke("clauses", "check", "--clauses", root)


def test_check_passes_on_the_shipped_library():
    result = invoke("clauses", "check")
    assert result.exit_code == 0, result.stderr
    assert "no problems" in result.stdout
    assert result.stderr == ""


def test_check_fails_with_exit_2_on_the_broken_library(broken_check):
    assert broken_check.exit_code == 2
    assert "problem(s) found" in broken_check.stderr


@pytest.mark.parametrize(
    ("clause_id", "file", "words"),
    [
        pytest.param(*defect, id=name,
                     )
        for name, defect in DEFECTS.items()
    ],
)
def test_check_reports_every_defect_of_the_broken_library_in_one_run(broken_check, clause_id, file, words):
    assert reported(broken_check.stderr, clause_id, file, words), broken_check.stderr


@pytest.mark.parametrize(("clause_id", "file", "words"), list(LOADABLE_DEFECTS.values()), ids=list(LOADABLE_DEFECTS))
def test_check_reports_the_defect_when_the_library_loads(loadable_broken_check, clause_id, file, words):
    assert loadable_broken_check.exit_code == 2
    assert reported(loadable_broken_check.stderr, clause_id, file, words), loadable_broken_check.stderr


def test_check_does_not_report_the_sound_clause(loadable_broken_check):
    assert lines_naming(loadable_broken_check.stderr, "sound-clause") == []


def test_list_shows_every_clause_of_the_catalogue(library):
    result = invoke("clauses", "list")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert listed == set(library.clauses)


def test_show_prints_metadata_and_both_texts_of_a_clause(library):
    result = invoke("clauses", "show", "definitions")
    assert result.exit_code == 0
    clause = library.get("definitions")
    assert result.stdout.startswith(f"definitions (v{clause.meta.version}, annex")
    assert "Термины и определения / Definitions" in result.stdout
    ru, en = result.stdout.split("--- ru ---\n")[1].split("--- en ---\n")
    assert ru.strip() == clause.ru.strip()
    assert en.strip() == clause.en.strip()


def test_show_of_an_unknown_clause_exits_2_naming_it():
    result = invoke("clauses", "show", "nope")
    assert result.exit_code == 2
    assert "'nope'" in result.stderr
