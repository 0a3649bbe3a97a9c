"""Serving the web form on waitress: a production WSGI server, pure Python (Windows too), threaded.

Never Werkzeug's development server.  waitress bounds every request body, a chunked one
included, at :data:`~clausegen.web.app.MAX_REQUEST_BYTES` (413 above it) before the
application sees it.

Rendering a document is Python work under one interpreter lock, so one process uses one core
whatever its thread count.  ``processes`` > 1 (POSIX only) binds the socket once, builds the
application once (library, templates, catalogue: shared copy-on-write), closes its database
connections and forks that many waitress servers on the one socket; each child opens its own
register engine (one per application, as before) on first use.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from .. import accounts
from ..errors import ExitCode
from ..register import Register
from .app import MAX_REQUEST_BYTES, create_app
from .auth import ServeError, check_token, is_loopback

TOKEN_ENV = "CLAUSEGEN_TOKEN"
DEFAULT_THREADS = 8


class WebServer:
    """A bound waitress server: ``serve_forever`` serves until ``shutdown``; ``port`` is the port bound."""

    def __init__(self, server: Any, app: Any) -> None:
        self.server = server
        self.app = app
        self.port = int(server.effective_port)
        self._stopping = False

    def serve_forever(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self._stopping:  # closed from another thread (shutdown): the loop's select fails; that is the end
                raise

    def shutdown(self) -> None:
        self._stopping = True
        self.server.close()

    def server_close(self) -> None:
        self.server.close()


def make_web_server(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None,
                    token: str | None = None, register: str | Path | Register | None = None, *,
                    clauses: Path | None = None, templates: Path | None = None, strict: bool = False,
                    threads: int = DEFAULT_THREADS) -> WebServer:
    """The web form's server, bound and ready (``serve_forever`` serves it).

    ``token`` (scripts' shared token) defaults to $CLAUSEGEN_TOKEN.  Off loopback the register must
    hold at least one user (``clausegen users add``): nobody could sign in otherwise.
    """
    from waitress.server import create_server

    token = check_token(token or os.environ.get(TOKEN_ENV) or None)
    if threads < 1 or threads > 256:
        raise ServeError(f"--threads must be between 1 and 256 (got {threads})", ExitCode.INVALID_INPUT)
    loopback = is_loopback(host)
    store = register if isinstance(register, Register) else Register(register)
    if not loopback and not accounts.has_users(store):
        raise ServeError(f"refusing to listen on {host}: the register {store.where} has no users, so nobody could "
                         "sign in. Add one first: clausegen users add NAME --role admin", ExitCode.INVALID_INPUT)
    app = create_app(company=company, token=token, register=store, clauses=clauses, templates=templates,
                     strict=strict, loopback_only=loopback)
    try:
        server = create_server(app, host=host, port=port, threads=threads, max_request_body_size=MAX_REQUEST_BYTES,
                               ident="clausegen", clear_untrusted_proxy_headers=True, expose_tracebacks=False)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return WebServer(server, app)


def serve(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None, token: str | None = None,
          register: str | Path | Register | None = None, *, processes: int = 1, **options: Any) -> None:
    """Serve the web form until interrupted (Ctrl+C); see :func:`make_web_server`."""
    if processes > 1:
        _serve_forked(host, port, company, token, register, processes, **options)
        return
    server = make_web_server(host, port, company, token, register, **options)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is not a problem here
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.port}/"
    print(f"clausegen web form on {url} (waitress, {options.get('threads', DEFAULT_THREADS)} threads; "
          "Ctrl+C to stop)", file=sys.stderr)
    if not is_loopback(host):
        print("session cookies are sent over HTTPS only: put a TLS proxy in front of this address", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _serve_forked(host: str, port: int, company: Path | str | None, token: str | None,
                  register: str | Path | Register | None, processes: int, **options: Any) -> None:
    """``processes`` waitress servers forked from one application on one listening socket."""
    if not hasattr(os, "fork"):
        raise ServeError("--processes above 1 needs a system with fork (Linux, macOS); on Windows serve with "
                         "--processes 1 and more --threads", ExitCode.INVALID_INPUT)
    from waitress.server import create_server

    first = make_web_server(host, port, company, token, register, **options)  # checks, binds, builds the app
    listening = first.server.socket
    app = first.app
    app.extensions["clausegen"].store.close()  # no connection crosses a fork: each child opens its own
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(process)d %(levelname)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    shown = f"[{host}]" if ":" in host else host
    print(f"clausegen web form on http://{shown}:{first.port}/ (waitress, {processes} processes of "
          f"{options.get('threads', DEFAULT_THREADS)} threads; Ctrl+C to stop)", file=sys.stderr)
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # a child: serve on the inherited socket until told to stop
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            sock = socket.socket(fileno=os.dup(listening.fileno()))
            child = create_server(app, sockets=[sock], threads=options.get("threads", DEFAULT_THREADS),
                                  max_request_body_size=MAX_REQUEST_BYTES, ident="clausegen",
                                  clear_untrusted_proxy_headers=True, expose_tracebacks=False)
            try:
                child.run()
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum: int, _frame: Any) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            os.waitpid(child, 0)
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
