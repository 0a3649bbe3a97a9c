"""Reading deal files and company profiles into plain data, keeping locations.

YAML and JSON here; spreadsheets in :mod:`clausegen.sheets`.  Nothing here knows
what a deal means: this layer only turns bytes into dicts and remembers, for
each field path, the line it came from, so that later messages can name it.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DealError, Problem

MAX_DEAL_BYTES = 2 * 1024 * 1024  # a deal is a page of text; anything larger is a mistake


@dataclass
class RawRecord:
    """One deal's data as read, with where it came from."""

    data: Any
    file: str
    row: int | None = None
    lines: dict[str, int] = field(default_factory=dict)  # dotted field path -> line
    # Problems found while reading (a spreadsheet cell that could not be read); validation reports
    # them together with every other problem of the record.
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, path: str = "", severity: str = "error") -> Problem:
        """A problem located at ``path`` in this record."""
        return Problem(message, path, self.file, self.row, self.line_of(path), severity)

    def line_of(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return None


def join_path(parent: str, key: Any) -> str:
    """``parent.key`` for mappings, ``parent[3]`` for list items."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster when present


#: The tag of a scalar by its text and how it was written (plain, quoted), for :meth:`_Loader.resolve`:
#: PyYAML tries its implicit types' regular expressions on every scalar, and a batch's deals repeat most
#: of theirs (the keys, the countries, the codes).  Short texts only; emptied when full.
_RESOLVED: dict[tuple[str, Any], str] = {}
_MAX_RESOLVED, _MAX_RESOLVED_TEXT = 4096, 128


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe YAML, but dates stay ISO strings so pydantic parses and reports them."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """PyYAML's answer, kept for a short scalar: it depends on nothing else (no path resolvers are added)."""
        if kind is not yaml.ScalarNode or not isinstance(value, str) or len(value) > _MAX_RESOLVED_TEXT:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        found = _RESOLVED.get(key)
        if found is None:
            found = super().resolve(kind, value, implicit)
            if len(_RESOLVED) >= _MAX_RESOLVED:
                _RESOLVED.clear()
            _RESOLVED[key] = found
        return found


class _PythonLoader(yaml.SafeLoader):
    """The same in pure Python, for text that may nest deeply: libyaml's composer recurses in C, where
    tens of thousands of ``[`` overflow the stack and kill the process; Python's recursion limit is caught."""


_Loader.yaml_implicit_resolvers = _PythonLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
#: Openings of nested values ([, {, "- ") beyond which a text is read by :class:`_PythonLoader`; a deal has
#: a few dozen.  The count is of the whole text, so it bounds the depth whatever the layout.
_MANY_OPENINGS = 2_000


def _loader(text: str) -> Any:
    openings = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    return (_PythonLoader if openings > _MANY_OPENINGS else _Loader)(text)


MAX_EXPANDED_NODES = 100_000  # aliases can make a 1 KiB file expand to billions of values


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a recursive alias counts as nothing more while it is being measured
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(_expanded_size(item, memo) for item in node.value)
        else:
            total = 1
        memo[key] = min(total, MAX_EXPANDED_NODES + 1)
    return memo[key]


_INT, _FLOAT = (f"tag:yaml.org,2002:{name}" for name in ("int", "float"))
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _yaml11_surprise(node: yaml.ScalarNode, loader: Any) -> str | None:
    """Why an unquoted scalar would not mean what its writer meant, or None.

    YAML 1.1 reads ``010`` as 8 (octal), ``1:30`` as 90 (base 60), ``1_000`` as 1000 and
    an INN ``012345670123`` would silently become another number.  (``yes``/``no`` are left
    alone: for a yes-or-no field they mean what they say.)
    """
    if node.style or node.tag not in (_INT, _FLOAT):  # style "" or None: plain (libyaml, PyYAML)
        return None
    text = node.value
    if node.tag == _INT and _PLAIN_INT.fullmatch(text):
        return None
    if node.tag == _FLOAT and _PLAIN_FLOAT.fullmatch(text):
        return None
    try:
        meant = loader.construct_object(node)
    except Exception:  # noqa: BLE001 - a value PyYAML cannot even build is reported the same way
        meant = "something else"
    return (f"{text!r} is read by YAML as the number {meant}, not as the text {text}; "
            f"put it in quotes: \"{text}\"")


def _scalar_problem(node: yaml.Node, path: str, problems: list[Problem], file: str, loader: Any) -> None:
    if isinstance(node, yaml.ScalarNode) and (message := _yaml11_surprise(node, loader)):
        problems.append(Problem(message, path, file, None, node.start_mark.line + 1))


def _scalar(node: yaml.ScalarNode, path: str, problems: list[Problem], file: str, loader: Any) -> Any:
    """A number, boolean or null as PyYAML builds it; a number Python will not build is a problem."""
    try:
        return loader.construct_object(node)
    except ValueError:  # more than 4,300 digits: Python refuses to convert it
        problems.append(Problem(f"a number of {len(node.value)} characters; no field takes one so long", path,
                                file, None, node.start_mark.line + 1))
        return None


def _recursion(node: yaml.Node, path: str, file: str, ancestors: tuple[int, ...] = ()) -> Problem | None:
    """A problem where an alias refers to a value that contains it (data without end), else None."""
    if id(node) in ancestors:
        return Problem("a YAML alias refers to a value that contains it; write the values out", path, file,
                       None, node.start_mark.line + 1)
    inside = (*ancestors, id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if found := _recursion(value_node, join_path(path, key_node.value), file, inside):
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if found := _recursion(item, join_path(path, index), file, inside):
                return found
    return None


def _field(key_node: yaml.Node, path: str, keys: set[str], lines: dict[str, int], problems: list[Problem],
           file: str) -> str:
    """The path of a mapping's field: its line recorded, and reported if the mapping has it twice."""
    key = str(key_node.value)
    child = join_path(path, key)
    if key in keys:
        problems.append(Problem(f"key '{key}' appears twice", child, file, None, key_node.start_mark.line + 1))
    keys.add(key)
    lines[child] = key_node.start_mark.line + 1
    return child


def _walk_yaml(node: yaml.Node, path: str, lines: dict[str, int], problems: list[Problem], file: str,
               loader: Any, walked: set[int] | None = None) -> None:
    """Record the line of every field path, and report keys given twice and YAML 1.1 surprises."""
    walked = set() if walked is None else walked
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in walked:  # an alias: its content was walked where the anchor stands
        return
    walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            child = _field(key_node, path, keys, lines, problems, file)
            _walk_yaml(value_node, child, lines, problems, file, loader, walked)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(item, join_path(path, index), lines, problems, file, loader, walked)
    else:
        _scalar_problem(node, path, problems, file, loader)


_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "merge"))
_BUILDING = object()


class _Unusual(Exception):
    """A document the quick builder leaves to PyYAML's constructor: merge keys, recursive aliases,
    tags other than plain maps and lists, keys that are not scalars."""


def _build(node: yaml.Node, path: str, lines: dict[str, int], problems: list[Problem], file: str,
           built: dict[int, Any], loader: Any) -> Any:
    """:func:`_walk_yaml` and PyYAML's construction in one pass (the same data; a third of the time).

    Strings, plain maps and lists are built here; other scalars (numbers, booleans, null) by the
    loader, which also raises for a tag it does not know, as it would for the whole document.
    """
    lines.setdefault(path, node.start_mark.line + 1)
    found = built.get(id(node))
    if found is not None:  # an alias
        if found is _BUILDING:
            raise _Unusual
        return found
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            value = node.value
        else:
            _scalar_problem(node, path, problems, file, loader)
            value = _scalar(node, path, problems, file, loader)
    elif isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        built[id(node)] = _BUILDING
        value = {}
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                raise _Unusual
            child = _field(key_node, path, keys, lines, problems, file)
            name = key_node.value if key_node.tag == _STR else loader.construct_object(key_node)
            value[name] = _build(value_node, child, lines, problems, file, built, loader)
    elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        built[id(node)] = _BUILDING
        value = [_build(item, join_path(path, index), lines, problems, file, built, loader)
                 for index, item in enumerate(node.value)]
    else:
        raise _Unusual
    built[id(node)] = value
    return value


def _construct(loader: Any, node: yaml.Node, file: str) -> tuple[Any, dict[str, int], list[Problem]]:
    """The data of ``node``, the line of each field path, and the keys given twice."""
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        return _build(node, "", lines, problems, file, {}, loader), lines, problems
    except _Unusual:
        if found := _recursion(node, "", file):
            return None, {}, [found]
        lines, problems = {}, []
        _walk_yaml(node, "", lines, problems, file, loader)
        return loader.construct_document(node), lines, problems


MAX_DEPTH = 32  # a deal nests six levels at most; hostile files nest thousands to exhaust the stack


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(_too_deep(item, depth + 1) for item in value)
    return False


def parse_text(text: str, file: str, *, lines: bool = True) -> RawRecord:
    """Parse YAML (JSON is YAML too, but is read strictly as JSON by suffix); refuse data nested too deeply.

    ``lines=False``: JSON without the line of each field (a second reading; the web form's own JSON has
    no lines a person would look up).
    """
    try:
        record = _parse_text(text, file, lines)
    except RecursionError:
        record = None
    if record is None or _too_deep(record.data):
        raise DealError([Problem(f"nested more than {MAX_DEPTH} levels deep; a deal file nests a few levels",
                                 "", file)])
    return record


def _parse_text(text: str, file: str, lines_wanted: bool = True) -> RawRecord:
    problems: list[Problem] = []
    lines: dict[str, int] = {}
    if file.lower().endswith(".json"):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            raise DealError([Problem(f"not valid JSON: {error.msg}", "", file, None, error.lineno)]) from None
        except ValueError as error:
            message = str(error)
            if "integer string conversion" in message:
                message = "a number of more than 4,300 digits; no field takes one so long"
            raise DealError([Problem(message, "", file)]) from None
        return RawRecord(data, file, None, _json_lines(text, file) if lines_wanted else {})
    try:
        loader = _loader(text)
        try:
            node = loader.get_single_node()
            data = None
            if node is not None:
                # Only aliases (*name) can make a file expand; without them its size cap is enough.
                if "*" in text and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
                    raise DealError([Problem(f"more than {MAX_EXPANDED_NODES} values once YAML aliases are "
                                             "expanded", "", file)])
                data, lines, problems = _construct(loader, node, file)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise DealError([Problem(f"not valid YAML: {error.problem or error}", "", file, None, line)]) from None
    except yaml.YAMLError as error:
        raise DealError([Problem(f"not valid YAML: {error}", "", file)]) from None
    if problems:
        raise DealError(problems)
    return RawRecord(data, file, None, lines)


def _json_lines(text: str, file: str) -> dict[str, int]:
    """The line of every field of a JSON file (already read strictly as JSON), found by reading it again as
    YAML, of which JSON is a subset: only the lines are taken, never the values."""
    try:
        loader = _loader(text)
        try:
            node = loader.get_single_node()
            return _construct(loader, node, file)[1] if node is not None else {}
        finally:
            loader.dispose()
    except (yaml.YAMLError, DealError, ValueError, RecursionError):
        return {}  # JSON that YAML does not read (a tab before a value, say): problems without lines


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key '{key}' appears twice")
        result[key] = value
    return result


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, read with a cap: ``/dev/zero`` or a pipe has no size to check first.

    Raises :class:`OSError` (a ``FileNotFoundError``, ``IsADirectoryError`` ...), including
    for a file above ``limit`` bytes; each reader turns it into its own message.
    """
    # A FIFO or a device would be waited on (or read for ever): only regular files are input.
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise OSError("not a regular file (a pipe, device or socket); give a file")
    with path.open("rb") as handle:
        # read(limit + 1) would allocate the whole cap (megabytes) for a file of a few kilobytes: the size
        # the file has is asked for, and what it has grown by since is read after it, up to the cap
        data = handle.read(min(status.st_size, limit) + 1)
        if len(data) > status.st_size and len(data) <= limit:
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise OSError(f"file is larger than {limit // 1024} KiB")
    return data


def read_input(path: Path, limit: int) -> bytes:
    """:func:`read_capped` for a user's input file, any failure a :class:`DealError` naming it."""
    try:
        return read_capped(path, limit)
    except OSError as error:
        raise unreadable(error, str(path)) from None


def unreadable(error: OSError, name: str) -> DealError:
    """A user's input file that could not be opened or read, said as the user needs it."""
    if isinstance(error, FileNotFoundError):
        message = "file not found"
    elif isinstance(error, IsADirectoryError):
        message = "is a folder, not a file"
    else:
        message = error.strerror and f"cannot read: {error.strerror}" or str(error)
    return DealError([Problem(message, "", name)])


def read_file(path: Path) -> RawRecord:
    """Read one YAML or JSON file; any failure is a :class:`DealError` naming it."""
    raw = read_input(path, MAX_DEAL_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DealError([Problem(f"not UTF-8 text (byte {error.start})", "", str(path))]) from None
    return parse_text(text, str(path))
