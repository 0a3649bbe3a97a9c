"""clausegen: export-control paperwork for Russian AI companies selling abroad.

Library first: everything the command line does is a function here.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clausegen")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

from .api import Generated, build_annex, deal_schema, load_deal, screen_deal, write_annex  # noqa: E402
from .errors import ClausegenError, Problem  # noqa: E402
from .model import Deal  # noqa: E402

__all__ = [
    "ClausegenError",
    "Deal",
    "Generated",
    "Problem",
    "__version__",
    "build_annex",
    "deal_schema",
    "load_deal",
    "screen_deal",
    "write_annex",
]
