"""Drafts: save the form unfinished, list "my drafts", resume one, delete one (owner only)."""

from __future__ import annotations

from flask import Flask, Response, redirect, render_template, request, url_for

from .. import drafts
from . import forms
from .app import checked, page
from .auth import current_user
from .context import ctx
from .i18n import _
from .pages import refuse


def _title(values: forms.FormValues) -> str:
    for name in ("counterparty.name.ru", "counterparty.name.en", "solution.name.ru", "solution.name.en"):
        if (values.get(name) or "").strip():
            return values[name].strip()
    return ""


def install(app: Flask) -> None:
    @app.post("/drafts")
    def save_draft() -> Response:
        values = forms.read_form(request.form)
        state = checked(values)  # the warnings and errors are kept with the draft, as the list shows them
        problems = [(p.severity, p.field, forms.plain(p)) for p in state.errors + state.warnings]
        given = request.form.get("draft_id", "")
        try:
            draft_id = drafts.save(ctx().store, current_user().name, values, problems,
                                   deal_id=str(values.get("deal_id", "")).strip(), title=_title(values),
                                   draft_id=int(given) if given.isdigit() else None)
        except drafts.TooManyDrafts:
            return refuse(409, _("You have %(count)s drafts, the most one person can keep. Delete some first.",
                                 count=drafts.MAX_DRAFTS))
        note = _("Saved as a draft. It is listed under “My drafts”; continue it from there at any time.")
        return page(state, notes=[note], draft_id=draft_id)

    @app.get("/drafts")
    def my_drafts() -> Response:
        found = drafts.mine(ctx().store, current_user().name)
        return Response(render_template("drafts.html", drafts=found, note=request.args.get("note")),
                        mimetype="text/html")

    @app.get("/drafts/<int:draft_id>")
    def resume_draft(draft_id: int) -> Response:
        draft = drafts.get(ctx().store, current_user().name, draft_id)
        if draft is None:
            return refuse(404, _("There is no such draft of yours."))
        values = {name: value for name, value in draft.form.items() if isinstance(name, str)}
        return page(checked(values), notes=[_("Draft resumed; it was saved on %(when)s.",
                                              when=draft.saved_at.replace("T", " ")[:16] + " UTC")],
                    draft_id=draft.id)

    @app.post("/drafts/<int:draft_id>/delete")
    def delete_draft(draft_id: int) -> Response:
        if not drafts.remove(ctx().store, current_user().name, draft_id):
            return refuse(404, _("There is no such draft of yours."))
        return redirect(url_for("my_drafts", note="deleted"), code=303)
