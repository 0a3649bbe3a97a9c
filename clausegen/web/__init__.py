"""The web form for a sales team: sign in, fill in or upload a deal, see the screening, download the documents.

A Flask application at the level of the command line: it calls :mod:`clausegen.api` and the
modules below it, and nothing imports it but the CLI.  Modules: :mod:`.app` (the form's pages),
:mod:`.auth` (users, the scripts' token, CSRF), :mod:`.i18n` (Russian and English),
:mod:`.drafts_views`, :mod:`.approvals`, :mod:`.decisions`, :mod:`.forms` (form ⇄ deal),
:mod:`.server` (waitress).
"""

from __future__ import annotations

from . import forms
from .app import MAX_REQUEST_BYTES, create_app
from .auth import ServeError, check_token, is_loopback
from .decisions import DECISIONS, offers
from .server import make_web_server, serve

__all__ = ["DECISIONS", "MAX_REQUEST_BYTES", "ServeError", "check_token", "create_app", "forms", "is_loopback",
           "make_web_server", "offers", "serve"]
