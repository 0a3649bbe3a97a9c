"""The one Jinja environment of clausegen: sandboxed, strict, XML-autoescaped.

Clause texts, clause conditions and DOCX templates are all compiled here.  The
sandbox refuses private attributes (``__class__``, ``__globals__`` ...) and
unsafe callables; ``StrictUndefined`` makes a missing value an error instead
of a blank; autoescape makes every value XML-safe, so ``Smith & Sons <Asia>``
is printed as typed and a deal value is never template code.

Templates and clauses may come from the user's own folders, so what the sandbox
would refuse only when a tag is reached is also refused when the source is
compiled or parsed (and so by ``clausegen clauses check``): ``import``,
``include``, ``extends`` and ``from`` (there is nothing a template may load),
and names, attributes and string keys beginning with ``_``.  Both refusals are
:class:`TemplateSyntaxError`.

The sandbox also stops exhaustion by arithmetic: ``*`` and ``**`` refuse a
result above :data:`MAX_SIZE` (``{{ 'a' * 10**9 }}`` would allocate a
gigabyte), and the string methods that pad to a given width (``ljust``,
``center``, ``format`` ...) are not available.  Both are :class:`SecurityError`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from collections.abc import Collection
from dataclasses import is_dataclass

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape
from pydantic import BaseModel

__all__ = ["ENV", "Markup", "SecurityError", "TemplateSyntaxError", "compile_condition", "compile_text", "escape",
           "escape_literals", "paths_read", "value_at"]


_LOADING = {nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from"}


def _post_order(node: nodes.Node) -> Any:
    for child in node.iter_child_nodes():
        yield from _post_order(child)
    yield node


def _refusal(node: nodes.Node) -> str | None:
    """Why ``node`` may not be compiled, or None."""
    if type(node) in _LOADING:
        return f"'{{% {_LOADING[type(node)]} %}}' is not allowed: a template cannot load other templates or files"
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return f"access to private attribute {node.attr!r} is not allowed"
    if isinstance(node, nodes.Name) and node.name.startswith("_"):
        return f"the private name {node.name!r} is not allowed"
    if (isinstance(node, nodes.Const) and isinstance(node.value, str) and len(node.value) > 1
            and node.value.startswith("_") and node.value.isidentifier()):
        return f"the string {node.value!r} names a private attribute, which is not allowed"
    return None


def refuse_unsafe(tree: nodes.Node, name: str | None = None, filename: str | None = None) -> None:
    """Raise :class:`TemplateSyntaxError` for the first construct of ``tree`` (in evaluation order) that
    reaches for another file or a private attribute."""
    for node in _post_order(tree):
        reason = _refusal(node)
        if reason:
            raise TemplateSyntaxError(reason, node.lineno or 1, name, filename)


MAX_SIZE = 100_000  # characters or items a single * may make; digits of a ** result
_WIDTH = re.compile(r"%[-#0 +]*(\d+)")
_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "format", "format_map"})


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 1


DICT_ATTRIBUTES = frozenset(dir(dict))  # what ``some_dict.name`` finds before the key ``name``


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, refusing unsafe constructs when parsing or compiling (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str) and any(int(width) > MAX_SIZE for width in _WIDTH.findall(left)):
                raise SecurityError(f"a '%' format with a width above {MAX_SIZE} is not allowed")
            return left % right
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and abs(left).bit_length() * right > MAX_SIZE * 4:  # about MAX_SIZE decimal digits
                raise SecurityError(f"a power with about {abs(left).bit_length() * right // 3} digits is too large")
            return left**right
        if isinstance(left, int) and not isinstance(right, (int, float)):
            left, right = right, left
        if isinstance(right, int) and _size(left) * max(right, 0) > MAX_SIZE:
            raise SecurityError(f"repeating a value {right} times would make more than {MAX_SIZE} characters")
        return left * right

    def wrap_str_format(self, value: Any) -> Any:
        # Jinja hands str.format a safe formatter before asking is_safe_attribute; widths are still unlimited.
        if getattr(value, "__name__", None) in ("format", "format_map") and isinstance(getattr(value, "__self__", None),
                                                                                       str):
            return None
        return super().wrap_str_format(value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Every value clausegen hands a template is a plain dict, read as ``row.kind``: Jinja would
        # first look for a dict attribute of that name, fail with an exception, and only then take
        # the key.  The same answer, without the exception, for a key that names no dict attribute.
        if type(obj) is dict and attribute in obj and attribute not in DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _PADDING:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def parse(self, source: str, name: str | None = None, filename: str | None = None) -> nodes.Template:
        tree = super().parse(source, name, filename)
        refuse_unsafe(tree, name, filename)
        return tree

    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False,
                defer_init: bool = False) -> Any:
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        else:  # a node tree, e.g. from compile_expression
            refuse_unsafe(source, name, filename)
        return super().compile(source, name, filename, raw, defer_init)


def _make_env() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
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


Path = tuple[str | int, ...]


def compile_text(source: str) -> Any:
    """Compile a clause text once per process (its literal prose escaped); raises TemplateSyntaxError.

    Compiling costs about 5 ms a clause, rendering a few microseconds: a batch
    of a thousand annexes would otherwise spend almost all its time here.
    """
    return _compiled(source)[0]


def paths_read(source: str) -> tuple[Path, ...]:
    """What a clause text reads from its context, as paths: ``("contract", "number")``, ``("ref",)``.

    Each path is the longest chain of ``.name`` and ``[constant]`` lookups on a
    context name; a name used any other way (``{% if contract %}``,
    ``contract|attr(...)``, ``contract[key]``) is read whole.  With no globals
    (no ``lipsum``, no ``cycler``) a text rendered twice with the same values at
    these paths gives the same result, which :mod:`clausegen.compose` relies on
    to reuse it.  Paths through a loop variable or a ``set`` name are left out:
    what they hold comes from paths that are in.  Raises TemplateSyntaxError.
    """
    return _compiled(source)[1]


@lru_cache(maxsize=4096)
def _compiled(source: str) -> tuple[Any, tuple[Path, ...]]:
    """The compiled text and the paths it reads, from one parse (the paths taken before compiling,
    which may rewrite the tree)."""
    tree = ENV.parse(escape_literals(source))
    paths = _paths(tree)
    return ENV.from_string(tree), paths


def _paths(tree: nodes.Template) -> tuple[Path, ...]:
    context_names = meta.find_undeclared_variables(tree)
    found: set[Path] = set()

    def visit(node: nodes.Node) -> None:
        chain: list[str | int] = []
        inner = node
        while True:
            if isinstance(inner, nodes.Getattr):
                chain.append(inner.attr)
                inner = inner.node
            elif isinstance(inner, nodes.Getitem) and isinstance(inner.arg, nodes.Const) \
                    and isinstance(inner.arg.value, (str, int)):
                chain.append(inner.arg.value)
                inner = inner.node
            else:
                break
        if isinstance(inner, nodes.Name):
            if inner.name in context_names:
                found.add((inner.name, *reversed(chain)))
            return
        if chain:
            visit(inner)
        else:
            for child in node.iter_child_nodes():
                visit(child)

    visit(tree)
    return tuple(sorted(found, key=repr))


def value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """What ``path`` (from :func:`paths_read`) reaches from ``value`` the way a template reads it,
    or the last value on the way that lacks the next step or that Jinja would read differently (a
    dict's ``items`` is its method, not its key): that value is then what the text depends on, whole.

    Steps go through dict keys, list items, and the fields of pydantic models and dataclasses.
    """
    for step in path:
        if type(value) is dict and step in value and step not in DICT_ATTRIBUTES:
            value = value[step]
        elif isinstance(value, (list, tuple)) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        elif isinstance(step, str) and step in _fields(value):
            value = getattr(value, step)
        else:
            break
    return value


def _fields(value: Any) -> Collection[str]:
    if isinstance(value, BaseModel):
        return type(value).model_fields
    if is_dataclass(value) and not isinstance(value, type):
        return value.__dataclass_fields__
    return ()
