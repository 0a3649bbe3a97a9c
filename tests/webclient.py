"""A signed-in browser for Flask's test client: the session cookie, the CSRF token and the Origin
header a real browser sends with every form it posts from the page.

``SignedIn(app, "anna")`` signs in (users come from :func:`add_users`); ``post`` adds the page's
CSRF token and ``Origin``; ``post(..., csrf=False)`` or ``origin=None`` sends a forged request.
"""

from __future__ import annotations

import re

from clausegen import accounts
from clausegen.register import Register

PASSWORD = "correct horse battery"
USERS = {"anna": "sales", "boris": "sales", "lev": "legal", "root": "admin"}
ORIGIN = "http://localhost"


def add_users(register) -> None:
    """The test users (password :data:`PASSWORD`), once per register."""
    store = register if isinstance(register, Register) else Register(register)
    present = {user.name for user, _ in accounts.list_users(store)}
    for name, role in USERS.items():
        if name not in present:
            accounts.add_user(store, name, role, PASSWORD, display_name="Лев Юрьев" if name == "lev" else None)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


class SignedIn:
    def __init__(self, app, user: str | None = "anna", lang: str = "en") -> None:
        self.client = app.test_client()
        self.client.set_cookie("clausegen_lang", lang, domain="localhost")
        self.token = csrf_of(self.client.get("/sign-in").get_data(as_text=True))
        if user is not None:
            response = self.post("/sign-in", data={"name": user, "password": PASSWORD})
            assert response.status_code == 303, response.get_data(as_text=True)
            self.token = csrf_of(self.client.get("/").get_data(as_text=True))

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data=None, *, csrf: bool = True, origin: str | None = ORIGIN, headers=None, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        headers = dict(headers or {})
        if origin is not None:
            headers.setdefault("Origin", origin)
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def set_cookie(self, *args, **kwargs):
        return self.client.set_cookie(*args, **kwargs)
