"""The one Jinja environment of clausegen: sandboxed, strict, XML-autoescaped.

Clause texts, clause conditions and DOCX templates are all compiled here.  The
sandbox refuses private attributes (``__class__``, ``__globals__`` ...) and
unsafe callables; ``StrictUndefined`` makes a missing value an error instead
of a blank; autoescape makes every value XML-safe, so ``Smith & Sons <Asia>``
is printed as typed and a deal value is never template code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

__all__ = ["ENV", "Markup", "SecurityError", "TemplateSyntaxError", "compile_condition", "escape", "escape_literals"]


def _make_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        extensions=[],
    )
    env.globals.clear()  # no range(), dict(), lipsum(), cycler(), joiner(), namespace()
    return env


ENV = _make_env()

_TAG = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)


def escape_literals(source: str) -> str:
    """Escape ``&``, ``<`` and ``>`` in the literal text of a clause, not inside tags.

    Clause texts are plain prose rendered into XML; autoescape covers only the
    values, so the prose itself is escaped once here.
    """
    parts = _TAG.split(source)
    return "".join(part if index % 2 else str(escape(part)) for index, part in enumerate(parts))


@lru_cache(maxsize=512)
def compile_condition(expression: str) -> Any:
    """Compile a clause's ``when`` expression once; raises TemplateSyntaxError."""
    return ENV.compile_expression(expression, undefined_to_none=False)
