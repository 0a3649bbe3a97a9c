"""Fixtures shared by the suite, and the --update-golden option.

Rendering is the slow part, so each example deal is rendered once per session
(``annexes``); tests that need a special deal render it themselves.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# clausegen's cache (clausegen/cache.py) is the suite's own, never the user's: named before any test module
# imports clausegen (its package data is cached at import) and kept until the process ends (the language
# answers are written then), then removed. It starts empty: the suite runs cold first and warm after (the
# same bytes, checked in test_cache).
_CACHE = Path(tempfile.mkdtemp(prefix="clausegen-test-cache-"))
os.environ["CLAUSEGEN_CACHE_DIR"] = str(_CACHE / "clausegen")
os.environ["XDG_CACHE_HOME"] = str(_CACHE / "user")  # where it would go without CLAUSEGEN_CACHE_DIR
atexit.register(shutil.rmtree, _CACHE, True)

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # --import-mode=importlib does not add it
    sys.path.insert(0, str(TESTS))

import helpers  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/*.txt from the current output instead of comparing with them.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session", autouse=True)
def _shipped_library_and_templates(tmp_path_factory):
    """The suite tests the shipped library and templates, whatever the developer's environment says,
    and records into a register of its own, never into the user's data folder or the checkout."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CLAUSEGEN_CLAUSES", raising=False)
        patch.delenv("CLAUSEGEN_TEMPLATES", raising=False)
        patch.setenv("CLAUSEGEN_REGISTER", str(tmp_path_factory.mktemp("register") / "session-register.sqlite"))
        # A test that unsets CLAUSEGEN_REGISTER reaches the user's data folder (platformdirs): a temporary one.
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))
        yield


@pytest.fixture(scope="session")
def library(_shipped_library_and_templates):
    from clausegen.library import load_library

    return load_library()


@dataclass(frozen=True)
class RenderedAnnex:
    """An example deal and its annex, rendered once per session."""

    stem: str
    source: Path
    deal: object
    screening: object
    generated: object  # clausegen.api.Generated
    rows: list[list[str]]  # clausegen.render.docx_rows(generated.data)

    @property
    def deal_id(self) -> str:
        return self.deal.deal_id  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def annexes(library) -> dict[str, RenderedAnnex]:
    """The annex (columns ru,en) of every example that screening allows one for, keyed by file stem."""
    from clausegen import api
    from clausegen.render import docx_rows

    rendered = {}
    for stem, path in helpers.ANNEX_EXAMPLES.items():
        deal = api.load_deal(path, helpers.COMPANY).deal
        screening = api.screen_deal(deal)
        generated = api.build_annex(deal, screening, library)
        rendered[stem] = RenderedAnnex(stem, path, deal, screening, generated, docx_rows(generated.data))
    return rendered


@pytest.fixture(scope="module")
def register_path(tmp_path_factory):
    """A register of the test module's own, in a temporary folder, made the default through the environment."""
    path = tmp_path_factory.mktemp("register") / "register.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAUSEGEN_REGISTER", str(path))
        yield path
