"""The web form's languages (issue 15): Russian by default, English on the switch, one catalogue; no page,
in any state, shows text of the other language outside the deal's own data and a short allow-list."""

from __future__ import annotations

import html
import importlib.util
import io
import re
from html.parser import HTMLParser

import pytest
import yaml
from helpers import COMPANY, EXAMPLE_DEALS, EXAMPLES, modified
from webclient import SignedIn, add_users

from clausegen.register import Register
from clausegen.web import create_app, forms

TOOL = EXAMPLES.parent / "tools" / "web_messages.py"

#: Latin words a Russian page may show: names of formats and programs, codes, examples of codes.
LATIN_ALLOWED = {"clausegen", "YAML", "JSON", "PDF", "DOCX", "ZIP", "UTC", "HTTP", "RU", "EN", "SaaS", "LibreOffice",
                 "EXP", "LA", "USD", "AE", "company", "yaml", "clausegen.yaml", "healthcare", "logistics", "legal",
                 "example.com", "name", "localhost", "http", "BEAC", "anna", "lev", "PORT", "saas"}
#: Russian a page in English keeps on purpose: examples of what to type in Russian.
CYRILLIC_ALLOWED = {"Иванов", "Иван", "Иванович", "Генеральный", "директор", "Устав", "ЕГРЮЛ", "Договор", "Отдел",
                    "экспортного", "контроля", "ЗИ", "КП", "ракетный", "действующего", "действующей"}


def _tool():
    spec = importlib.util.spec_from_file_location("web_messages", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_text_of_the_interface_has_its_russian_and_the_mo_is_compiled_from_the_po():
    tool = _tool()
    catalog = tool.load_po()
    assert tool.missing(catalog) == []
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in tool.extract() if m.id}
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert extracted - present == set(), "run python3 tools/web_messages.py and translate the new texts"
    assert tool.MO.read_bytes() == tool.compiled(catalog), "run python3 tools/web_messages.py --compile"


def test_every_translation_keeps_the_placeholders_of_its_text():
    for message in _tool().load_po():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)s", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)s", string)) <= wanted | {"num"}, message.id
            if wanted - {"detail"} and "%(" in ids[-1]:
                assert wanted - {"detail"} <= set(re.findall(r"%\((\w+)\)s", string)) | {"num"}, message.id


@pytest.fixture(scope="module")
def app(register_path):
    add_users(register_path)
    return create_app(company=COMPANY, register=register_path)


def test_russian_is_the_default_and_english_is_a_switch(app):
    client = SignedIn(app, "anna", lang="xx")  # no usable choice: the default
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in page and ">Проверить<" in page
    switched = client.get("/language/en?next=/drafts")
    assert switched.status_code == 303 and switched.headers["Location"] == "/drafts"
    assert "clausegen_lang=en" in switched.headers["Set-Cookie"]
    page = client.get("/drafts").get_data(as_text=True)
    assert '<html lang="en">' in page and "My drafts" in page
    assert client.get("/language/ru?next=//evil.example").headers["Location"] == "/"


class _Visible(HTMLParser):
    """The text a person reads: text nodes and the attributes shown (placeholder, title, label, aria-label),
    without code, scripts, the values in the inputs and the deal as sent back (hidden fields)."""

    SKIP = {"code", "script", "style", "textarea", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "label", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {str(value)} if value is not None else set()


def _foreign_words(page: str, data: set[str], lang: str) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    text = html.unescape("\n".join(parser.parts))
    for value in sorted(data, key=len, reverse=True):  # the deal's and the profile's own values are data
        if len(value) > 2:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", text)  # e-mail addresses
    text = re.sub(r"https?://\S+", " ", text)
    if lang == "ru":
        words = re.findall(r"[A-Za-z][\w'’.-]*[A-Za-z]|[A-Za-z]", text)
        return [w for w in words if w not in LATIN_ALLOWED and not re.fullmatch(r"[A-Z]{2,4}|[A-Z]{1,3}\d*", w)
                and not re.fullmatch(r"[a-z]+(_[a-z]+)+", w)]
    words = re.findall(r"[А-Яа-яЁё]+", text)
    return [w for w in words if w not in CYRILLIC_ALLOWED]


def _profile_strings() -> set[str]:
    return _strings(yaml.safe_load(COMPANY.read_text(encoding="utf-8")))


def _pages(app, lang: str, register_path) -> list[tuple[str, str, set[str]]]:
    """(what, page, the data it shows) for every page and state of the form."""
    sales, legal = SignedIn(app, "anna", lang=lang), SignedIn(app, "lev", lang=lang)
    anonymous = app.test_client()
    anonymous.set_cookie("clausegen_lang", lang, domain="localhost")
    profile = _profile_strings() | {"anna", "lev", "Лев Юрьев"}
    pages = [("sign-in", anonymous.get("/sign-in").get_data(as_text=True), profile),
             ("empty form", sales.get("/").get_data(as_text=True), profile)]
    wrong = anonymous.post("/sign-in", data={"name": "anna", "password": "wrong"}, headers={"Origin": "http://localhost"})
    pages.append(("sign-in refused (no CSRF)", wrong.get_data(as_text=True), profile))
    for stem, path in sorted(EXAMPLE_DEALS.items()):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        page = sales.post("/upload", data={"deal_file": (io.BytesIO(path.read_bytes()), path.name)},
                          content_type="multipart/form-data").get_data(as_text=True)
        pages.append((f"example {stem}", page, profile | _strings(data) | {path.name}))
    broken = modified(changes={"counterparty.email": "legal-at-harbour", "payment.amount": "45 000 EUR",
                               "contract.date": "2026-13-45", "counterparty.country": "XX",
                               "end_use.purpose.en": "Сортировка документов", "solution.delivery": "cloud",
                               "counterparty.signatory.name": {"en": "Alex Kim"}})
    del broken["contract"]["number"]
    values, _ = forms.deal_to_form(broken)
    values["counterparty.activities.other"] = "missiles"
    values["end_use.purpose.en"] = "Target recognition for the armed forces"
    pages.append(("validation errors and warnings", sales.post("/check", data=values).get_data(as_text=True),
                  profile | _strings(broken) | set(values.values() if False else [])
                  | {"Target recognition for the armed forces", "armed forces", "missiles", "missile", "cloud",
                     "Alex Kim", "legal-at-harbour", "45 000 EUR", "XX", "2026-13-45"}))
    draft = sales.post("/drafts", data={**values, "deal_id": "I18N-DRAFT"})
    pages.append(("draft saved", draft.get_data(as_text=True), pages[-1][2] | {"I18N-DRAFT"}))
    pages.append(("drafts list", sales.get("/drafts").get_data(as_text=True), profile | _all_examples()
                  | {"I18N-DRAFT", "Harbour Freight Analytics Ltd"}))
    edd = EXAMPLE_DEALS["onprem-logistics-kz"]
    page = sales.post("/upload", data={"deal_file": (io.BytesIO(edd.read_bytes()), edd.name)},
                      content_type="multipart/form-data").get_data(as_text=True)
    deal_json = html.unescape(re.search(r'name="deal_json" value="([^"]*)"', page).group(1))
    edd_data = profile | _strings(yaml.safe_load(edd.read_text(encoding="utf-8")))
    edd_data |= {edd.name}
    pages.append(("submitted", sales.post("/approval-request", data={"deal_json": deal_json}).get_data(as_text=True),
                  edd_data))
    pages.append(("approvals", legal.get("/approvals").get_data(as_text=True), edd_data | _all_examples()))
    row = Register(register_path).history("EXP-2026-0157")[-1]
    pages.append(("approval view", legal.get(f"/approvals/{row['id']}").get_data(as_text=True), edd_data))
    pages.append(("not found", sales.get("/nothing").get_data(as_text=True), profile))
    pages.append(("no CSRF", sales.post("/check", data={}, csrf=False).get_data(as_text=True), profile))
    pages.append(("no Origin", sales.post("/check", data={}, origin=None).get_data(as_text=True), profile))
    pages.append(("awaiting", sales.post("/download", data={"deal_json": deal_json, "document": "all"})
                  .get_data(as_text=True), edd_data))
    return pages


def _all_examples() -> set[str]:
    return set().union(*(_strings(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in EXAMPLE_DEALS.values()))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_no_page_shows_text_of_the_other_language(app, register_path, lang):
    found = {what: words for what, page, data in _pages(app, lang, register_path)
             if (words := _foreign_words(page, data, lang))}
    assert found == {}
