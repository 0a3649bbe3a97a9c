"""PDF copies of generated documents, made by LibreOffice headless.

LibreOffice starts slowly (about a second) and then converts quickly, so every
document of a run goes through one ``soffice`` call.  It runs with a private,
temporary profile, so two conversions at once (two users, a batch and a web
request) do not fight over the user's own LibreOffice profile, and it writes
into a temporary folder from which each PDF is moved into place whole.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import OutputError

EXECUTABLES = ("soffice", "libreoffice")
SECONDS_PER_DOCUMENT = 20  # generous: the machine may be loaded; a hung LibreOffice must still end


def executable() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    """Whether PDF conversion can run here."""
    return executable() is not None


def require() -> str:
    """The LibreOffice program; :class:`OutputError` when it is not installed."""
    program = executable()
    if program is None:
        raise OutputError("cannot make PDF: LibreOffice is not installed (no 'soffice' on PATH); install it, "
                          "e.g. 'apt-get install libreoffice-writer-nogui', or leave out --pdf")
    return program


def convert(documents: Sequence[Path], outdir: Path | None = None) -> list[Path]:
    """Convert each DOCX to a PDF beside it (or in ``outdir``); return the PDFs in the same order."""
    program = require()
    if not documents:
        return []
    targets = [(outdir or path.parent) / (path.stem + ".pdf") for path in documents]
    # LibreOffice names each PDF after its document, so equal names go in separate calls.
    batches: list[list[int]] = []
    for index, path in enumerate(documents):
        for batch in batches:
            if all(documents[other].stem != path.stem for other in batch):
                batch.append(index)
                break
        else:
            batches.append([index])
    for batch in batches:
        _run(program, [documents[i] for i in batch], [targets[i] for i in batch])
    return targets


def _run(program: str, documents: list[Path], targets: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="clausegen-pdf-") as work:
        profile = Path(work, "profile").as_uri()
        produced = Path(work, "out")
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(produced),
                   *[str(path.resolve()) for path in documents]]
        environment = {**os.environ, "HOME": work}  # LibreOffice may write caches under $HOME
        try:
            completed = subprocess.run(command, capture_output=True, text=True, env=environment,
                                       timeout=60 + SECONDS_PER_DOCUMENT * len(documents), check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"LibreOffice did not finish converting {len(documents)} document(s) to PDF") from None
        except OSError as error:
            raise OutputError(f"cannot run LibreOffice ({program}): {error.strerror}") from None
        missing = [path for path in documents if not (produced / (path.stem + ".pdf")).is_file()]
        if missing:
            detail = (completed.stderr or completed.stdout).strip().splitlines()
            raise OutputError(f"LibreOffice made no PDF for {', '.join(str(p) for p in missing)}"
                              + (f": {detail[-1]}" if detail else f" (exit code {completed.returncode})"))
        for document, target in zip(documents, targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.part")
            shutil.move(str(produced / (document.stem + ".pdf")), temporary)
            os.replace(temporary, target)
