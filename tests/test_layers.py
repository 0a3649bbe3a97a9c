"""The layering of the package, read statically from each module's imports (ast, nothing is executed).

render.py is the only module that touches DOCX (docxtpl, python-docx, lxml), with combine.py, which
puts a rendered annex inside a contract (docxcompose), and redline.py, which writes tracked changes;
cli.py is the only one that knows click; nothing but __main__ imports cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import PACKAGE

DOCX_LIBRARIES = {"docxtpl", "docx", "lxml", "docxcompose"}
#: The rendering modules: the only ones allowed to touch a DOCX library.
RENDERING = {"clausegen.render", "clausegen.combine", "clausegen.redline"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, as an absolute dotted name, at any depth (functions included).

    ``from . import api`` counts as importing both ``clausegen`` and ``clausegen.api``.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


MODULES = {module_name(path): imported_modules(path) for path in sorted(PACKAGE.rglob("*.py"))}


def importers(predicate) -> set[str]:
    """The package modules that import any module ``predicate`` accepts."""
    return {module for module, imports in MODULES.items() if any(predicate(name) for name in imports)}


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_walk_sees_the_package():
    assert {"clausegen.render", "clausegen.cli", "clausegen.__main__", "clausegen.api"} <= set(MODULES)


def test_only_the_rendering_modules_import_docxtpl_docx_lxml_or_docxcompose():
    assert importers(lambda name: top(name) in DOCX_LIBRARIES) == RENDERING


@pytest.mark.parametrize("library", sorted(DOCX_LIBRARIES))
def test_each_docx_library_is_used_only_in_rendering_modules(library):
    assert importers(lambda name: top(name) == library) <= RENDERING


def test_only_cli_imports_click():
    assert importers(lambda name: top(name) == "click") == {"clausegen.cli"}


def test_nothing_but_main_imports_cli():
    assert importers(lambda name: name == "clausegen.cli" or name.startswith("clausegen.cli.")) == {
        "clausegen.__main__"
    }
