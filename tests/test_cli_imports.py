"""What a command imports: only what it uses (a start-up a user waits for on every command).

Each check runs a fresh interpreter and reads its ``sys.modules``: a behaviour, not a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import COMPANY, EXAMPLES, ROOT

HEAVY = ("sqlalchemy", "flask")


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_command_line_imports_neither_sqlalchemy_nor_flask():
    assert not imported_after("import clausegen.cli") & set(HEAVY)


def test_importing_the_command_line_imports_no_deal_model_or_renderer():
    assert not imported_after("import clausegen.cli") & {"pydantic", "jinja2", "docxtpl", "openpyxl", "pymorphy3"}


def test_an_annex_without_the_register_never_imports_sqlalchemy(tmp_path):
    run = (f"import sys\nfrom clausegen.cli import cli\n"
           f"try:\n    cli(['annex', {str(EXAMPLES / 'saas-clinic-ae.yaml')!r}, '--company', {str(COMPANY)!r}, "
           f"'-o', {str(tmp_path / 'annex.docx')!r}, '--no-register'])\nexcept SystemExit as stop:\n"
           f"    assert not stop.code, stop.code\n")
    imported = imported_after(run)
    assert (tmp_path / "annex.docx").is_file()
    assert not imported & set(HEAVY)
