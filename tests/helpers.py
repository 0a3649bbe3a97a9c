"""Shared helpers of the test suite: paths, deal fixtures built from one base deal, the CLI, row text.

conftest.py puts this folder on sys.path, so test modules ``import helpers``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
PACKAGE = ROOT / "clausegen"
EXAMPLES = ROOT / "examples"
COMPANY = EXAMPLES / "clausegen.yaml"
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
BASE_DEAL = DATA / "base-deal.yaml"
BROKEN_LIBRARY = DATA / "broken-library"

#: The example deals (file stem -> the decision `clausegen screen` must reach).
EXPECTED_DECISIONS = {
    "saas-clinic-ae": "proceed",
    "hardware-camera-vn": "proceed",
    "onprem-logistics-kz": "enhanced_due_diligence",
    "weights-research-in": "proceed_with_permission",
    "hold-vision-tr": "permission_required",
    "permission-speech-rs": "permission_required",
    "refuse-drone-xx": "refuse",
    "controlled-item-am": "outside_declaration",
    "licence-imaging-am": "proceed",
}
#: The examples that show the annex's branches (issue 12): a disclosed nuclear activity, a disclosed
#: vaccine business with a chatbot, and a development contract naming no end users.
EXPECTED_DECISIONS.update({
    "reactor-maintenance-hu": "enhanced_due_diligence",
    "saas-chatbot-vaccines-br": "proceed",
    "development-retail-my": "enhanced_due_diligence",
})
#: An annex sent with a commercial offer, before any contract (issue 15).
EXPECTED_DECISIONS["offer-ocr-bank-uz"] = "proceed"
EXAMPLE_DEALS = {stem: EXAMPLES / f"{stem}.yaml" for stem in EXPECTED_DECISIONS}
#: The examples whose decision allows an annex (each rendered once per session, with a golden text).
ANNEX_EXAMPLES = {stem: path for stem, path in EXAMPLE_DEALS.items()
                  if EXPECTED_DECISIONS[stem] not in ("permission_required", "refuse", "outside_declaration")}

#: Marks a key to remove in :func:`modified`.
DELETE = object()

#: "1." or "12.3." at the start of a cell, followed by a space.
NUMBER = re.compile(r"^(\d+\.(?:\d+\.)?)\s")


# ------------------------------------------------------------------ deals


def base_deal() -> dict[str, Any]:
    """A fresh copy of tests/data/base-deal.yaml as plain data."""
    return yaml.safe_load(BASE_DEAL.read_text(encoding="utf-8"))


def modified(data: dict[str, Any] | None = None, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A deep copy of ``data`` (default: the base deal) with dotted-path ``changes`` applied.

    ``{"counterparty.country": DELETE, "end_use.end_users.0.country": "KZ"}``: a
    digit part indexes a list; :data:`DELETE` removes the key.
    """
    result = copy.deepcopy(base_deal() if data is None else data)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = copy.deepcopy(value)
    return result


def write_deal(folder: Path, data: dict[str, Any], name: str = "deal.yaml") -> Path:
    """Write ``data`` as YAML (or JSON, by suffix) into ``folder``; return the path."""
    path = folder / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def validated(changes: dict[str, Any] | None = None, data: dict[str, Any] | None = None, *, strict: bool = False):
    """Validate the base deal with ``changes`` the way the CLI does (company profile included)."""
    from clausegen.api import load_profile
    from clausegen.sources import RawRecord
    from clausegen.validation import validate_deal

    return validate_deal(RawRecord(modified(data, changes), "deal.yaml"), load_profile(COMPANY), strict=strict)


def make_deal(changes: dict[str, Any] | None = None, data: dict[str, Any] | None = None):
    """The validated :class:`clausegen.model.Deal` of the base deal with ``changes``."""
    return validated(changes, data).deal


def screen(changes: dict[str, Any] | None = None, data: dict[str, Any] | None = None):
    """Screen the base deal with ``changes``."""
    from clausegen.screening import screen as run

    return run(make_deal(changes, data))


# ------------------------------------------------------------------ command line


def invoke(*args: Any, input: str | None = None) -> Result:
    """Run ``clausegen ARGS`` in-process (``input``: its standard input); an unexpected exception propagates
    as a test error."""
    from clausegen.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, input=input)


def lines_naming(stderr: str, needle: str) -> list[str]:
    """The lines of ``stderr`` that mention ``needle``."""
    return [line for line in stderr.splitlines() if needle in line]


def files_in(folder: Path) -> set[str]:
    """Every file name under ``folder`` (recursively, hidden files included)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ rendered text


def cell_number(text: str) -> str | None:
    """The clause number a cell begins with ("3." or "3.2."), or None."""
    found = NUMBER.match(text)
    return found.group(1) if found else None


def pairs(rows: list[list[str]]) -> list[tuple[str, str]]:
    """The two-column rows of the clause table (title, preamble, headings, paragraphs, signatures)."""
    return [(row[0], row[1]) for row in rows if len(row) == 2]


def row_line(row: list[str]) -> str:
    """One row as one line: cells joined by " | ", backslashes and newlines escaped."""
    return " | ".join(cell.replace("\\", "\\\\").replace("\n", "\\n") for cell in row)


def golden_text(deal_id: str, source: str, rows: list[list[str]]) -> str:
    """The golden dump of an annex: a header, then one line per row."""
    header = [
        f"# clausegen golden text: annex of {deal_id} rendered from {source} (columns ru,en)",
        "# One line per row of clausegen.render.docx_rows(); cells joined by \" | \"; a newline inside a",
        "# cell is written as \\n. Regenerate: python -m pytest tests/test_annex.py --update-golden",
    ]
    return "\n".join(header + [row_line(row) for row in rows]) + "\n"


def load_changed(path: Path, changes: dict[str, Any] | None = None) -> Any:
    """The validated deal of an example file, with ``changes`` (dotted paths, as :func:`modified`) applied."""
    from clausegen import api
    from clausegen.sources import RawRecord
    from clausegen.validation import validate_deal

    record = api.load_deal(path, COMPANY)
    if changes is None:
        return record.deal
    data = json.loads(record.deal.model_dump_json(exclude_none=True))
    return validate_deal(RawRecord(modified(data, changes), "deal.yaml"), api.load_profile(COMPANY)).deal


def modules_after_one_batch(source, out, *modules: str) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after a 1-worker batch of ``source`` with no
    register (one deal, generated): a batch must not import what it does not use."""
    import subprocess
    import sys

    script = ("import json, sys; from pathlib import Path; from clausegen.batch import run_batch; "
              f"result = run_batch(Path({str(source)!r}), Path({str(out)!r}), "
              f"company=Path({str(COMPANY)!r}), record=False, workers=1); "
              "assert result.counts['generated'] == 1, result.summary(); "
              f"print(json.dumps(sorted(set({list(modules)!r}) & set(sys.modules))))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def header_text(data: bytes) -> str:
    """The text of every running header of a DOCX as Word reads it: a no-break hyphen is a '-'."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for section in document.sections
                     for header in (section.first_page_header, section.header)
                     for paragraph in header.paragraphs)
