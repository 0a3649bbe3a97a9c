"""What one web application holds for its whole life, shared by every request and thread.

Made once by :func:`clausegen.web.create_app`: the company profile, the clause library, the
register (one engine, so one connection pool and one compiled INSERT, for the application's
life), and the lock that serialises the work that shares module-level state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from ..model import CompanyProfile
from ..register import Register
from ..sources import RawRecord


@dataclass
class Context:
    profile: CompanyProfile | None
    profile_record: RawRecord | None
    library: Any
    templates: Path | None
    strict: bool
    pdf: Any  # clausegen.pdf when LibreOffice is installed, else None
    store: Register
    token: str | None  # the shared token of scripts (Authorization: Bearer), or None
    secure_cookies: bool  # off loopback the session cookie travels over HTTPS only
    supplier_defaults: dict[str, Any] = field(default_factory=dict)
    profile_supplier: dict[str, Any] = field(default_factory=dict)
    # Validation (langdetect), declension (pymorphy) and rendering share module-level state: one request
    # at a time does that work; LibreOffice conversions and the register run outside it.
    work: Any = field(default_factory=threading.RLock)


def ctx() -> Context:
    return current_app.extensions["clausegen"]
