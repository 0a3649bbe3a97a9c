"""The web form in a real browser (issue 7): Debian's Chromium, headless, driven by Selenium.

The server runs in-process on a free port (werkzeug ``make_server`` in a thread); Selenium uses
/usr/bin/chromedriver and /usr/bin/chromium, so selenium-manager never downloads anything. Where
either is missing the tests skip with the reason, unless ``CLAUSEGEN_REQUIRE_READERS`` is set (CI
sets it): then they fail.

Screenshots of the form, the screening view and a validation error are written to
/tmp/web-shots/ (or $CLAUSEGEN_WEB_SHOTS) for a person to look at.
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

from clausegen.register import Register
from clausegen.render import docx_rows
from clausegen.web import create_app

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
    """The web form served in a thread on a free port."""

    def __init__(self, app, host: str = "127.0.0.1") -> None:
        from werkzeug.serving import make_server

        self.server = make_server(host, 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(WAIT)


@pytest.fixture(scope="module")
def server(register_path):
    _need_browser()
    running = Server(create_app(company=COMPANY, register=register_path))
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


def click(driver, element_id: str) -> None:
    element = by_id(driver, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
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
    from selenium.common.exceptions import NoSuchElementException

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


# ------------------------------------------------------------------ the tests


def test_fill_fix_screen_and_download_the_annex(browser, server, downloads, register_path):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    wait_for_page(browser, "deal-form")
    assert browser.title.startswith("Deal form")
    shot(browser, "form.png")
    shot(browser, "form-full.png", full=True)

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

    # the problem is next to its field, and everything typed is still there
    wait_for_page(browser, "problems")
    message = by_id(browser, "f-counterparty-email-msg-1")
    assert "e-mail address" in message.text
    wrapper = by_id(browser, "f-counterparty-email-wrap")
    assert wrapper.find_element(By.ID, "f-counterparty-email-msg-1") == message
    assert by_id(browser, "f-counterparty-email").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "f-counterparty-email").get_attribute("value") == "legal-at-harbour"
    assert by_id(browser, "f-deal-id").get_attribute("value") == "WEB-BROWSER-1"
    assert by_id(browser, "f-counterparty-name-ru").get_attribute("value") == "ООО «Харбор Фрейт Аналитикс»"
    assert by_id(browser, "f-payment-amount").get_attribute("value") == "45 000"
    assert browser.find_elements(By.ID, "result") == []
    browser.find_element(By.CSS_SELECTOR, '#problems a[href="#f-counterparty-email"]').click()
    shot(browser, "validation-error.png", "f-counterparty-email-wrap", block="center")
    shot(browser, "validation-summary.png", "problems")

    # fixed: the decision, with nothing fired
    type_into(browser, "f-counterparty-email", "legal@harbourfreight.example")
    click(browser, "check-button")
    wait_for_page(browser, "result")
    assert by_id(browser, "decision-title").get_attribute("data-decision") == "proceed"
    assert "None of the 22 indicators" in by_id(browser, "indicators").text
    assert browser.find_elements(By.ID, "problems") == []
    shot(browser, "screening.png", "result")

    click(browser, "download-annex")
    data = downloaded(downloads, "WEB-BROWSER-1-annex.docx")
    rows = [row for row in docx_rows(data) if len(row) == 2]
    assert rows[0][0].startswith("Приложение № 1 к Договору № LA-0777/2026")
    assert any("ООО «Харбор Фрейт Аналитикс»" in ru and "Harbour Freight Analytics Ltd" in en for ru, en in rows)
    history = Register(register_path).history("WEB-BROWSER-1")
    assert [(row["command"], [d["kind"] for d in row["documents"]]) for row in history] == [("web", ["annex"])]


def test_a_blocked_deal_offers_no_annex(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    wait_for_page(browser, "deal-form")
    by_id(browser, "deal-file").send_keys(str(EXAMPLE_DEALS["hold-vision-tr"]))
    click(browser, "upload-button")
    wait_for_page(browser, "result")
    assert by_id(browser, "decision-title").get_attribute("data-decision") == "permission_required"
    result = by_id(browser, "result")
    assert "What to do next" in result.text and "hold letter" in result.text
    offered = [row.get_attribute("data-document") for row in result.find_elements(By.CSS_SELECTOR, "tr[data-document]")]
    assert "annex" not in offered and "letter:hold" in offered
    assert browser.find_elements(By.ID, "download-annex") == []
    indicators = [li.get_attribute("data-indicator") for li in browser.find_elements(By.CSS_SELECTOR, "[data-indicator]")]
    assert indicators == ["22"]
    shot(browser, "screening-blocked.png", "result")


def test_a_server_on_another_address_refuses_requests_without_the_token(browser, register_path):
    running = Server(create_app(company=COMPANY, token=TOKEN, register=register_path), host="0.0.0.0")
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(running.url + "/", timeout=WAIT)
        assert refused.value.code == 401
        browser.get(running.url + "/")
        assert "Access token needed" in browser.find_element("tag name", "h1").text
        assert browser.find_elements("id", "deal-form") == []
        browser.get(running.url + "/?token=wrong-token-wrong-token")
        assert "Not allowed" in browser.find_element("tag name", "h1").text
        browser.get(f"{running.url}/?token={TOKEN}")  # once: the browser keeps a cookie, the address loses it
        wait_for_page(browser, "deal-form")
        assert "token" not in browser.current_url
        browser.get(running.url + "/")
        wait_for_page(browser, "deal-form")
    finally:
        running.stop()


def test_add_an_end_user_row(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    wait_for_page(browser, "deal-form")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#end-user-rows fieldset.end-user")) == 1
    click(browser, "add-end-user")
    rows = browser.find_elements(By.CSS_SELECTOR, "#end-user-rows fieldset.end-user")
    assert len(rows) == 2 and "End user 2" in rows[1].text
    type_into(browser, "f-end-use-end-users-1-name-en", "Second End User Ltd")
    choose(browser, "f-end-use-end-users-1-country", "KZ")
    click(browser, "check-button")
    wait_for_page(browser, "problems")  # the rest of the form is empty; the filled row is kept, first now
    assert by_id(browser, "f-end-use-end-users-0-name-en").get_attribute("value") == "Second End User Ltd"
    assert by_id(browser, "f-end-use-end-users-0-country").get_attribute("value") == "KZ"
