"""The web form through Flask's test client (issue 7): form ⇄ deal, validation next to the fields,
screening and the gate, downloads and the register, access tokens, limits, headers, error pages.

The browser tests are in test_web_browser.py.
"""

from __future__ import annotations

import ast
import html
import io
import json
import logging
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import COMPANY, EXAMPLE_DEALS, EXPECTED_DECISIONS, PACKAGE, base_deal, modified

from clausegen import api
from clausegen.register import Register
from clausegen.render import docx_rows
from clausegen.sources import MAX_DEAL_BYTES, RawRecord, parse_text
from clausegen.validation import validate_deal
from clausegen.web import ServeError, create_app, forms, make_web_server, serve
from webclient import SignedIn, add_users

TOKEN = "a-test-token-that-is-long-enough"


@pytest.fixture(scope="module")
def app(register_path):
    add_users(register_path)
    return create_app(company=COMPANY, register=register_path)


@pytest.fixture
def client(app):
    """A sales user, signed in, the interface in English (the messages below are the English ones)."""
    return SignedIn(app, "anna")


@pytest.fixture
def legal(app):
    """A legal user: downloads what a decision allows without waiting for an approval."""
    return SignedIn(app, "lev")


def deal_values(data: dict) -> dict:
    """What the browser posts for ``data``: the form values of deal_to_form, flattened for the client."""
    values, leftovers = forms.deal_to_form(data)
    assert leftovers == []
    return values


def post_deal(client, data: dict, url: str = "/check"):
    return client.post(url, data=deal_values(data))


def field_messages(page: str, name: str) -> list[str]:
    """The messages shown next to the input ``name`` (its wrapper holds them)."""
    anchor = forms.field_id(name)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in
            re.findall(rf'<p class="msg [a-z]+" id="{anchor}-msg-\d+">(.*?)</p>', page, re.S)]


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', page)
    value = re.search(r'\svalue="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else None


def decision(page: str) -> str | None:
    found = re.search(r'data-decision="([^"]+)"', page)
    return found.group(1) if found else None


def offered(page: str) -> list[str]:
    return re.findall(r'<tr data-document="([^"]+)">', page)


def deal_json(page: str) -> str:
    return html.unescape(re.search(r'name="deal_json" value="([^"]*)"', page).group(1))


def upload(client, path: Path, name: str | None = None):
    return client.post("/upload", data={"deal_file": (io.BytesIO(path.read_bytes()), name or path.name)},
                       content_type="multipart/form-data")


# ------------------------------------------------------------------ form <-> deal


@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_every_example_goes_through_the_form_unchanged(stem):
    record = parse_text(EXAMPLE_DEALS[stem].read_text(encoding="utf-8"), EXAMPLE_DEALS[stem].name)
    values, leftovers = forms.deal_to_form(record.data)
    assert leftovers == []
    profile = api.load_profile(COMPANY)
    original = validate_deal(record, profile).deal
    through_form = validate_deal(RawRecord(forms.form_to_deal(values), "web form"), profile).deal
    # activity tags are a set: the form lists the ticked ones first, then the others as typed
    assert sorted(through_form.counterparty.activities) == sorted(original.counterparty.activities)
    tags = original.counterparty.activities
    assert through_form.model_copy(update={"counterparty": through_form.counterparty.model_copy(
        update={"activities": tags})}) == original


def test_the_form_has_an_input_for_every_field_of_the_deal_format(client):
    page = client.get("/").get_data(as_text=True)
    names = set(re.findall(r'name="([^"]+)"', page))
    for field in forms.FIELDS:
        if field.kind == "knowledge":
            assert {path for path, *_ in forms.KNOWLEDGE} <= names
        elif field.kind == "end_users":
            assert {f"end_use.end_users[0].{part}" for part in forms.END_USER_PARTS} <= names
        else:
            assert set(field.names) <= names, field.path
    assert len(re.findall(r'name="red_flags" value="\d+"', page)) == 22
    assert 'name="deal_file"' in page
    # the supplier comes from the company profile: its name is the grey placeholder, not a value
    assert 'placeholder="Neuroset Limited Liability Company"' in page


def test_every_top_level_field_of_the_model_is_in_the_form():
    from clausegen.model import Deal

    paths = {field.path.split(".")[0] for field in forms.FIELDS} | {"supplier"}
    assert set(Deal.model_fields) <= paths


def test_numbers_typed_by_people_are_read_as_numbers():
    data = forms.form_to_deal({"payment.amount": "1 250 000,50", "contract.annex_number": "2",
                               "payment.currency": "USD"})
    assert data["payment"] == {"amount": 1250000.5, "currency": "USD"}
    assert data["contract"]["annex_number"] == 2
    assert forms.form_to_deal({"payment.amount": "12abc"})["payment"]["amount"] == "12abc"


def test_empty_fields_are_left_out_so_defaults_apply():
    data = forms.form_to_deal({"deal_id": "X-1", "contract.title.ru": "", "contract.title.en": "  ",
                               "end_use.end_users[0].name.en": "", "end_use.end_users[0].country": ""})
    assert data == {"deal_id": "X-1", "contract": {}, "supplier": {}, "counterparty": {}, "solution": {}}
    assert forms.deal_file_data(data) == {"deal_id": "X-1"}


def test_changing_one_supplier_text_keeps_the_rest_of_the_profile(client):
    values = {**deal_values(modified()), "supplier.name.en": "Neuroset International LLC",
              "supplier.signatory.position.en": "Chief Executive Officer", "format": "yaml"}
    saved = yaml.safe_load(client.post("/deal-file", data=values).data)
    assert saved["supplier"] == {
        "name": {"ru": "Общество с ограниченной ответственностью «Нейросеть»", "en": "Neuroset International LLC"},
        "signatory": {"name": {"ru": "Кузнецова Мария Сергеевна", "en": "Maria Kuznetsova"},
                      "position": {"ru": "Генеральный директор", "en": "Chief Executive Officer"},
                      "acting_under": {"ru": "Устав", "en": "the Charter"}},
    }
    assert decision(client.post("/check", data=values).get_data(as_text=True)) == "proceed"


def test_without_a_company_profile_the_supplier_is_asked_for(register_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./clausegen.yaml here
    client = SignedIn(create_app(register=register_path))
    page = client.get("/").get_data(as_text=True)
    assert 'id="sec-supplier"' in page and "from the company profile" not in page
    page = post_deal(client, modified()).get_data(as_text=True)
    assert any("Required" in m for m in field_messages(page, "supplier.name"))
    supplier = yaml.safe_load(COMPANY.read_text(encoding="utf-8"))["supplier"]
    page = post_deal(client, {**modified(), "supplier": supplier}).get_data(as_text=True)
    assert decision(page) == "proceed"


# ------------------------------------------------------------------ validation in the page


def test_a_problem_is_shown_next_to_its_field_and_the_typed_values_are_kept(client):
    data = modified(changes={"counterparty.email": "legal-at-harbour", "payment.amount": "45 000"})
    del data["contract"]["number"]
    page = post_deal(client, data).get_data(as_text=True)
    assert decision(page) is None and offered(page) == []
    assert any("e-mail address" in m for m in field_messages(page, "counterparty.email"))
    assert any("Required" in m for m in field_messages(page, "contract.number"))
    assert input_value(page, "counterparty.email") == "legal-at-harbour"
    assert input_value(page, "deal_id") == "TEST-0001"
    assert 'href="#f-counterparty-email"' in page  # the list at the top links to the field
    assert "2 problems" in page


def test_a_missing_bilingual_text_is_shown_next_to_the_pair(client):
    data = modified()
    del data["solution"]["name"]
    page = post_deal(client, data).get_data(as_text=True)
    assert any("Required" in m for m in field_messages(page, "solution.name"))


def test_an_end_user_problem_is_shown_in_its_row(client):
    data = modified(changes={"end_use.end_users": [{"name": {"en": "A"}, "country": "AE"}, {"name": {"en": "B"}}]})
    page = post_deal(client, data).get_data(as_text=True)
    assert any("Required" in m for m in field_messages(page, "end_use.end_users[1].country"))


def test_empty_end_user_rows_are_dropped_and_problems_land_in_the_right_row(client):
    values = {**deal_values(modified(changes={"end_use.end_users": []})),
              "end_use.end_users[0].name.en": "", "end_use.end_users[0].country": "",
              "end_use.end_users[3].name.en": "Second Ltd", "end_use.end_users[3].country": ""}
    page = client.post("/check", data=values).get_data(as_text=True)
    assert input_value(page, "end_use.end_users[0].name.en") == "Second Ltd"
    assert any("Required" in m for m in field_messages(page, "end_use.end_users[0].country"))
    assert re.findall(r'data-index="(\d+)"', page) == ["0", "1", "999"]  # the row, an empty one, the template


def test_a_warning_is_shown_and_does_not_block(client):
    data = modified(changes={"end_use.purpose.en": "Сортировка документов на складе компании"})
    page = post_deal(client, data).get_data(as_text=True)
    assert any("not English" in m for m in field_messages(page, "end_use.purpose.en"))
    assert decision(page) == "proceed"
    assert 'id="warnings"' in page and 'href="#f-end-use-purpose-en"' in page
    assert 'id="problems"' not in page


def test_an_uploaded_unknown_key_is_reported_and_the_rest_loaded(client, tmp_path):
    data = base_deal()
    data["counterparty"]["contry"] = "AE"
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    page = upload(client, path).get_data(as_text=True)
    assert "counterparty.contry" in page and "Did you mean “country”?" in page
    assert decision(page) == "proceed"


def test_an_uploaded_unknown_country_is_kept_in_the_drop_down(client, tmp_path):
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(modified(changes={"counterparty.country": "XX"}), default=str), encoding="utf-8")
    page = upload(client, path).get_data(as_text=True)
    assert '<option value="XX" selected>XX — not a known value' in page
    assert any("unknown country code" in m.lower() for m in field_messages(page, "counterparty.country"))


def test_a_broken_upload_is_a_message(client):
    response = client.post("/upload", data={"deal_file": (io.BytesIO(b"deal_id: [unclosed"), "deal.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Not valid YAML" in response.get_data(as_text=True)


def test_text_is_escaped_everywhere(client):
    hostile = "<script>alert(1)</script> & {{ 7*7 }}"
    data = modified(changes={"counterparty.name": {"en": hostile}})
    page = post_deal(client, data).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in page
    assert decision(page) == "proceed"


# ------------------------------------------------------------------ screening and the gate


@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_the_page_shows_the_decision_and_offers_only_what_the_gate_allows(client, stem):
    page = upload(client, EXAMPLE_DEALS[stem]).get_data(as_text=True)
    assert decision(page) == EXPECTED_DECISIONS[stem]
    documents = offered(page)
    assert documents[0] == "screening-report"
    blocked = EXPECTED_DECISIONS[stem] in ("permission_required", "refuse", "outside_declaration")
    assert ("annex" in documents) is not blocked
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    screening = api.screen_deal(deal)
    letters = [d.removeprefix("letter:") for d in documents if d.startswith("letter:")]
    assert sorted(letters) == sorted(screening.letters_allowed())
    assert letters[: len(screening.letters)] == list(screening.letters)  # the recommended ones first
    for reason in screening.reasons:
        assert f"§ {reason.section}" in page and reason.en in html.unescape(page)


def test_indicators_are_shown_with_their_evidence(client):
    page = upload(client, EXAMPLE_DEALS["onprem-logistics-kz"]).get_data(as_text=True)
    assert re.findall(r'data-indicator="(\d+)"', page) == ["7", "13"]
    assert "payment.method: cash" in page
    assert "Excessive confidentiality demands" in page
    russian = upload(SignedIn(client.client.application, "anna", lang="ru"), EXAMPLE_DEALS["onprem-logistics-kz"])
    assert "Избыточные требования о конфиденциальности" in russian.get_data(as_text=True)


def test_a_blocked_deal_says_what_to_do_next_and_refuses_the_annex(legal):
    client = legal
    page = upload(client, EXAMPLE_DEALS["hold-vision-tr"]).get_data(as_text=True)
    assert "What to do next" in page and "hold letter" in page and "Commission" in page
    assert "annex" not in offered(page) and "letter:hold" in offered(page)
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 409
    assert response.mimetype == "text/html"


# ------------------------------------------------------------------ downloads and the register


def test_the_annex_download_is_a_docx_with_the_counterparty_in_both_columns(client, register_path):
    data = modified(changes={"counterparty.name": {"ru": "ООО «Харбор Фрейт»", "en": "Harbour Freight Ltd"},
                             "deal_id": "WEB-ANNEX-1"})
    page = post_deal(client, data).get_data(as_text=True)
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=WEB-ANNEX-1-annex.docx"
    rows = [row for row in docx_rows(response.data) if len(row) == 2]
    assert any("ООО «Харбор Фрейт»" in ru and "Harbour Freight Ltd" in en for ru, en in rows)
    history = Register(register_path).history("WEB-ANNEX-1")
    assert [(row["command"], row["source"]) for row in history] == [("web", "web form")]
    assert [d["kind"] for d in history[0]["documents"]] == ["annex"]


def test_all_documents_come_as_one_zip_and_one_register_row(legal, register_path):
    client = legal
    page = upload(client, EXAMPLE_DEALS["onprem-logistics-kz"]).get_data(as_text=True)
    before = len(Register(register_path).history("EXP-2026-0157"))
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "all"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert all(docx_rows(archive.read(name)) for name in names)
    assert names == ["EXP-2026-0157-screening.docx", "EXP-2026-0157-annex.docx", "EXP-2026-0157-notice.docx",
                     "EXP-2026-0157-enduse-request.docx", "EXP-2026-0157-end-user-statement.docx"]
    history = Register(register_path).history("EXP-2026-0157")
    assert len(history) == before + 1
    assert len(history[-1]["documents"]) == 5


def test_a_letter_in_one_language(legal):
    client = legal
    page = upload(client, EXAMPLE_DEALS["hold-vision-tr"]).get_data(as_text=True)
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "letter:hold",
                                               "letter_lang": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("EXP-2026-0180-hold-en.docx")


def test_a_tampered_deal_is_validated_again(client):
    page = upload(client, EXAMPLE_DEALS["hold-vision-tr"]).get_data(as_text=True)
    data = json.loads(deal_json(page))
    data["knowledge"] = {}  # claim the concern away: the server screens what it is sent, and validates it
    data["counterparty"]["country"] = "XX"
    response = client.post("/download", data={"deal_json": json.dumps(data), "document": "annex"})
    assert response.status_code == 400
    assert "Unknown country code" in response.get_data(as_text=True)
    assert client.post("/download", data={"deal_json": "not json", "document": "annex"}).status_code == 400


def test_when_recording_fails_nothing_is_handed_out(client, monkeypatch):
    from clausegen.errors import OutputError

    def refuse(*args, **kwargs):
        raise OutputError("cannot write to the register: disk full")

    monkeypatch.setattr(api, "record", refuse)
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "could not be recorded in the register" in response.get_data(as_text=True)


@pytest.mark.libreoffice
def test_pdf_copies_when_libreoffice_is_present(legal):
    client = legal
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        if os.environ.get("CLAUSEGEN_REQUIRE_READERS", "") not in ("", "0"):
            pytest.fail("LibreOffice (soffice) not found, and CLAUSEGEN_REQUIRE_READERS is set")
        pytest.skip("LibreOffice (soffice) not found: the form offers no PDF")
    page = upload(client, EXAMPLE_DEALS["refuse-drone-xx"]).get_data(as_text=True)
    assert 'id="download-letter-refusal-pdf"' in page
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "all", "zip_pdf": "true"})
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == ["EXP-2026-0188-screening.docx", "EXP-2026-0188-refusal.docx",
                                      "EXP-2026-0188-screening.pdf", "EXP-2026-0188-refusal.pdf"]
        assert archive.read("EXP-2026-0188-refusal.pdf").startswith(b"%PDF")


class FakePdf:
    """Stands in for clausegen.pdf: "converts" by writing a marker, in the folder it is given."""

    @staticmethod
    def available() -> bool:
        return True

    @staticmethod
    def convert(paths, outdir):
        FakePdf.folders = [path.parent for path in paths]
        targets = [outdir / (path.stem + ".pdf") for path in paths]
        for target in targets:
            target.write_bytes(b"%PDF-fake")
        return targets


def test_one_document_as_pdf_is_converted_in_a_folder_that_is_removed(register_path, monkeypatch):
    import clausegen.web.app as web

    monkeypatch.setattr(web, "_pdf_module", lambda: FakePdf)
    client = SignedIn(create_app(company=COMPANY, register=register_path))
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    response = client.post("/download?format=pdf", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=EXP-2026-0142-annex.pdf"
    assert response.data == b"%PDF-fake"
    assert not any(folder.exists() for folder in FakePdf.folders)


def test_without_libreoffice_no_pdf_is_offered(register_path, monkeypatch):
    import clausegen.web.app as web

    monkeypatch.setattr(web, "_pdf_module", lambda: None)
    add_users(register_path)  # also when this test runs alone
    client = SignedIn(create_app(company=COMPANY, register=register_path))
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    # what the page shows, not its markup: a random sign-in or CSRF token may contain the letters "PDF"
    assert "PDF" not in re.sub(r"<[^>]*>", " ", page)
    response = client.post("/download?format=pdf", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 409


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_form_downloads_as_a_deal_file_that_reads_back(client, fmt):
    data = modified()
    response = client.post("/deal-file", data={**deal_values(data), "format": fmt})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=TEST-0001.{fmt}"
    record = parse_text(response.get_data(as_text=True), f"TEST-0001.{fmt}")
    profile = api.load_profile(COMPANY)
    assert validate_deal(record, profile).deal == validate_deal(RawRecord(data, "x"), profile).deal
    assert "supplier" not in record.data  # it comes from the company profile


def test_an_unfinished_form_can_be_saved(client):
    response = client.post("/deal-file", data={"deal_id": "../../etc", "counterparty.name.en": "Acme",
                                               "format": "yaml"})
    assert response.headers["Content-Disposition"] == "attachment; filename=deal.yaml"
    assert yaml.safe_load(response.data) == {"deal_id": "../../etc", "counterparty": {"name": {"en": "Acme"}}}


def test_the_server_writes_no_file(register_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    client = SignedIn(create_app(company=COMPANY, register=register_path))
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    assert client.post("/download", data={"deal_json": deal_json(page), "document": "all"}).status_code == 200
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ safety


def test_headers_forbid_sniffing_framing_and_inline_script(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert not re.search(r'\sstyle="', page)


@pytest.fixture(scope="module")
def token_app(register_path):
    add_users(register_path)
    return create_app(company=COMPANY, token=TOKEN, register=register_path)


def test_a_script_with_the_token_needs_no_session(token_app, register_path):
    client = token_app.test_client()
    assert client.get("/", headers={"X-Clausegen-Token": TOKEN}).status_code == 200
    assert client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    page = upload_with(client, EXAMPLE_DEALS["saas-clinic-ae"], {"Authorization": f"Bearer {TOKEN}"})
    response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"},
                           headers={"Authorization": f"Bearer {TOKEN}"})  # no CSRF token, no Origin: a script
    assert response.status_code == 200
    assert Register(register_path).history("EXP-2026-0142")[-1]["user_name"] == "token"


def test_a_wrong_token_is_refused(token_app):
    client = token_app.test_client()
    assert client.get("/", headers={"X-Clausegen-Token": "wrong-token-wrong-token"}).status_code == 403
    assert client.get("/", headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 403


def test_a_bearer_token_is_refused_when_the_server_has_none(client):
    assert client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403


def test_a_token_in_the_address_is_no_way_in(token_app):
    response = token_app.test_client().get(f"/?token={TOKEN}")
    assert response.status_code == 303 and response.headers["Location"].startswith("/sign-in")


def test_on_loopback_only_this_computer_is_served(client):
    assert client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
    assert client.get("/", headers={"Host": "attacker.example:8000"}).status_code == 403  # DNS rebinding
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code != 403  # served (the cookie is localhost's)


def test_serve_refuses_a_public_address_with_no_user_to_sign_in(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAUSEGEN_TOKEN", raising=False)
    with pytest.raises(ServeError, match="has no users"):
        serve("0.0.0.0", 0, COMPANY, register=tmp_path / "empty.sqlite")
    with pytest.raises(ServeError, match="at least 16"):
        serve("127.0.0.1", 0, COMPANY, token="short", register=tmp_path / "empty.sqlite")


def test_the_serve_command_refuses_a_public_address_with_no_user(tmp_path, monkeypatch):
    from helpers import invoke

    monkeypatch.delenv("CLAUSEGEN_TOKEN", raising=False)
    result = invoke("serve", "--host", "0.0.0.0", "--port", "0", "--company", COMPANY,
                    "--register", tmp_path / "empty.sqlite")
    assert result.exit_code == 2
    assert "has no users" in result.stderr


def upload_with(client, path: Path, headers: dict) -> str:
    response = client.post("/upload", data={"deal_file": (io.BytesIO(path.read_bytes()), path.name)},
                           content_type="multipart/form-data", headers=headers)
    return response.get_data(as_text=True)




def test_an_upload_over_the_limit_is_refused(client):
    big = io.BytesIO(b"#" * (MAX_DEAL_BYTES + 128 * 1024))
    response = client.post("/upload", data={"deal_file": (big, "deal.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page and "Traceback" not in page


def test_an_unexpected_failure_is_a_message_and_a_log_line(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail /srv/secret")

    monkeypatch.setattr(api, "build_annex", broken)
    page = upload(client, EXAMPLE_DEALS["saas-clinic-ae"]).get_data(as_text=True)
    with caplog.at_level(logging.ERROR, logger="clausegen.web"):
        response = client.post("/download", data={"deal_json": deal_json(page), "document": "annex"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text and "reference" in text
    assert "Traceback" not in text and "secret" not in text and "RuntimeError" not in text
    assert any("RuntimeError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_an_unknown_page_is_a_page(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


# ------------------------------------------------------------------ layering


def _imports(path: Path) -> set[str]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = ".".join(parts[:-1])  # the package a relative import starts from
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_nothing_but_the_cli_imports_the_web_layer():
    importers = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "web" not in path.relative_to(PACKAGE).parts
                 and any(name == "clausegen.web" or name.startswith("clausegen.web.") for name in _imports(path))}
    assert importers <= {"cli.py"}


def test_the_web_layer_uses_neither_the_cli_nor_click():
    for path in (PACKAGE / "web").rglob("*.py"):
        names = _imports(path)
        assert not {n for n in names if n.split(".")[0] == "click" or n.startswith("clausegen.cli")}, path


# ------------------------------------------------------------------ activity tags and the keyword scan (issue 13)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_form_offers_every_tag_of_the_vocabulary_by_its_labels_grouped_by_item(app, lang):
    from clausegen import activities

    page = SignedIn(app, "anna", lang=lang).get("/").get_data(as_text=True)
    for number, tags in activities.by_item():
        group = re.search(rf'<div class="activity-group[^"]*" data-item="{number or "other"}">(.*?)</div>', page, re.S)
        assert group, number
        assert re.findall(r'name="counterparty.activities" value="([a-z_0-9]+)"', group.group(1)) == list(tags)
        for tag in tags:
            assert html.escape(activities.label(tag, lang)) in group.group(1)


def test_a_mistyped_tag_in_the_form_is_refused_next_to_the_tags_with_a_suggestion(client):
    values = {**deal_values(modified()), "counterparty.activities.other": "missiles"}
    page = client.post("/check", data=values).get_data(as_text=True)
    assert decision(page) is None
    assert any("did you mean 'missile'" in m for m in field_messages(page, "counterparty.activities"))


def test_a_possible_indicator_is_shown_next_to_the_text_and_does_not_block(client):
    data = modified(changes={"end_use.purpose.en": "Target recognition for the armed forces"})
    page = post_deal(client, data).get_data(as_text=True)
    assert any("possible indicator 22" in m.lower() and "«armed forces»" in m
               for m in field_messages(page, "end_use.purpose.en"))
    assert decision(page) == "proceed"
    assert 'id="warnings"' in page


def test_activities_other_goes_through_the_form_one_a_line(client):
    data = modified(changes={"counterparty.activities_other": ["Port cranes maintenance", "Грузовой терминал"]})
    values = deal_values(data)
    assert values["counterparty.activities_other"] == "Port cranes maintenance\nГрузовой терминал"
    assert forms.form_to_deal(values)["counterparty"]["activities_other"] == data["counterparty"]["activities_other"]
    page = post_deal(client, data).get_data(as_text=True)
    assert "Грузовой терминал" in page and decision(page) == "proceed"


def test_an_end_users_activities_go_through_the_form_and_a_mistyped_tag_is_shown_in_its_row(client):
    data = modified(changes={"end_use.end_users.0.activities": ["healthcare", "militray_research"],
                             "end_use.end_users.0.activities_other": ["Ремонт судов", "Port cranes"]})
    values = deal_values(data)
    assert values["end_use.end_users[0].activities"] == "healthcare, militray_research"
    assert forms.form_to_deal(values)["end_use"]["end_users"][0] == data["end_use"]["end_users"][0]
    page = post_deal(client, data).get_data(as_text=True)
    assert any("did you mean 'military_research'" in m for m in field_messages(page, "end_use.end_users[0].activities"))
