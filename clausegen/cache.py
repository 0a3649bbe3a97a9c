"""A cache on disk of work that depends only on its inputs: compiled clause texts and document
templates (:mod:`clausegen.sandbox`, :mod:`clausegen.render`) and what the language libraries
answered (:func:`remembered`: pymorphy3, pytrovich, num2words, Babel).  A command that finds them
there neither compiles Jinja templates nor imports docxtpl nor loads pymorphy3's dictionaries or
Babel's locale data (most of a single annex's time).

Where: ``$CLAUSEGEN_CACHE_DIR``, else the user's cache folder (platformdirs: ``~/.cache/clausegen``
on Linux, ``~/Library/Caches/clausegen`` on macOS, ``%LOCALAPPDATA%\\clausegen\\Cache`` on Windows).
Deleting it is always safe: what is missing is made again, with the same result.

Nothing read from it is trusted blindly.  An entry is ``MAGIC``, the sha256 of the rest, and the
marshal of (key, value); one whose magic, checksum or key differs from what is asked (truncated,
damaged, written for another input or by another version) is a miss, made again and overwritten.
Keys name the sha256 of the input and the versions of what makes the value from it; entries live
in a folder per *generation* (Python and its bytecode magic, clausegen's version and the source of
its modules), so no code change can meet an entry of older code.  Entries hold code objects that are
executed, so a folder not owned by the user or writable by others is not used at all.  Reading or
writing never fails a command: an unwritable folder only makes every run a cold one.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.util
import marshal
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ENV = "CLAUSEGEN_CACHE_DIR"
MAGIC = b"clausegen-cache\x01"
_DIGEST = hashlib.sha256().digest_size
TAG, TAG_SIGNATURE = "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55"
#: A generation nobody has written to for this long is removed when a new one is made.
STALE_AFTER = 7 * 24 * 3600
#: Answers the language table keeps at most (most are some 60 bytes): a process records no more new
#: ones, and a table that would grow beyond starts again.
MAX_ANSWERS = 50_000

_MISSING = object()
_unwritable: set[Path] = set()  # folders that refused a write: not tried again by this process


def root() -> Path:
    """The cache folder (not necessarily existing)."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only when the environment names no folder

    return Path(platformdirs.user_cache_dir("clausegen", appauthor=False))


@functools.lru_cache(maxsize=1)
def generation() -> str:
    """What every entry depends on besides its own key: Python (an entry holds its bytecode), and
    clausegen's version and code (the code that made an entry must be the code that reads it)."""
    from . import __version__

    digest = hashlib.sha256(f"{sys.version}\0{importlib.util.MAGIC_NUMBER.hex()}\0{__version__}\0".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            digest.update(path.name.encode() + b"\0unreadable\0")
    return digest.hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def package_data_digest() -> str:
    """The sha256 of the data files shipped with clausegen's code (its ``*.yaml`` and ``*.json``: the
    check deals, labels, glossary, vocabulary), which :func:`generation` does not cover: for an entry
    that depends on them too."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.yaml"), *package.rglob("*.json")]):
        try:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            digest.update(str(path.relative_to(package)).encode() + b"\0unreadable\0")
    return digest.hexdigest()


def _trusted(folder: Path) -> bool:
    """Whether ``folder`` is the user's own and nobody else may write into it (POSIX; elsewhere the
    user's profile folder is private anyway)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        status = folder.stat()
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() \
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


_checked: set[Path] = set()


def _usable(base: Path) -> bool:
    """Whether the cache folder ``base`` may be read (checked once per process and folder once it is)."""
    if base not in _checked and _trusted(base):
        _checked.add(base)
    return base in _checked


def _entry(kind: str, key: tuple[Any, ...]) -> tuple[Path, str]:
    name = repr((kind, key))
    return root() / generation() / kind / hashlib.sha256(name.encode()).hexdigest(), name


def load(kind: str, key: tuple[Any, ...]) -> Any:
    """The value stored for ``key`` (a tuple of strings and numbers), or None."""
    path, name = _entry(kind, key)
    if not _usable(root()):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = data[len(MAGIC) + _DIGEST:]
    if not data.startswith(MAGIC) or hashlib.sha256(payload).digest() != data[len(MAGIC):len(MAGIC) + _DIGEST]:
        return None
    try:
        stored, value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return value if stored == name else None


def store(kind: str, key: tuple[Any, ...], value: Any) -> None:
    """Keep ``value`` (what marshal can write) for ``key``, atomically; silently nothing when the
    folder cannot be made or written."""
    path, name = _entry(kind, key)
    if path.parent in _unwritable:
        return
    try:
        payload = marshal.dumps((name, value))
    except ValueError:
        return
    temporary = None
    try:
        _make(path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
        temporary = None
    except OSError:
        _unwritable.add(path.parent)
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def derived(kind: str, data: bytes, make: Callable[[], Any], *versions: str) -> Any:
    """What ``make()`` derives from ``data`` alone (with the libraries of ``versions``), kept by the
    sha256 of ``data``; ``make`` runs only when the entry is missing (its answer must not be None)."""
    key = (*versions, hashlib.sha256(data).hexdigest())
    found = load(kind, key)
    if found is None:
        found = make()
        store(kind, key, found)
    return found


def _make(folder: Path) -> None:
    """``folder`` (``root/generation/kind``), each level made private; raises OSError when the cache
    folder is not the user's own."""
    base = root()
    if not base.is_dir():
        base.parent.mkdir(parents=True, exist_ok=True)
        base.mkdir(mode=0o700, exist_ok=True)
        # backup tools skip a folder so tagged (bford.info/cachedir), and _prune only works in one
        (base / TAG).write_text(TAG_SIGNATURE + "\n# clausegen's cache: safe to delete\n", encoding="ascii")
    if not _trusted(base):
        raise PermissionError(f"{base} is not a private folder of this user")
    level = base / generation()
    if not level.is_dir():
        level.mkdir(mode=0o700, exist_ok=True)
        _prune(base, keep=level.name)
    folder.mkdir(mode=0o700, exist_ok=True)


def _prune(base: Path, keep: str) -> None:
    """Remove the generations (older versions of clausegen or Python) not written to for a week, in a
    cache folder clausegen made itself (a folder the user named may hold anything else)."""
    if not (base / TAG).is_file():
        return
    now = time.time()
    for other in base.iterdir():
        try:
            if other.name != keep and len(other.name) == len(keep) and set(other.name) <= set("0123456789abcdef") \
                    and other.is_dir() and now - other.stat().st_mtime > STALE_AFTER:
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass


# ---------------------------------------------------------------- answers of small pure functions


class Answers:
    """A table of answers (arguments → result) kept in one entry: read whole at first use, written
    back, merged with what other processes added meanwhile, when the process ends."""

    def __init__(self, kind: str, versions: Callable[[], tuple[str, ...]]) -> None:
        self.kind = kind
        self._versions = versions  # of what computes the answers (read only when the table is)
        self._known: dict[Any, Any] | None = None
        self._new: dict[Any, Any] = {}

    def _table(self) -> dict[Any, Any]:
        if self._known is None:
            found = load(self.kind, self._versions())
            self._known = found if isinstance(found, dict) else {}
        return self._known

    def get(self, key: Any) -> Any:
        """The answer for ``key``, or ``MISSING``."""
        found = self._new.get(key, _MISSING)
        return self._table().get(key, _MISSING) if found is _MISSING else found

    def put(self, key: Any, value: Any) -> None:
        if not self._new:
            atexit.register(self.save)
        if len(self._new) < MAX_ANSWERS:  # a server that meets a million names keeps only the first
            self._new[key] = value

    def save(self) -> None:
        """Write the new answers back (at exit; also callable directly)."""
        if not self._new:
            return
        versions = self._versions()
        found = load(self.kind, versions)
        table = found if isinstance(found, dict) and len(found) + len(self._new) <= MAX_ANSWERS else {}
        table.update(self._new)
        store(self.kind, versions, table)
        self._known, self._new = table, {}


MISSING = _MISSING


@functools.lru_cache(maxsize=None)
def package_version(name: str) -> str | None:
    """The installed version of the distribution ``name``, or None: read from the headers of its
    METADATA, as importlib.metadata's ``version()`` parses the whole of it (a long description
    included) with the email parser, some 4 ms a package."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        found = distribution(name)
    except PackageNotFoundError:
        return None
    for line in (found.read_text("METADATA") or "").splitlines():
        if not line:  # the end of the headers
            break
        if line.startswith("Version:"):
            return line.partition(":")[2].strip()
    return found.version


@functools.lru_cache(maxsize=1)
def language_versions() -> tuple[str, ...]:
    """The versions of the language libraries, on which their answers depend."""
    return tuple(f"{package} {package_version(package)}"
                 for package in ("pymorphy3", "pymorphy3-dicts-ru", "pytrovich", "num2words", "babel"))


#: What the language libraries (pymorphy3, pytrovich, num2words, Babel) answered clausegen's questions.
LANGUAGE = Answers("language", language_versions)

F = TypeVar("F", bound=Callable[..., Any])


def remembered(function: F) -> F:
    """``function``, pure, its answers kept in :data:`LANGUAGE` across processes: a command whose
    words, dates and countries are all known loads neither pymorphy3's dictionaries nor Babel's locale
    data.  Arguments are strings, numbers or tuples of them; answers are what marshal writes (str,
    bool, None, tuples, frozensets, dicts of them)."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def answer(*args: Any, **named: Any) -> Any:
        if named:  # not worth a key of its own: asked so nowhere that matters for time
            return function(*args, **named)
        key = (name, args)
        found = LANGUAGE.get(key)
        if found is _MISSING:
            found = function(*args)
            LANGUAGE.put(key, found)
        return found

    return answer  # type: ignore[return-value]
