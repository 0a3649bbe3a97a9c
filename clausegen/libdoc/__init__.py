"""The clause library as a Word (or Excel) document, both ways: export for review, import the edits."""

from .export import FORMATS, export_library
from .importer import ClauseChange, ImportResult, changes_of, import_library

__all__ = ["FORMATS", "ClauseChange", "ImportResult", "changes_of", "export_library", "import_library"]
