"""The web form for a team (issue 15): users and sign-in, sessions, CSRF and Origin, roles and the
legal approval, the signed-in user in every register row, drafts."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, invoke, modified
from webclient import PASSWORD, SignedIn, add_users, csrf_of

from clausegen import accounts, drafts
from clausegen.register import Register
from clausegen.web import create_app, forms


@pytest.fixture(scope="module")
def app(register_path):
    add_users(register_path)
    return create_app(company=COMPANY, register=register_path)


def deal_json(page: str) -> str:
    return html.unescape(re.search(r'name="deal_json" value="([^"]*)"', page).group(1))


def upload(client, path):
    return client.post("/upload", data={"deal_file": (io.BytesIO(path.read_bytes()), path.name)},
                       content_type="multipart/form-data")


def check(client, data: dict):
    values, _ = forms.deal_to_form(data)
    return client.post("/check", data=values)


# ------------------------------------------------------------------ users


def test_users_add_list_remove_from_the_command_line(tmp_path):
    register = tmp_path / "r.sqlite"
    result = invoke("users", "add", "maria", "--role", "legal", "--display-name", "Соколова М. П.",
                    "--password-stdin", "--register", register, input="a long password\n")
    assert result.exit_code == 0, result.output
    listed = invoke("users", "list", "--register", register)
    assert listed.stdout.splitlines() == ["maria\tlegal «Соколова М. П.»"]
    again = invoke("users", "add", "maria", "--role", "sales", "--password-stdin", "--register", register,
                   input="a long password\n")
    assert again.exit_code == 2 and "already a user 'maria'" in again.stderr
    assert invoke("users", "remove", "maria", "--register", register).exit_code == 0
    assert invoke("users", "list", "--register", register).stdout == ""


def test_a_short_password_or_an_unknown_role_is_refused(tmp_path):
    register = tmp_path / "r.sqlite"
    short = invoke("users", "add", "x", "--role", "sales", "--password-stdin", "--register", register, input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.stderr
    assert invoke("users", "add", "x", "--role", "boss", "--password-stdin", "--register", register,
                  input="a long password\n").exit_code == 2


def test_passwords_are_stored_as_scrypt_hashes(tmp_path):
    from sqlalchemy import select

    from clausegen.register import users

    store = Register(tmp_path / "r.sqlite")
    accounts.add_user(store, "anna", "sales", "a long password")
    with store.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt:") and "a long password" not in stored


def test_a_register_made_before_users_gains_the_tables_and_keeps_its_rows(tmp_path):
    import sqlite3

    from clausegen import api

    path = tmp_path / "old.sqlite"
    deal = api.load_deal(EXAMPLE_DEALS["saas-clinic-ae"], COMPANY).deal
    screening = api.screen_deal(deal)
    api.record(deal, screening, [], command="annex", source="x", register=path)
    with sqlite3.connect(path) as connection:  # as an earlier version left it
        connection.execute("DROP TABLE users")
        connection.execute("DROP TABLE drafts")
    store = Register(path)
    accounts.add_user(store, "anna", "sales", "a long password")
    assert store.count() == 1 and [u.name for u, _ in accounts.list_users(store)] == ["anna"]


def test_five_wrong_passwords_lock_the_name_for_a_while(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    accounts.add_user(store, "anna", "sales", "a long password")
    now = datetime.now(timezone.utc)
    for _ in range(accounts.MAX_FAILURES - 1):
        assert accounts.sign_in(store, "anna", "wrong", now).refused == "wrong"
    assert accounts.sign_in(store, "anna", "wrong", now).refused == "locked"
    assert accounts.sign_in(store, "anna", "a long password", now).refused == "locked"  # even the right one
    later = now + timedelta(minutes=accounts.LOCK_MINUTES, seconds=1)
    assert accounts.sign_in(store, "anna", "a long password", later).user.name == "anna"


def test_an_unknown_name_is_told_apart_from_a_wrong_password_by_nothing(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    accounts.add_user(store, "anna", "sales", "a long password")
    assert accounts.sign_in(store, "nobody", "x").refused == accounts.sign_in(store, "anna", "x").refused == "wrong"


# ------------------------------------------------------------------ sign-in and sessions


def test_every_page_but_sign_in_needs_a_signed_in_user(app):
    client = app.test_client()
    response = client.get("/drafts")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in?next=/drafts"
    assert client.get("/sign-in").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_signing_in_sets_an_httponly_samesite_session_cookie_and_goes_where_asked(app):
    client = SignedIn(app, None)
    response = client.post("/sign-in", data={"name": "anna", "password": PASSWORD, "next": "/drafts"})
    assert response.status_code == 303 and response.headers["Location"] == "/drafts"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # loopback: plain HTTP
    assert "anna" in client.get("/").get_data(as_text=True)


def test_off_loopback_the_session_cookie_is_secure(register_path):
    add_users(register_path)
    app = create_app(company=COMPANY, register=register_path, loopback_only=False)
    client = app.test_client()
    token = csrf_of(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"name": "anna", "password": PASSWORD, "csrf_token": token},
                           headers={"Origin": "http://localhost"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_is_refused_and_an_outside_next_is_ignored(app):
    client = SignedIn(app, None)
    response = client.post("/sign-in", data={"name": "anna", "password": "wrong password"})
    assert response.status_code == 401 and "wrong" in response.get_data(as_text=True)
    response = client.post("/sign-in", data={"name": "anna", "password": PASSWORD, "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_signing_out_ends_the_session(app):
    client = SignedIn(app, "anna")
    assert client.post("/sign-out").status_code == 303
    assert client.get("/").status_code == 303


def test_a_removed_user_is_signed_out_at_the_next_request(register_path, tmp_path):
    store = Register(tmp_path / "r.sqlite")
    add_users(store)
    client = SignedIn(create_app(company=COMPANY, register=store), "boris")
    accounts.remove_user(store, "boris")
    assert client.get("/").status_code == 303


# ------------------------------------------------------------------ CSRF and Origin


def test_a_post_without_the_csrf_token_is_refused(app):
    response = SignedIn(app).post("/check", data={}, csrf=False)
    assert response.status_code == 403 and "security token" in response.get_data(as_text=True)


def test_a_post_with_a_forged_csrf_token_is_refused(app):
    response = SignedIn(app).post("/check", data={"csrf_token": "forged.token.value"})
    assert response.status_code == 403


@pytest.mark.parametrize("origin", [None, "null", "https://attacker.example", "http://localhost.attacker.example"])
def test_a_post_whose_origin_is_missing_null_or_another_site_is_refused(app, register_path, origin):
    client = SignedIn(app)
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    before = Register(register_path).count()
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"}, origin=origin)
    assert response.status_code == 403 and "Origin" in response.get_data(as_text=True)
    assert Register(register_path).count() == before  # nothing appended to the register


# ------------------------------------------------------------------ roles and approvals


def test_sales_download_a_proceed_deal_and_the_row_names_them(app, register_path):
    client = SignedIn(app, "anna")
    page = check(client, modified(changes={"deal_id": "ROLE-PROCEED"})).get_data(as_text=True)
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 200
    assert Register(register_path).history("ROLE-PROCEED")[-1]["user_name"] == "anna"


def test_an_enhanced_due_diligence_deal_waits_for_a_legal_approval(app, register_path):
    sales, legal = SignedIn(app, "anna"), SignedIn(app, "lev")
    page = upload(sales, EXAMPLE_DEALS["onprem-logistics-kz"]).get_data(as_text=True)
    assert 'id="awaiting-approval"' in page and 'id="download-annex"' not in page
    assert sales.post("/download", data={"deal_json": deal_json(page), "document": "annex"}).status_code == 403
    # submitted: the screening report recorded by sales, then listed for legal
    submitted = sales.post("/approval-request", data={"deal_json": deal_json(page)})
    assert submitted.status_code == 200 and "Submitted for approval" in submitted.get_data(as_text=True)
    row = Register(register_path).history("EXP-2026-0157")[-1]
    assert (row["user_name"], row["decision"], [d["kind"] for d in row["documents"]]) == \
        ("anna", "enhanced_due_diligence", ["screening-report"])
    assert sales.get("/approvals").status_code == 403
    listing = legal.get("/approvals").get_data(as_text=True)
    assert f'href="/approvals/{row["id"]}"' in listing
    assert "Excessive confidentiality demands" in legal.get(f"/approvals/{row['id']}").get_data(as_text=True)
    assert legal.post(f"/approvals/{row['id']}", data={"position": "Head of Legal"}).status_code == 303
    approval = Register(register_path).approval("EXP-2026-0157", "enhanced_due_diligence")
    assert (approval["name"], approval["user_name"], approval["record_id"]) == ("Лев Юрьев", "lev", row["id"])
    # now sales download, and the row records the approval
    page = upload(sales, EXAMPLE_DEALS["onprem-logistics-kz"]).get_data(as_text=True)
    assert 'id="download-annex"' in page
    assert sales.post("/download", data={"deal_json": deal_json(page), "document": "annex"}).status_code == 200
    last = Register(register_path).history("EXP-2026-0157")[-1]
    assert last["user_name"] == "anna" and last["approved_by"].startswith("Лев Юрьев")


def test_an_approval_covers_the_deal_as_approved_not_a_changed_one(app, register_path):
    sales, legal = SignedIn(app, "anna"), SignedIn(app, "lev")
    data = modified(changes={"deal_id": "ROLE-EDD-CHANGE", "red_flags": [7]})
    page = check(sales, data).get_data(as_text=True)
    sales.post("/approval-request", data={"deal_json": deal_json(page)})
    row = Register(register_path).history("ROLE-EDD-CHANGE")[-1]
    legal.post(f"/approvals/{row['id']}", data={})
    changed = modified(changes={"deal_id": "ROLE-EDD-CHANGE", "red_flags": [7], "payment.amount": 999999})
    page = check(sales, changed).get_data(as_text=True)
    assert 'id="awaiting-approval"' in page
    assert sales.post("/download", data={"deal_json": deal_json(page), "document": "annex"}).status_code == 403


def test_the_approval_page_groups_the_amount_and_says_a_declared_indicator_once(app, register_path):
    sales, russian = SignedIn(app, "anna"), SignedIn(app, "lev", lang="ru")
    data = modified(changes={"deal_id": "ROLE-EDD-PAGE", "red_flags": [7], "payment.amount": 84000})
    sales.post("/approval-request", data={"deal_json": deal_json(check(sales, data).get_data(as_text=True))})
    row = Register(register_path).history("ROLE-EDD-PAGE")[-1]
    page = russian.get(f"/approvals/{row['id']}").get_data(as_text=True)
    assert "84\u00a0000" in page and "84000" not in page
    assert "<code>отмечен командой сделки</code>" in page and "отмеченные командой сделки:" not in page
    assert "от имени" not in page and "будет указан пользователь Лев Юрьев" in page
    english = SignedIn(app, "lev").get(f"/approvals/{row['id']}").get_data(as_text=True)
    assert "84,000" in english and "<code>declared by the deal team</code>" in english


def test_legal_download_without_waiting(app):
    page = upload(SignedIn(app, "lev"), EXAMPLE_DEALS["weights-research-in"]).get_data(as_text=True)
    assert 'id="download-annex"' in page and 'id="awaiting-approval"' not in page


# ------------------------------------------------------------------ drafts


def test_a_draft_keeps_an_unfinished_deal_with_its_problems_and_resumes(app, register_path):
    client = SignedIn(app, "boris")
    values = {"deal_id": "DRAFT-1", "counterparty.name.en": "Harbour Freight Ltd", "counterparty.email": "nope"}
    saved = client.post("/drafts", data=values)
    assert saved.status_code == 200 and "Saved as a draft" in saved.get_data(as_text=True)
    draft_id = int(re.search(r'name="draft_id" value="(\d+)"', saved.get_data(as_text=True)).group(1))
    listing = client.get("/drafts").get_data(as_text=True)
    assert f'data-draft="{draft_id}"' in listing and "DRAFT-1" in listing and "Harbour Freight Ltd" in listing
    stored = drafts.get(Register(register_path), "boris", draft_id)
    assert any("e-mail address" in message for _, field, message in stored.problems if field == "counterparty.email")
    resumed = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'value="nope"' in resumed and "e-mail address" in resumed and f'value="{draft_id}"' in resumed
    # saved again from the resumed form: the same draft, not a second one
    client.post("/drafts", data={**values, "counterparty.email": "legal@harbour.example", "draft_id": draft_id})
    assert [d.id for d in drafts.mine(Register(register_path), "boris")].count(draft_id) == 1
    assert drafts.get(Register(register_path), "boris", draft_id).form["counterparty.email"] == "legal@harbour.example"


def test_a_draft_is_its_owners_only_and_can_be_deleted(app, register_path):
    owner, other = SignedIn(app, "boris"), SignedIn(app, "anna")
    page = owner.post("/drafts", data={"deal_id": "DRAFT-2"}).get_data(as_text=True)
    draft_id = int(re.search(r'name="draft_id" value="(\d+)"', page).group(1))
    assert other.get(f"/drafts/{draft_id}").status_code == 404
    assert other.post(f"/drafts/{draft_id}/delete").status_code == 404
    assert f'data-draft="{draft_id}"' not in other.get("/drafts").get_data(as_text=True)
    assert owner.post(f"/drafts/{draft_id}/delete").status_code == 303
    assert owner.get(f"/drafts/{draft_id}").status_code == 404
