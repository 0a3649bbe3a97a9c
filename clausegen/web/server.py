"""Serving the web form on waitress: a production WSGI server, pure Python (Windows too), threaded.

Never Werkzeug's development server.  waitress bounds every request body, a chunked one
included, at :data:`~clausegen.web.app.MAX_REQUEST_BYTES` (413 above it) before the
application sees it.

Rendering a document is Python work under one interpreter lock, so one process uses one core
whatever its thread count.  ``processes`` > 1 (POSIX only) binds the socket once, builds the
application once and warms it (templates and clauses compiled, dictionaries loaded: shared
copy-on-write), closes its database connections and forks that many waitress servers on the
one socket; each child opens its own register engine (one per application, as before) on
first use.  The children share a table of their open connections, and one accepts a new
connection only while no sibling holds fewer (:class:`_Balanced`): a client that keeps its
connection open (a script, a browser) stays with the process that accepted it, so four
clients must not land three on one core and one on the other.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import mmap
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from .. import accounts, api
from ..errors import ClausegenError, ExitCode
from ..register import Register
from .app import MAX_REQUEST_BYTES, create_app
from .auth import ServeError, check_token, is_loopback
from .context import Context

TOKEN_ENV = "CLAUSEGEN_TOKEN"
DEFAULT_THREADS = 8
#: Allocations (less deallocations) between two young garbage collections in a server (Python's default 700).
GC_YOUNG_THRESHOLD = 5000
#: waitress's settings besides the threads, for every server this module makes.
ADJUSTMENTS: dict[str, Any] = {"max_request_body_size": MAX_REQUEST_BYTES, "ident": "clausegen",
                               "clear_untrusted_proxy_headers": True, "expose_tracebacks": False}


class WebServer:
    """A bound waitress server: ``serve_forever`` serves until ``shutdown``; ``port`` is the port bound."""

    def __init__(self, server: Any, app: Any) -> None:
        self.server = server
        self.app = app
        # one socket: the server itself; several ("localhost" as 127.0.0.1 and ::1): waitress lists them
        port = getattr(server, "effective_port", None)
        self.port = int(port if port is not None else server.effective_listen[0][1])
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


def _application(host: str, company: Path | str | None, token: str | None, register: str | Path | Register | None,
                 *, clauses: Path | None = None, templates: Path | None = None, strict: bool = False,
                 threads: int = DEFAULT_THREADS) -> Any:
    """The application to serve on ``host``, after the checks that come before listening."""
    token = check_token(token or os.environ.get(TOKEN_ENV) or None)
    if threads < 1 or threads > 256:
        raise ServeError(f"--threads must be between 1 and 256 (got {threads})", ExitCode.INVALID_INPUT)
    loopback = is_loopback(host)
    store = register if isinstance(register, Register) else Register(register)
    if not loopback and not accounts.has_users(store):
        raise ServeError(f"refusing to listen on {host}: the register {store.where} has no users, so nobody could "
                         "sign in. Add one first: clausegen users add NAME --role admin", ExitCode.INVALID_INPUT)
    return create_app(company=company, token=token, register=store, clauses=clauses, templates=templates,
                      strict=strict, loopback_only=loopback)


def make_web_server(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None,
                    token: str | None = None, register: str | Path | Register | None = None, *,
                    clauses: Path | None = None, templates: Path | None = None, strict: bool = False,
                    threads: int = DEFAULT_THREADS) -> WebServer:
    """The web form's server, bound and ready (``serve_forever`` serves it).

    ``token`` (scripts' shared token) defaults to $CLAUSEGEN_TOKEN.  Off loopback the register must
    hold at least one user (``clausegen users add``): nobody could sign in otherwise.
    """
    from waitress.server import create_server

    app = _application(host, company, token, register, clauses=clauses, templates=templates, strict=strict,
                       threads=threads)
    try:
        server = create_server(app, host=host, port=port, threads=threads, **ADJUSTMENTS)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return WebServer(server, app)


def warm_up(app: Any) -> None:
    """Compile what the first requests would (document templates, clauses, the pages), load the
    dictionaries and set it all aside from garbage collection: the first download then costs what the
    others do, in every process forked after this."""
    context: Context = app.extensions["clausegen"]
    try:
        api.warm_up(context.library, context.templates)
    except (ClausegenError, TemplateError) as error:  # the document that needs it will say so, as without warming
        logging.getLogger("clausegen.web").warning("not all of the library could be prepared in advance: %s", error)
    for name in app.jinja_env.list_templates():
        if name.endswith(".html"):
            app.jinja_env.get_template(name)
    # What is made by now lives as long as the process: the cyclic garbage collector need not go through it
    # again (it was half of the collector's time a download), and a forked child does not copy the pages
    # it would touch doing so.
    gc.collect()
    gc.freeze()
    _keep_freed_memory()
    # A download leaves a few hundred more container objects than it frees (the memos' entries), so the
    # default threshold (700) ran a young collection almost every download, each going through the ten
    # thousands of objects a build holds at that moment (0.25 ms a download); at 5,000 it runs every
    # eighth download or so, for 0.04 ms a download, and cyclic garbage waits a little longer to be freed.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


#: glibc's mallopt parameters (malloc.h) and the values a server sets (:func:`_keep_freed_memory`).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MALLOC_SETTINGS = {_M_MMAP_THRESHOLD: 1 << 20, _M_TRIM_THRESHOLD: 4 << 20}


def _keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep the memory a download frees for the next download; whether it was asked.

    A download allocates and frees the same few megabytes every time (document parts, compressed
    buffers).  By default glibc gives large blocks their own mappings and trims a thread's heap once
    128 KiB at its top is free, both handed back to the system, so the next download faulted the same
    pages in again: about 150 page faults a download and 0.9 ms of system time (one server process, two
    clients), against 1 fault with these settings, for 5 MB more resident memory (85 -> 90 MB).
    Blocks of 1 MiB and more still get their own mappings, and a heap is still trimmed when more than
    4 MiB at its top is free (16 MiB measured the same; the smaller bound keeps less in each thread's
    heap).  Both must be set: either alone turns off glibc's own adjustment of the
    other and faulted more.  Elsewhere (not glibc) nothing is done.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt (musl has one that does nothing)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(parameter, value) == 1 for parameter, value in MALLOC_SETTINGS.items())


def serve(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None, token: str | None = None,
          register: str | Path | Register | None = None, *, processes: int = 1, **options: Any) -> None:
    """Serve the web form until interrupted (Ctrl+C); see :func:`make_web_server`."""
    if processes > 1:
        _serve_forked(host, port, company, token, register, processes, **options)
        return
    server = make_web_server(host, port, company, token, register, **options)
    warm_up(server.app)
    _log_setup("%(asctime)s %(name)s %(levelname)s %(message)s")
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


def _log_setup(form: str) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=form)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is not a problem here


def _listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for ``host``:``port``, as waitress would bind them (one per address of the name)."""
    from waitress.adjustments import Adjustments

    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, address in Adjustments(host=host, port=port).listen:
            listening = socket.socket(family, kind, proto)
            sockets.append(listening)
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listening.bind(address)
            listening.listen(1024)
            port = port or listening.getsockname()[1]  # port 0: every address on the port the first one got
    except OSError as error:
        for listening in sockets:
            listening.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sockets


class _Loads:
    """How many connections each forked server holds, in memory the processes share (made before the fork).

    Each slot is one 64-bit word, the count and a heartbeat (a server writes its slot on every turn of
    its loop, at least once a second): a sibling that stopped writing (it died) is left out.
    """

    STALE = 3.0  # seconds without a heartbeat

    def __init__(self, count: int) -> None:
        self.count = count
        self.memory = mmap.mmap(-1, 8 * count)  # anonymous and shared: the children see each other's writes

    def publish(self, slot: int, connections: int, now: float) -> None:
        struct.pack_into("<Q", self.memory, 8 * slot, (int(now * 100) << 20) | min(connections, 0xFFFFF))

    def fewer_elsewhere(self, slot: int, connections: int, now: float) -> bool:
        """Whether a live sibling holds fewer connections than ``connections``."""
        for other in range(self.count):
            if other == slot:
                continue
            word = struct.unpack_from("<Q", self.memory, 8 * other)[0]
            if now - (word >> 20) / 100 < self.STALE and (word & 0xFFFFF) < connections:
                return True
        return False


def _balanced_class() -> type:
    from waitress.server import TcpWSGIServer

    class _Balanced(TcpWSGIServer):
        """A forked child's server on the shared socket: it leaves a new connection to a sibling holding
        fewer, by not listening for one (``readable``) while there is such a sibling."""

        loads: _Loads
        slot: int
        siblings: list[Any]  # this process's servers (one per address): their connections add up
        deferring = False

        def readable(self) -> bool:
            accepting = super().readable()  # waitress's connection limit and idle-channel clean-up
            now = time.monotonic()
            held = sum(len(server.active_channels) for server in self.siblings)
            self.loads.publish(self.slot, held, now)
            self.deferring = accepting and self.loads.fewer_elsewhere(self.slot, held, now)
            return accepting and not self.deferring

    return _Balanced


def _serve_child(app: Any, sockets: list[socket.socket], loads: _Loads, slot: int, threads: int) -> None:
    """One forked server: waitress's loop over the shared sockets, looking again every 10 ms while it defers
    (a sibling taking connections does not wake this process, so it must look)."""
    from waitress import wasyncore
    from waitress.adjustments import Adjustments
    from waitress.task import ThreadedTaskDispatcher

    adjustments = Adjustments(threads=threads, sockets=sockets, **ADJUSTMENTS)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    channels: dict[int, Any] = {}
    balanced = _balanced_class()
    servers: list[Any] = []
    for sock in sockets:
        server = balanced(app, channels, True, sock, dispatcher=dispatcher, adj=adjustments, bind_socket=False,
                          sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
        server.loads, server.slot, server.siblings = loads, slot, servers
        servers.append(server)
    wait = float(adjustments.asyncore_loop_timeout)
    poll = wasyncore.poll2 if adjustments.asyncore_use_poll else wasyncore.poll
    while channels:
        poll(0.01 if any(server.deferring for server in servers) else wait, channels)


def _serve_forked(host: str, port: int, company: Path | str | None, token: str | None,
                  register: str | Path | Register | None, processes: int, **options: Any) -> None:
    """``processes`` waitress servers forked from one application on one listening socket."""
    if not hasattr(os, "fork"):
        raise ServeError("--processes above 1 needs a system with fork (Linux, macOS); on Windows serve with "
                         "--processes 1 and more --threads", ExitCode.INVALID_INPUT)
    threads = options.get("threads", DEFAULT_THREADS)
    app = _application(host, company, token, register, **options)  # checks, builds the app; no thread started
    sockets = _listen(host, port)  # connections made while warming up wait for the children in the backlog
    children: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    warm_up(app)
    app.extensions["clausegen"].store.close()  # no connection crosses a fork: each child opens its own
    _log_setup("%(asctime)s %(name)s %(process)d %(levelname)s %(message)s")
    shown = f"[{host}]" if ":" in host else host
    print(f"clausegen web form on http://{shown}:{sockets[0].getsockname()[1]}/ (waitress, {processes} processes "
          f"of {threads} threads; Ctrl+C to stop)", file=sys.stderr)
    loads = _Loads(processes)
    for slot in range(processes):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # a stop between fork and append misses none
        pid = os.fork()
        if pid == 0:  # a child: serve on the inherited sockets until told to stop
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            try:
                _serve_child(app, sockets, loads, slot, threads)
            except BaseException:  # said in the log, not lost with the child (os._exit skips the traceback)
                logging.getLogger("clausegen.web").exception("server process %d stopped", os.getpid())
                os._exit(1)
            os._exit(0)
        children.append(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    try:
        for child in children:
            os.waitpid(child, 0)
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
