"""clausegen: export-control paperwork for Russian AI companies selling abroad.

Library first: everything the command line does is a function here.

The names below are loaded when first used (PEP 562), not when the package is
imported: ``python -m clausegen`` imports this package before the command line,
and a command should import only what it uses.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Generated": "api", "build_annex": "api", "deal_schema": "api", "load_deal": "api", "screen_deal": "api",
    "write_annex": "api", "ClausegenError": "errors", "Problem": "errors", "Deal": "model",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
    elif name in _EXPORTS:
        from importlib import import_module

        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def _version() -> str:
    """The installed version, read from the headers of the package's METADATA: parsing the whole of it
    as importlib.metadata's ``version()`` does (it holds the README) took a hundredth of a second."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        found = distribution("clausegen")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0.0.0"
    for line in (found.read_text("METADATA") or "").splitlines():
        if not line:  # the end of the headers
            break
        if line.startswith("Version:"):
            return line.partition(":")[2].strip()
    return found.version
