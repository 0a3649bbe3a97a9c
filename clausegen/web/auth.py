"""Who may use the form: signed-in users (sessions), scripts with the shared token, and CSRF.

A browser signs in with a name and password (:mod:`clausegen.accounts`); Flask keeps the
user in a signed session cookie (HttpOnly, SameSite=Lax, Secure off loopback).  A script
sends the shared token (``Authorization: Bearer`` or ``X-Clausegen-Token``) and acts as
the user ``token`` with the sales role.

Every POST of a browser session must come from this site (its ``Origin`` header names this
host: a missing or ``null`` Origin, which a sandboxed frame sends, is refused like another
site's) and carry the CSRF token of its session (itsdangerous-signed, checked in fixed time).
A script's POST carries no cookie, so it cannot be forged by a browser and needs neither.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import accounts
from ..accounts import User
from ..errors import ClausegenError, ExitCode
from .context import ctx
from .i18n import N_, _
from .pages import refuse

TOKEN_HEADER = "X-Clausegen-Token"
MIN_TOKEN_LENGTH = 16
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 12 * 3600
#: The token's user: scripts fill, screen and download as sales staff do.
TOKEN_USER = User("token", "sales", "token (script)")
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ROLE_TITLES = {"sales": N_("sales"), "legal": N_("legal"), "admin": N_("administrator")}
#: Pages anyone may open: the sign-in page, the language switch, the style sheet and script.
_OPEN = frozenset({"sign_in", "sign_in_post", "language", "static", "favicon"})


class ServeError(ClausegenError):
    """The server cannot start as asked (no user for a public address, port taken, ...)."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is the loopback interface."""
    if not host:
        return False
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_token(token: str | None) -> str | None:
    """The token, or None; a token too short to protect anything is refused."""
    if token is None or token == "":
        return None
    if len(token) < MIN_TOKEN_LENGTH or not token.isprintable() or token.strip() != token:
        raise ServeError(f"the access token must be at least {MIN_TOKEN_LENGTH} printable characters without "
                         "spaces at the ends; make one with: python3 -c \"import secrets; "
                         "print(secrets.token_urlsafe(24))\"", ExitCode.INVALID_INPUT)
    return token


def current_user() -> User:
    return g.user


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return _csrf_serializer(app.secret_key)


@functools.lru_cache(maxsize=4)
def _csrf_serializer(key: str | bytes) -> URLSafeTimedSerializer:
    # one per key, not one per form and check: a serializer holds nothing but its key and settings
    return URLSafeTimedSerializer(key, salt="clausegen-csrf")


class Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key rather than on every
    request (35 µs of every request, a script's too, whose request has no session cookie to read)."""

    _made: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))  # fallbacks: Flask 3.1
        made = self._made  # one read: another thread may replace it (with an equal one) meanwhile
        if made is None or made[0] != keys:
            made = (keys, super().get_signing_serializer(app))
            self._made = made
        return made[1]


def csrf_token() -> str:
    """The CSRF token for this session's forms (a signed copy of a random value kept in the session)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    from flask import current_app

    return _serializer(current_app).dumps(session["csrf"])


def _csrf_ok(app: Flask) -> bool:
    given = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf")
    if not given or not expected:
        return False
    try:
        value = _serializer(app).loads(given, max_age=CSRF_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(value, str) and same(value, expected)


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def install(app: Flask, *, loopback_only: bool) -> None:
    """The guard before every request, and the sign-in and sign-out pages."""
    app.jinja_env.globals.update(csrf_token=csrf_token, CSRF_FIELD=CSRF_FIELD, ROLE_TITLES=ROLE_TITLES)
    app.session_interface = Sessions()

    @app.before_request
    def _guard() -> Response | None:
        if loopback_only:
            if not is_loopback(request.remote_addr):
                return refuse(403, _("This server answers only on this computer (loopback)."))
            if _hostname(request.host).lower() not in _LOCAL_NAMES:  # DNS rebinding
                return refuse(403, _("Open the form as http://127.0.0.1:PORT/ or http://localhost:PORT/."))
        g.user = None
        context = ctx()
        header = request.headers.get(TOKEN_HEADER)
        authorization = request.headers.get("Authorization", "")
        if header is None and authorization.lower().startswith("bearer "):
            header = authorization[7:].strip()
        if header is not None:  # a script
            if context.token is None or not same(header, context.token):
                return refuse(403, _("The access token is wrong."))
            g.user = TOKEN_USER
            return None
        if request.method == "POST":
            if not _same_origin():
                return refuse(403, _("This form was not sent from this site's own page (its Origin header is "
                                     "missing or names another site), so it is refused. Open the form again and "
                                     "send it from there."))
            if not _csrf_ok(app):
                return refuse(403, _("The form's security token is missing or out of date. Reload the page "
                                     "and send the form again."))
        name = session.get("user")
        if name is not None:
            g.user = accounts.get_user(context.store, name)
            if g.user is None:  # removed since signing in
                session.clear()
        if g.user is None and request.endpoint not in _OPEN:
            if request.method == "GET":
                return redirect(url_for("sign_in", next=request.full_path.rstrip("?")), code=303)
            return refuse(401, _("Please sign in first."))
        return None

    @app.get("/sign-in")
    def sign_in() -> Response:
        return _sign_in_page()

    @app.post("/sign-in")
    def sign_in_post() -> Response:
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        context = ctx()
        outcome = accounts.sign_in(context.store, name, password)
        if outcome.user is None:
            if outcome.refused == "locked":
                until = outcome.locked_until.strftime("%H:%M UTC") if outcome.locked_until else ""
                message = _("Too many failed attempts: this name is locked until %(until)s.", until=until)
                return _sign_in_page(message, name, 429)
            return _sign_in_page(_("The name or the password is wrong."), name, 401)
        session.clear()  # a new session and CSRF value on sign-in (no fixation)
        session.permanent = True
        session["user"] = outcome.user.name
        session["csrf"] = secrets.token_urlsafe(24)
        target = request.form.get("next", "")
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = url_for("index")
        return redirect(target, code=303)

    @app.post("/sign-out")
    def sign_out() -> Response:
        session.clear()
        return redirect(url_for("sign_in"), code=303)

    def _sign_in_page(message: str | None = None, name: str = "", status: int = 200) -> Response:
        html = render_template("sign_in.html", message=message, name=name,
                               next=request.values.get("next", ""), no_users=not accounts.has_users(ctx().store))
        return Response(html, status=status, mimetype="text/html")
