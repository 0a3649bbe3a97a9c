"""Error pages: a message in the page's language and the HTTP status, never a traceback."""

from __future__ import annotations

from flask import Response, render_template

from .i18n import N_, _

TITLES = {400: N_("The request could not be used"), 401: N_("Please sign in"), 403: N_("Not allowed"),
          404: N_("Not found"), 405: N_("Not allowed"), 409: N_("Not allowed for this deal"), 413: N_("Too large"),
          429: N_("Too many attempts")}


def refuse(code: int, message: str, title: str | None = None) -> Response:
    """An error page; ``message`` and ``title`` are already in the page's language."""
    title = title or _(TITLES.get(code, N_("Something went wrong") if code >= 500 else N_("Cannot do that")))
    html = render_template("error.html", code=code, title=title, message=message)
    return Response(html, status=code, mimetype="text/html")
