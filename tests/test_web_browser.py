"""The web form in a real browser (issues 7 and 15): Debian's Chromium, headless, driven by Selenium.

The server is the production one, waitress, in a thread on a free port; Selenium uses
/usr/bin/chromedriver and /usr/bin/chromium, so selenium-manager never downloads anything. Where
either is missing the tests skip with the reason, unless ``CLAUSEGEN_REQUIRE_READERS`` is set (CI
sets it): then they fail.

Screenshots (web-*.png: the Russian form, the screening view, a validation error, the drafts list, the
approval view, the English form) are written to /tmp/web-shots/ (or $CLAUSEGEN_WEB_SHOTS) for a person
to look at.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLE_DEALS

from webclient import PASSWORD, add_users

from clausegen.register import Register
from clausegen.render import docx_rows
from clausegen.web import make_web_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "CLAUSEGEN_REQUIRE_READERS"
SHOTS = Path(os.environ.get("CLAUSEGEN_WEB_SHOTS", "/tmp/web-shots"))
TOKEN = "browser-test-token-0123456789"
WAIT = 20  # seconds: a hang guard, not a performance limit


def readers_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _need_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package")
    if missing:
        reason = f"{', '.join(missing)} not found (apt-get install chromium chromium-driver; pip install selenium)"
        if readers_required():
            pytest.fail(f"{reason}, and {REQUIRE_ENV} is set: the browser tests must run here")
        pytest.skip(reason)


# ------------------------------------------------------------------ server and browser


class Server:
    """The web form served by waitress in a thread on a free port."""

    def __init__(self, register, host: str = "127.0.0.1", token: str | None = None) -> None:
        self.server = make_web_server(host, 0, COMPANY, token, register, threads=4)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def server(register_path):
    _need_browser()
    add_users(register_path)
    running = Server(register_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="clausegen-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--lang=en-US", "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(WAIT * 3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def type_into(driver, element_id: str, text: str) -> None:
    element = by_id(driver, element_id)
    element.clear()
    element.send_keys(text)


def choose(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, element_id)).select_by_value(value)


_LEFT: dict[int, object] = {}  # per driver: the page a click may be leaving


def click(driver, element_id: str) -> None:
    element = by_id(driver, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    _LEFT[id(driver)] = driver.find_element("tag name", "html")
    element.click()


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_page(driver, marker_id: str) -> None:
    """Wait for the page that has ``marker_id``; after a click, first for the clicked page to go (the old
    page may have the same marker: reading it as it is replaced raises StaleElementReferenceException, or
    an unknown error saying the node no longer belongs to the document)."""
    from selenium.common.exceptions import (
        NoSuchElementException, StaleElementReferenceException, WebDriverException)

    left = _LEFT.pop(id(driver), None)
    if left is not None:
        def gone() -> bool:
            try:
                left.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                # Chromium sometimes reports the replaced page's node this way instead of as stale
                # (CI, stop 20: "Node with given id does not belong to the document").
                if "does not belong to the document" in str(exc.msg or ""):
                    return True
                raise

        wait_for(gone, "the page to change")

    def present() -> bool:
        try:
            by_id(driver, marker_id)
            return True
        except NoSuchElementException:
            return False

    wait_for(present, f"#{marker_id}")


def shot(driver, name: str, element_id: str | None = None, full: bool = False, block: str = "start") -> Path:
    """A screenshot: the viewport scrolled to ``element_id``, or the whole page."""
    path = SHOTS / name
    if full:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(height + 120, 12000))
        driver.save_screenshot(str(path))
        driver.set_window_size(1280, 1000)
    else:
        if element_id:
            driver.execute_script("arguments[0].scrollIntoView({block: arguments[1]})", by_id(driver, element_id), block)
        driver.save_screenshot(str(path))
    return path


def downloaded(folder: Path, name: str) -> bytes:
    path = folder / name
    wait_for(lambda: path.is_file() and not (folder / f"{name}.crdownload").exists() and path.stat().st_size > 0,
             f"the download {name}")
    return path.read_bytes()


# ------------------------------------------------------------------ signing in and out


def sign_in(driver, server, name: str) -> None:
    """Sign out whoever is signed in, then sign in as ``name``; the page is the deal form."""
    driver.get(server.url + "/sign-in")
    if driver.find_elements("id", "sign-out"):
        click(driver, "sign-out")
        wait_for_page(driver, "sign-in-form")
    wait_for_page(driver, "sign-in-form")
    type_into(driver, "sign-in-name", name)
    type_into(driver, "sign-in-password", PASSWORD)
    click(driver, "sign-in-button")
    wait_for_page(driver, "deal-form")


def language(driver, code: str) -> None:
    if driver.find_elements("id", f"lang-{code}"):
        click(driver, f"lang-{code}")
    wait_for(lambda: driver.find_element("tag name", "html").get_attribute("lang") == code, f"the page in {code}")


def upload_example(driver, stem: str) -> None:
    by_id(driver, "deal-file").send_keys(str(EXAMPLE_DEALS[stem]))
    click(driver, "upload-button")
    wait_for_page(driver, "result")


# ------------------------------------------------------------------ the tests


def test_sign_in_in_russian_by_default(browser, server):
    browser.delete_all_cookies()
    browser.get(server.url + "/")
    wait_for_page(browser, "sign-in-form")  # every page asks to sign in first
    assert browser.find_element("tag name", "html").get_attribute("lang") == "ru"
    type_into(browser, "sign-in-name", "anna")
    type_into(browser, "sign-in-password", "wrong password")
    click(browser, "sign-in-button")
    wait_for_page(browser, "sign-in-error")
    assert "Неверное имя или пароль" in by_id(browser, "sign-in-error").text
    shot(browser, "web-sign-in.png")
    sign_in(browser, server, "anna")
    assert by_id(browser, "check-button").text == "Проверить"
    assert "anna" in by_id(browser, "user-name").text
    shot(browser, "web-form-ru.png")
    shot(browser, "web-form-ru-full.png", full=True)


def test_the_english_switch(browser, server):
    sign_in(browser, server, "anna")
    language(browser, "en")
    assert by_id(browser, "check-button").text == "Check"
    assert browser.title.startswith("Deal form")
    shot(browser, "web-form-en.png")
    language(browser, "ru")
    assert by_id(browser, "check-button").text == "Проверить"


def test_fill_fix_screen_and_download_a_proceed_deal(browser, server, downloads, register_path):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "anna")
    type_into(browser, "f-deal-id", "WEB-BROWSER-1")
    type_into(browser, "f-contract-number", "LA-0777/2026")
    by_id(browser, "f-contract-date").send_keys("11202026")
    if by_id(browser, "f-contract-date").get_attribute("value") != "2026-11-20":  # another date format
        browser.execute_script("arguments[0].value = '2026-11-20'", by_id(browser, "f-contract-date"))
    choose(browser, "f-contract-kind", "license")
    type_into(browser, "f-counterparty-name-ru", "ООО «Харбор Фрейт Аналитикс»")
    type_into(browser, "f-counterparty-name-en", "Harbour Freight Analytics Ltd")
    choose(browser, "f-counterparty-country", "AE")
    type_into(browser, "f-counterparty-address-en", "Unit 7, Building 2, Dubai Internet City, Dubai")
    type_into(browser, "f-counterparty-email", "legal-at-harbour")  # the mistake
    type_into(browser, "f-solution-name-en", "DocSort")
    choose(browser, "f-solution-delivery", "on_premise")
    type_into(browser, "f-end-use-purpose-en", "Sorting shipping documents in the company's own warehouse")
    type_into(browser, "f-end-use-end-users-0-name-en", "Harbour Freight Analytics Ltd")
    choose(browser, "f-end-use-end-users-0-country", "AE")
    type_into(browser, "f-payment-amount", "45 000")
    choose(browser, "f-payment-currency", "USD")
    choose(browser, "f-payment-method", "bank_transfer")
    click(browser, "check-button")

    # the problem is next to its field, in Russian, and everything typed is still there
    wait_for_page(browser, "problems")
    message = by_id(browser, "f-counterparty-email-msg-1")
    assert "адрес электронной почты" in message.text
    wrapper = by_id(browser, "f-counterparty-email-wrap")
    assert wrapper.find_element(By.ID, "f-counterparty-email-msg-1") == message
    assert by_id(browser, "f-counterparty-email").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "f-counterparty-email").get_attribute("value") == "legal-at-harbour"
    assert by_id(browser, "f-deal-id").get_attribute("value") == "WEB-BROWSER-1"
    assert by_id(browser, "f-counterparty-name-ru").get_attribute("value") == "ООО «Харбор Фрейт Аналитикс»"
    assert by_id(browser, "f-payment-amount").get_attribute("value") == "45 000"
    assert browser.find_elements(By.ID, "result") == []
    browser.find_element(By.CSS_SELECTOR, '#problems a[href="#f-counterparty-email"]').click()
    shot(browser, "web-validation-error.png", "f-counterparty-email-wrap", block="center")
    shot(browser, "web-validation-summary.png", "problems")

    # fixed: the decision, with nothing fired, and the annex for sales at once
    type_into(browser, "f-counterparty-email", "legal@harbourfreight.example")
    click(browser, "check-button")
    wait_for_page(browser, "result")
    assert by_id(browser, "decision-title").get_attribute("data-decision") == "proceed"
    assert "Ни одного из 22 признаков" in by_id(browser, "indicators").text
    assert browser.find_elements(By.ID, "problems") == [] and browser.find_elements(By.ID, "awaiting-approval") == []
    shot(browser, "web-screening.png", "result")

    click(browser, "download-annex")
    data = downloaded(downloads, "WEB-BROWSER-1-annex.docx")
    rows = [row for row in docx_rows(data) if len(row) == 2]
    assert rows[0][0].startswith("Приложение № 1 к Договору № LA-0777/2026")
    assert any("ООО «Харбор Фрейт Аналитикс»" in ru and "Harbour Freight Analytics Ltd" in en for ru, en in rows)
    history = Register(register_path).history("WEB-BROWSER-1")
    assert [(row["command"], row["user_name"], [d["kind"] for d in row["documents"]]) for row in history] == \
        [("web", "anna", ["annex"])]


def test_a_sales_draft_is_saved_listed_and_resumed(browser, server):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "anna")
    type_into(browser, "f-deal-id", "WEB-DRAFT-1")
    type_into(browser, "f-counterparty-name-ru", "ТОО «Степной Логистик»")
    type_into(browser, "f-counterparty-email", "not-yet")  # unfinished and wrong: kept as it is
    click(browser, "save-draft")
    wait_for_page(browser, "draft-id")
    assert "Черновик сохранён" in by_id(browser, "notes").text
    click(browser, "nav-drafts")
    wait_for_page(browser, "drafts")
    row = browser.find_element(By.CSS_SELECTOR, "#drafts tbody tr")
    assert "WEB-DRAFT-1" in row.text and "ТОО «Степной Логистик»" in row.text and "ошиб" in row.text
    shot(browser, "web-drafts.png")
    row.find_element(By.CSS_SELECTOR, "a[id^=resume-]").click()
    wait_for_page(browser, "deal-form")
    assert by_id(browser, "f-deal-id").get_attribute("value") == "WEB-DRAFT-1"
    assert by_id(browser, "f-counterparty-name-ru").get_attribute("value") == "ТОО «Степной Логистик»"
    assert by_id(browser, "f-counterparty-email").get_attribute("value") == "not-yet"
    assert "адрес электронной почты" in by_id(browser, "f-counterparty-email-msg-1").text


def test_an_enhanced_due_diligence_deal_waits_for_a_legal_approval(browser, server, downloads, register_path):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "anna")
    upload_example(browser, "onprem-logistics-kz")
    assert by_id(browser, "decision-title").get_attribute("data-decision") == "enhanced_due_diligence"
    assert browser.find_elements(By.ID, "download-annex") == []
    assert "ожидает согласования" in browser.find_element(By.CSS_SELECTOR, '[data-awaiting="annex"]').text
    shot(browser, "web-awaiting-approval.png", "downloads")
    click(browser, "request-approval")
    wait_for_page(browser, "notes")
    assert "отправлена на согласование" in by_id(browser, "notes").text

    sign_in(browser, server, "lev")
    click(browser, "nav-approvals")
    wait_for_page(browser, "pending")
    browser.find_element(By.CSS_SELECTOR, '#pending tr[data-deal="EXP-2026-0157"] a').click()
    wait_for_page(browser, "approve-form")
    assert [li.get_attribute("data-indicator") for li in browser.find_elements(By.CSS_SELECTOR, "[data-indicator]")] \
        == ["7", "13"]
    type_into(browser, "approve-position", "Начальник юридического отдела")
    shot(browser, "web-approval.png", full=True)
    click(browser, "approve-button")
    wait_for_page(browser, "approved-note")

    sign_in(browser, server, "anna")
    upload_example(browser, "onprem-logistics-kz")
    assert browser.find_elements(By.ID, "awaiting-approval") == []
    click(browser, "download-annex")
    data = downloaded(downloads, "EXP-2026-0157-annex.docx")
    assert docx_rows(data)
    last = Register(register_path).history("EXP-2026-0157")[-1]
    assert last["user_name"] == "anna" and last["approved_by"].startswith("Лев Юрьев")


def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(browser, server, register_path):
    sign_in(browser, server, "anna")
    upload_example(browser, "saas-clinic-ae")
    before = Register(register_path).count()
    browser.execute_script("document.querySelector('#downloads input[name=csrf_token]').remove()")
    click(browser, "download-annex")
    wait_for_page(browser, "error-message")
    assert "Защитный код формы" in by_id(browser, "error-message").text
    shot(browser, "web-csrf-refused.png")
    # a page of another origin (here a data: URL, whose Origin is "null") posting to the form
    browser.get("data:text/html;charset=utf-8,<form method=post action='" + server.url + "/check'>"
                "<input name=deal_id value=X><button id=go>go</button></form>")
    click(browser, "go")
    wait_for_page(browser, "error-message")
    assert "Origin" in by_id(browser, "error-message").text or "источника" in by_id(browser, "error-message").text
    assert Register(register_path).count() == before


def test_a_blocked_deal_offers_no_annex(browser, server):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "lev")
    upload_example(browser, "hold-vision-tr")
    assert by_id(browser, "decision-title").get_attribute("data-decision") == "permission_required"
    result = by_id(browser, "result")
    assert "Что делать дальше" in result.text and "уведомление о приостановлении" in result.text
    offered = [row.get_attribute("data-document") for row in result.find_elements(By.CSS_SELECTOR, "tr[data-document]")]
    assert "annex" not in offered and "letter:hold" in offered
    assert browser.find_elements(By.ID, "download-annex") == []
    indicators = [li.get_attribute("data-indicator") for li in browser.find_elements(By.CSS_SELECTOR, "[data-indicator]")]
    assert indicators == ["22"]
    shot(browser, "web-screening-blocked.png", "result")


def test_a_server_on_another_address_serves_signed_in_users_and_scripts_only(register_path):
    _need_browser()
    add_users(register_path)
    running = Server(register_path, host="0.0.0.0", token=TOKEN)
    try:
        with urllib.request.urlopen(running.url + "/", timeout=WAIT) as response:  # redirected to sign in
            assert response.url.endswith("/sign-in?next=/")
        request = urllib.request.Request(running.url + "/", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            assert b'id="deal-form"' in response.read()
        wrong = urllib.request.Request(running.url + "/", headers={"Authorization": "Bearer wrong-token-wrong"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(wrong, timeout=WAIT)
        assert refused.value.code == 403
    finally:
        running.stop()


def test_add_an_end_user_row(browser, server):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "anna")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#end-user-rows fieldset.end-user")) == 1
    click(browser, "add-end-user")
    rows = browser.find_elements(By.CSS_SELECTOR, "#end-user-rows fieldset.end-user")
    assert len(rows) == 2 and "Конечный пользователь 2" in rows[1].text
    type_into(browser, "f-end-use-end-users-1-name-en", "Second End User Ltd")
    choose(browser, "f-end-use-end-users-1-country", "KZ")
    click(browser, "check-button")
    wait_for_page(browser, "problems")  # the rest of the form is empty; the filled row is kept, first now
    assert by_id(browser, "f-end-use-end-users-0-name-en").get_attribute("value") == "Second End User Ltd"
    assert by_id(browser, "f-end-use-end-users-0-country").get_attribute("value") == "KZ"
