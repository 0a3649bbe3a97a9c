"""Writing files: atomically, so a reader never sees a half-written document."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError

#: The name mkstemp gives a staged file of ``name``: ``.name.XXXXXXXX.part`` (see :func:`stage_open`).
STAGED = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part$")


class DiskFullError(OutputError):
    """The disk (or quota) is full: every further write would fail alike, so a batch stops at the first."""


def write_error(path: Path, error: OSError) -> OutputError:
    """The error for a failed write of ``path``: a full disk named as such."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"no space left on device while writing {path}; free some space and run the "
                             "same command again")
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def sha256(data: bytes) -> str:
    """Hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    ``durable`` flushes the file to disk before the rename.  A batch writes
    hundreds of files and calls :func:`flush_all` once instead: an fsync costs
    milliseconds, and the rename alone already keeps readers from ever seeing
    half a file.
    """
    commit(stage(path, data, durable=durable), path)


def stage(path: Path, data: bytes, *, durable: bool = False) -> Path:
    """Write ``data`` into a temporary file beside ``path`` (creating the folder); return the file.

    :func:`commit` then puts it in place, or :func:`discard` removes it.  A
    batch's workers stage their documents in parallel; the one process that
    decides which deal owns a folder commits them.
    """
    stream, temporary = stage_open(path)
    try:
        with stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
    except OSError as error:
        discard(temporary)
        raise write_error(path, error) from None
    except BaseException:
        discard(temporary)
        raise
    return temporary


def stage_open(path: Path) -> tuple[BinaryIO, Path]:
    """A temporary file beside ``path``, open for writing, for a file written piece by piece."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise write_error(path, error) from None
    try:
        os.fchmod(handle, 0o666 & ~_UMASK)  # mkstemp makes 0600; documents are ordinary files
        return os.fdopen(handle, "wb"), Path(temporary)
    except OSError as error:
        os.close(handle)
        discard(Path(temporary))
        raise write_error(path, error) from None


def commit(temporary: Path, path: Path) -> None:
    """Put a staged file in place: readers see the old file or the new one, never a part."""
    try:
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise write_error(path, error) from None


def discard(temporary: Path) -> None:
    """Remove a staged file that is not to be used."""
    temporary.unlink(missing_ok=True)


def remove_staged(folder: Path, depth: int = 1) -> int:
    """Remove the staged files a killed run left in ``folder`` and its subfolders down to ``depth``;
    return how many.

    Only names :func:`stage_open` makes; symlinks are removed as links, never followed into.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if depth > 0:
                removed += remove_staged(Path(entry.path), depth - 1)
        elif STAGED.match(entry.name):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_UMASK = _umask()  # read once: setting it to read it is not safe while other threads create files


def flush_all() -> None:
    """Flush every written file to disk (after a batch of non-durable writes)."""
    if hasattr(os, "sync"):
        os.sync()
