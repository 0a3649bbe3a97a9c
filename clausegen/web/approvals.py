"""Approvals in the form: sales submit a deal that needs one, a legal user approves it.

A submission records the screening report in the register (a row like any other, with
the deal as checked); the approval is the register's own (``register approve``), of that
row's decision, and covers exactly that deal: sales can then download its documents.
"""

from __future__ import annotations

from flask import Flask, Response, redirect, render_template, request, url_for

from .. import api
from ..errors import ClausegenError
from ..screening import INDICATORS
from . import forms
from .app import build, gate, page, posted_deal, record
from .auth import current_user
from .context import ctx
from .decisions import DECISIONS
from .i18n import _
from .pages import refuse

_TITLES = {spec.number: (spec.ru, spec.en) for spec in INDICATORS}


def install(app: Flask) -> None:
    @app.post("/approval-request")
    def request_approval() -> Response:
        context = ctx()
        posted = posted_deal()
        if isinstance(posted, Response):
            return posted
        data, deal = posted
        with context.work:
            screening = api.screen_deal(deal)
            report = build("screening-report", deal, screening)
        if gate(current_user(), deal, screening) == "open":
            return refuse(409, _("This deal needs no approval for you: download its documents from the form."))
        try:
            row = record(deal, screening, [report], source="web form: submitted for approval")
        except ClausegenError as error:
            return refuse(500, _("The deal could not be recorded in the register: %(error)s", error=str(error)))
        from .app import checked

        values, _leftovers = forms.deal_to_form(data)
        note = _("Submitted for approval (register row %(row)s). A legal user approves it under “Approvals”; "
                 "then check the deal again here and download its documents.", row=row)
        return page(checked(values), notes=[note])

    @app.get("/approvals")
    def approvals() -> Response:
        if not current_user().may_approve():
            return refuse(403, _("Only a legal user or an administrator approves decisions."))
        pending = ctx().store.latest(approval="pending")
        return Response(render_template("approvals.html", rows=pending, decisions=DECISIONS,
                                        note=request.args.get("note")), mimetype="text/html")

    @app.get("/approvals/<int:record_id>")
    def approval(record_id: int) -> Response:
        if not current_user().may_approve():
            return refuse(403, _("Only a legal user or an administrator approves decisions."))
        row = _record(record_id)
        if row is None:
            return refuse(404, _("There is no such record in the register."))
        return Response(render_template("approval.html", row=row, view=DECISIONS[row["decision"]], titles=_TITLES,
                                        approved=_approved(row)), mimetype="text/html")

    @app.post("/approvals/<int:record_id>")
    def approve(record_id: int) -> Response:
        user = current_user()
        if not user.may_approve():
            return refuse(403, _("Only a legal user or an administrator approves decisions."))
        store = ctx().store
        row = _record(record_id)
        if row is None:
            return refuse(404, _("There is no such record in the register."))
        latest = store.history(row["deal_id"])[-1]
        if latest["id"] != row["id"]:
            return refuse(409, _("The deal %(deal)s was recorded again after this record; open the newer one from "
                                 "the list of approvals.", deal=row["deal_id"]))
        position = request.form.get("position", "").strip()[:200] or None
        store.approve(row["deal_id"], user.shown, position, user.name)
        return redirect(url_for("approvals", note=row["deal_id"]), code=303)


def _record(record_id: int) -> dict | None:
    return ctx().store.row(record_id)


def _approved(row: dict) -> dict | None:
    approval = ctx().store.approval(row["deal_id"], row["decision"])
    return approval if approval and approval["record_id"] == row["id"] else None
