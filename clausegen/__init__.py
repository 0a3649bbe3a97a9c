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
    from .cache import package_version

    return package_version("clausegen") or "0.0.0"  # none: running from a checkout that is not installed
