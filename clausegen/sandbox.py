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

The sandbox also stops exhaustion.  A library is trusted to say what it likes,
not to stop the machine:

- ``*``, ``+`` and ``**`` refuse a result above :data:`MAX_SIZE` characters,
  items or digits (``{{ 'a' * 10**9 }}`` would allocate a gigabyte; a number
  of more than 4,300 digits cannot even be printed); a ``%`` format refuses
  such a width or precision;
- the filters that take a width or a count (``center``, ``indent``, ``format``,
  ``replace``, ``batch``, ``slice`` ...) refuse one whose result would be that
  large, and the string methods that pad or replace are not available;
- loops: a ``for`` inside another ``for``, a loop over a computed value
  (``'x' * 50000``) and the ``~`` operator are refused when a text is compiled;
- what one text or template part renders is capped at :data:`MAX_OUTPUT`
  characters (:func:`render_bounded`);
- ``|random`` does not exist: the same inputs must give the same document.

All of these are :class:`SecurityError` or :class:`TemplateSyntaxError`.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache
from itertools import islice
from types import CodeType
from typing import Any

from collections.abc import Collection
from dataclasses import is_dataclass

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape
from pydantic import BaseModel

from . import cache

__all__ = ["ENV", "RENDER_FAILURES", "Markup", "SecurityError", "TemplateSyntaxError", "compile_condition",
           "compile_text", "escape", "escape_literals", "failure", "paths_read", "render_bounded", "truth_at",
           "truth_read", "value_at"]

#: What rendering a text of the user's library can raise besides a TemplateError: arithmetic on the
#: deal's values (``1/0``), a conversion (``'x'|int`` is fine, ``'9' * 5000 | int`` is not), a type
#: mismatch (``1 + 'a'``), a macro calling itself.  Each is the library's mistake, never a traceback.
RENDER_FAILURES = (ArithmeticError, ValueError, TypeError, LookupError, RecursionError)


_LOADING = {nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from"}


def _post_order(node: nodes.Node) -> Any:
    for child in node.iter_child_nodes():
        yield from _post_order(child)
    yield node


def _refusal(node: nodes.Node) -> str | None:
    """Why ``node`` may not be compiled, or None."""
    if isinstance(node, nodes.For):
        return _loop_refusal(node)
    if isinstance(node, nodes.Concat):
        return "the '~' operator is not allowed: write the values side by side ({{ a }}{{ b }})"
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


#: What a loop may go over: a value from the context (``end_use.end_users``), possibly sorted or
#: filtered, or a list written out.  Anything computed could be made as long as one likes.
_ITERABLE = (nodes.Name, nodes.Getattr, nodes.Getitem, nodes.List, nodes.Tuple, nodes.Const)
_LOOP_FILTERS = frozenset({"sort", "reverse", "unique", "dictsort", "selectattr", "rejectattr", "select", "reject",
                           "list", "map", "groupby"})


def _loop_refusal(node: nodes.For) -> str | None:
    iterable = node.iter
    while isinstance(iterable, nodes.Filter) and iterable.name in _LOOP_FILTERS and iterable.node is not None:
        iterable = iterable.node
    if not isinstance(iterable, _ITERABLE) or (isinstance(iterable, nodes.Const)
                                               and not isinstance(iterable.value, (list, tuple))):
        return "a loop may only go over a value of the deal or a list written out, not over a computed value"
    if node.recursive:
        return "a recursive loop is not allowed"
    for child in (*node.body, *node.else_):
        if any(isinstance(inner, nodes.For) for inner in _post_order(child)):
            return "a loop inside another loop is not allowed: a text's length must not multiply"
    return None


def refuse_unsafe(tree: nodes.Node, name: str | None = None, filename: str | None = None) -> None:
    """Raise :class:`TemplateSyntaxError` for the first construct of ``tree`` (in evaluation order) that
    reaches for another file or a private attribute."""
    for node in _post_order(tree):
        reason = _refusal(node)
        if reason:
            raise TemplateSyntaxError(reason, node.lineno or 1, name, filename)


MAX_SIZE = 100_000  # characters or items a single operation may make
MAX_DIGITS = 4_000  # digits of a number (Python prints no integer of more than 4,300)
MAX_OUTPUT = 2_000_000  # characters one clause text or template part may render (an annex part is ~200,000)
_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?")
_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "format", "format_map", "replace",
                      "join"})


_MAX_BITS = MAX_DIGITS * 10 // 3  # bits of a number of MAX_DIGITS decimal digits


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 1


def _check_format(text: str) -> None:
    for width, precision in _WIDTH.findall(text):
        if int(width or 0) > MAX_SIZE or int(precision or 0) > MAX_SIZE:
            raise SecurityError(f"a '%' format with a width or precision above {MAX_SIZE} is not allowed")


def _count(value: Any, what: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
        raise SecurityError(f"{what} {value} is above {MAX_SIZE}")
    return value


def _bounded_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The built-in filters that take a width or a count, refusing one that would exhaust memory."""
    center, indent, fmt, replace = filters["center"], filters["indent"], filters["format"], filters["replace"]
    batch, slice_, truncate, wordwrap = filters["batch"], filters["slice"], filters["truncate"], filters["wordwrap"]
    join = filters["join"]

    def bounded_center(value: Any, width: int = 80) -> Any:
        return center(value, _count(width, "a width of"))

    def bounded_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        size = len(width) if isinstance(width, str) else _count(width, "an indent of")
        if size * (str(value).count("\n") + 1) > MAX_SIZE:
            raise SecurityError(f"indenting would make more than {MAX_SIZE} characters")
        return indent(value, width, *args, **kwargs)

    def bounded_format(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_format(str(value))
        return fmt(value, *args, **kwargs)

    def bounded_replace(context: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        text = str(value)
        times = text.count(str(old)) if count is None else min(_count(count, "a count of"), text.count(str(old)))
        if len(text) + times * max(len(str(new)) - len(str(old)), 0) > MAX_SIZE:
            raise SecurityError(f"replacing would make more than {MAX_SIZE} characters")
        return replace(context, value, old, new, count)

    def bounded_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        return batch(value, _count(linecount, "a batch of"), fill_with)

    def bounded_slice(value: Any, slices: int, fill_with: Any = None) -> Any:
        return slice_(value, _count(slices, "a slice count of"), fill_with)

    def bounded_truncate(env: Any, value: Any, length: int = 255, *args: Any, **kwargs: Any) -> Any:
        return truncate(env, value, _count(length, "a length of"), *args, **kwargs)

    def bounded_wordwrap(env: Any, value: Any, width: int = 79, *args: Any, **kwargs: Any) -> Any:
        return wordwrap(env, value, _count(width, "a width of"), *args, **kwargs)

    def bounded_join(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        if len(str(d)) * len(items) > MAX_SIZE:
            raise SecurityError(f"joining would make more than {MAX_SIZE} characters")
        return join(context, items, d, attribute)

    from jinja2.utils import pass_environment, pass_eval_context

    return {**filters, "center": bounded_center, "indent": bounded_indent, "format": bounded_format,
            "replace": pass_eval_context(bounded_replace), "batch": bounded_batch, "slice": bounded_slice,
            "truncate": pass_environment(bounded_truncate), "wordwrap": pass_environment(bounded_wordwrap),
            "join": pass_eval_context(bounded_join)}


DICT_ATTRIBUTES = frozenset(dir(dict))  # what ``some_dict.name`` finds before the key ``name``


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, refusing unsafe constructs when parsing or compiling (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                _check_format(left)
            return left % right
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 \
                    and (digits := int(right * math.log10(abs(left))) + 1) > MAX_DIGITS:
                raise SecurityError(f"a power of {digits} digits is too large (at most {MAX_DIGITS})")
            return left**right
        if operator == "+":
            if _size(left) + _size(right) > MAX_SIZE:
                raise SecurityError(f"joining two values would make more than {MAX_SIZE} characters")
            return left + right
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
            if abs(left).bit_length() + abs(right).bit_length() > _MAX_BITS:
                raise SecurityError(f"a product of more than {MAX_DIGITS} digits is too large")
            return left * right
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
    env.filters = _bounded_filters(dict(env.filters))
    del env.filters["random"]  # the same inputs must give the same document
    return env


def failure(error: BaseException) -> tuple[str, int | None]:
    """What a failed rendering says, on one line, and the line of the text where it failed.

    Jinja rewrites a traceback so that frames of a template carry the template's own line numbers
    (the file name ``<template>``); a syntax error carries its line itself.
    """
    line = getattr(error, "lineno", None)
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return " ".join(message.split()), line


class OutputTooLarge(SecurityError):
    """A text or template part rendered more than :data:`MAX_OUTPUT` characters."""


#: Pieces taken from a template's generator at a time by :func:`render_bounded`, their lengths summed in C:
#: a part renders about a thousand pieces, and a Python step per piece was a tenth of a document's time.
#: The bound is checked after each batch, so at most this many pieces more are held before it stops
#: (a piece is a template's literal or one value, each far below the bound).
_BATCH = 256


def render_bounded(template: Any, context: dict[str, Any], limit: int = MAX_OUTPUT) -> list[str]:
    """The pieces ``template`` renders for ``context``, stopping once more than ``limit`` characters in
    all are rendered (a loop can repeat a bounded text as often as its data allows)."""
    pieces: list[str] = []
    total = 0
    generator = template.generate(context)
    while batch := list(islice(generator, _BATCH)):
        total += sum(map(len, batch))
        if total > limit:
            raise OutputTooLarge(f"the text would be longer than {limit} characters")
        pieces += batch
    return pieces


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
    """Compile a clause's ``when`` expression once (:mod:`clausegen.cache` keeps its code across
    processes); raises TemplateSyntaxError.  What ``ENV.compile_expression(expression,
    undefined_to_none=False)`` does, with the code kept."""
    key = (jinja2.__version__, hashlib.sha256(expression.encode()).hexdigest())
    code = cache.load("conditions", key)
    if not isinstance(code, CodeType):
        parser = Parser(ENV, expression, state="variable")
        try:
            expr = parser.parse_expression()
            if not parser.stream.eos:
                raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
            expr.set_environment(ENV)
        except TemplateSyntaxError:
            ENV.handle_exception(source=expression)
        code = ENV.compile(nodes.Template([nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)], lineno=1))
        cache.store("conditions", key, code)
    return TemplateExpression(template_from_code(code), False)


def template_from_code(code: CodeType) -> Any:
    """The template of ``code`` compiled by :data:`ENV` (what ``ENV.from_string`` makes of a source),
    printing values through :func:`escape_value`."""
    template = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
    # The compiled code prints every value through the name ``escape`` of its own module namespace
    # (``from jinja2.runtime import ... escape``), which its functions share.
    namespace = template.root_render_func.__globals__
    if namespace.get("escape") is escape:
        namespace["escape"] = escape_value
    return template


def escape_value(value: Any) -> Markup:
    """What :func:`markupsafe.escape` returns for ``value``, without copying a :class:`Markup` (text
    already escaped, as compose makes every clause paragraph): markupsafe makes a new Markup of its
    ``__html__()``, which for Markup itself is the same text.  A subclass may say otherwise and is
    escaped as usual."""
    if type(value) is Markup:
        return value
    return escape(value)


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


def truth_read(source: str) -> tuple[Path, ...]:
    """The paths of :func:`paths_read` that ``source`` only tests for truth (``{% if a.b %}``,
    ``not a.b``, ``a.b and c``, ``x if a.b else y`` where the result is tested): what such a text
    renders depends on whether the value is true or false, not on what it is (Python's truth, which
    is Jinja's), so :func:`truth_at` is all that need be compared of it.  A path also read otherwise
    is not among them.  Raises TemplateSyntaxError."""
    return _compiled(source)[2]


def truth_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """What a text that only tests ``path`` for truth depends on: ``True`` or ``False`` when the path
    reaches a value, else (the text reads a value that lacks a step) the ``repr`` of the last value on
    the way, as for any other path (:func:`value_at`): a string, never equal to a boolean."""
    reached, complete = _walk(value, path)
    return bool(reached) if complete else repr(reached)


@lru_cache(maxsize=4096)
def _compiled(source: str) -> tuple[Any, tuple[Path, ...], tuple[Path, ...]]:
    """The compiled text, the paths it reads and those it only tests for truth, from one parse (the
    paths taken before compiling, which may rewrite the tree); kept across processes by
    :mod:`clausegen.cache`."""
    key = (jinja2.__version__, hashlib.sha256(source.encode()).hexdigest())
    found = cache.load("clause-texts", key)
    if isinstance(found, tuple) and len(found) == 3 and isinstance(found[0], CodeType) \
            and isinstance(found[1], tuple) and isinstance(found[2], tuple):
        return template_from_code(found[0]), found[1], found[2]
    tree = ENV.parse(escape_literals(source))
    paths, truths = _paths(tree)
    code = ENV.compile(tree)
    cache.store("clause-texts", key, (code, paths, truths))
    return template_from_code(code), paths, truths


def _truth_operands(node: nodes.Node, truth: bool) -> list[tuple[nodes.Node, bool]] | None:
    """The children of ``node`` whose value only counts as true or false, with that flag, when the
    result of ``node`` is itself tested (``truth``) or not; None for a node that tests none."""
    if isinstance(node, nodes.If):
        return [(node.test, True)] + [(child, False) for child in (*node.body, *node.elif_, *node.else_)]
    if isinstance(node, nodes.Not):
        return [(node.node, True)]
    if isinstance(node, (nodes.And, nodes.Or)):  # ``a and b`` is a or b: only its truth is tested when tested
        return [(node.left, truth), (node.right, truth)]
    if isinstance(node, nodes.CondExpr):
        branches = [(child, truth) for child in (node.expr1, node.expr2) if child is not None]
        return [(node.test, True)] + branches
    if isinstance(node, nodes.For):
        children = [(node.target, False), (node.iter, False), *((child, False) for child in (*node.body, *node.else_))]
        return children + ([(node.test, True)] if node.test is not None else [])
    return None


def _paths(tree: nodes.Template) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """The paths ``tree`` reads (see :func:`paths_read`), and those of them it only tests for truth."""
    context_names = meta.find_undeclared_variables(tree)
    read: set[Path] = set()  # read as values
    tested: set[Path] = set()  # tested for truth

    def visit(node: nodes.Node, truth: bool = False) -> None:
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
                (tested if truth else read).add((inner.name, *reversed(chain)))
            return
        if chain:
            visit(inner)
            return
        operands = _truth_operands(node, truth)
        for child, tested_child in operands if operands is not None else ((c, False) for c in node.iter_child_nodes()):
            visit(child, tested_child)

    visit(tree)
    return tuple(sorted(read | tested, key=repr)), tuple(sorted(tested - read, key=repr))


def value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """What ``path`` (from :func:`paths_read`) reaches from ``value`` the way a template reads it,
    or the last value on the way that lacks the next step or that Jinja would read differently (a
    dict's ``items`` is its method, not its key): that value is then what the text depends on, whole.

    Steps go through dict keys, list items, and the fields of pydantic models and dataclasses.
    """
    return _walk(value, path)[0]


def _walk(value: Any, path: tuple[str | int, ...]) -> tuple[Any, bool]:
    """:func:`value_at`, and whether every step of ``path`` was taken."""
    for step in path:
        if type(value) is dict and step in value and step not in DICT_ATTRIBUTES:
            value = value[step]
        elif isinstance(value, (list, tuple)) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        elif isinstance(step, str) and step in _fields(value):
            value = getattr(value, step)
        else:
            return value, False
    return value, True


def _fields(value: Any) -> Collection[str]:
    if isinstance(value, BaseModel):
        return type(value).model_fields
    if is_dataclass(value) and not isinstance(value, type):
        return value.__dataclass_fields__
    return ()
