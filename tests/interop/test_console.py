"""The web console (`/_gridlog/console/`) in a real browser: Debian's chromium, headless, driven
by selenium through chromium-driver (scripts/test installs both).

One session against one `gridlog serve`: refused without a key (and with a wrong one), signs in,
watches a subscription's backlog go from N to 0 while a consumer acknowledges, peeks an event
(with an XSS payload in it) without changing its delivery count, re-publishes a dead-lettered
event into its original topic (audited in the server's log), sees the live charts, publishes from
the form (the API's validation error shown, then a valid event). Every page is saved as a PNG
(in the test's tmp dir; also in $GRIDLOG_CONSOLE_SCREENSHOTS when set, which is how
docs/console/ is made: `GRIDLOG_CONSOLE_SCREENSHOTS=docs/console scripts/test` or just this file).
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import shutil
import signal
import time
from urllib.parse import quote

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import KEY, Server

Q = {"api-version": "2024-06-01"}
AUTH = {"Authorization": f"SharedAccessKey {KEY}"}
HUB_POLICY = "RootManageSharedAccessKey"
HUB_KEY = "console-hub-key"
CONFIG = {
    "sharedAccessPolicies": [{"keyName": HUB_POLICY, "key": HUB_KEY}],
    "eventHubs": [{"name": "telemetry", "properties": {"partitionCount": 2}}],
    "topics": [
        {
            "name": "orders",
            "eventSubscriptions": [
                {
                    "name": "workers",
                    "properties": {
                        "deliveryConfiguration": {
                            "deliveryMode": "Queue",
                            "queue": {"deadLetterTopic": "orders-dlq"},
                        }
                    },
                }
            ],
        },
        {"name": "orders-dlq", "eventSubscriptions": [{"name": "dead"}]},
    ]
}
# An event whose content would run script if the console put it into the page as markup.
XSS_SUBJECT = '<img src=x onerror="window.__xss=1">'
XSS_DATA = {"html": "<script>window.__xss=2</script>", "note": "</pre><b>bold</b>"}


def sas(resource):
    """A SAS token for `resource`, valid for an hour, signed with KEY's bytes."""
    expiry = str(int(time.time()) + 3600)
    unsigned = f"r={quote(resource, safe='')}&e={expiry}"
    mac = hmac.new(KEY.encode(), unsigned.encode(), hashlib.sha256).digest()
    return f"{unsigned}&s={quote(base64.b64encode(mac).decode(), safe='')}"


def hub_token(uri):
    """A Service Bus SAS token for `uri` (Event Hubs REST send), valid for an hour."""
    sr = quote(uri, safe="")
    expiry = str(int(time.time()) + 3600)
    mac = hmac.new(HUB_KEY.encode(), f"{sr}\n{expiry}".encode(), hashlib.sha256).digest()
    sig = quote(base64.b64encode(mac).decode(), safe="")
    return f"SharedAccessSignature sr={sr}&sig={sig}&se={expiry}&skn={HUB_POLICY}"


def hub_row(driver):
    """The namespace page's Event Hubs row of `telemetry`, as its cells' text, or None."""
    for row in driver.find_elements(By.CSS_SELECTOR, "#namespace-hubs tbody tr"):
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        if cells and cells[0] == "telemetry":
            return cells
    return None


def find(name):
    for candidate in (name, f"/usr/bin/{name}", f"/usr/lib/chromium/{name}"):
        path = shutil.which(candidate)
        if path:
            return path
    pytest.fail(f"{name} not found: scripts/test installs Debian's chromium and chromium-driver")


@pytest.fixture
def console_server(tmp_path):
    config_path = tmp_path / "namespace.json"
    config_path.write_text(json.dumps(CONFIG))
    srv = Server(
        tmp_path / "data", config_path, env={"GRIDLOG_LOG": "warn,gridlog::audit=info"}
    )
    yield srv
    if srv.proc is not None:
        srv.stop()


@pytest.fixture
def browser():
    options = Options()
    options.binary_location = find("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=find("chromedriver")), options=options)
    yield driver
    driver.quit()


class Shots:
    """Saves a PNG of the page under each name, in tmp_path and $GRIDLOG_CONSOLE_SCREENSHOTS."""

    def __init__(self, driver, tmp_path):
        self.driver = driver
        self.dirs = [tmp_path / "screenshots"]
        if os.environ.get("GRIDLOG_CONSOLE_SCREENSHOTS"):
            self.dirs.append(pathlib.Path(os.environ["GRIDLOG_CONSOLE_SCREENSHOTS"]))
        for d in self.dirs:
            d.mkdir(parents=True, exist_ok=True)

    def take(self, name):
        png = self.driver.get_screenshot_as_png()
        assert png.startswith(b"\x89PNG"), name
        for d in self.dirs:
            (d / f"{name}.png").write_bytes(png)


def wait(driver, condition, what, timeout=20):
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: condition(d), message=what
    )


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def api(server, method, path, **kwargs):
    params = dict(Q, **kwargs.pop("params", {}))
    headers = dict(AUTH, **kwargs.pop("headers", {}))
    return requests.request(method, server.endpoint + path, params=params, headers=headers,
                            timeout=30, **kwargs)


def publish(server, events):
    r = api(server, "POST", "/topics/orders:publish", data=json.dumps(events),
            headers={"Content-Type": "application/cloudevents-batch+json"})
    assert r.status_code == 200, r.text


def receive(server, max_events):
    r = api(server, "POST", "/topics/orders/eventsubscriptions/workers:receive",
            params={"maxEvents": str(max_events), "maxWaitTime": "10"})
    assert r.status_code == 200, r.text
    return r.json()["value"]


def settle(server, action, tokens):
    r = api(server, "POST", f"/topics/orders/eventsubscriptions/workers:{action}",
            json={"lockTokens": tokens})
    assert r.status_code == 200 and len(r.json()["succeededLockTokens"]) == len(tokens), r.text


def backlog_cell(driver):
    """The backlog shown for orders/workers (read in one script: the table is redrawn often)."""
    return driver.execute_script(
        "const c = document.querySelector("
        "'tr.sub[data-topic=\"orders\"][data-subscription=\"workers\"] td.backlog');"
        "return c ? c.textContent : null;")


def go(driver, page):
    driver.execute_script("location.hash = arguments[0]", page)


def test_console_in_a_real_browser(console_server, browser, tmp_path):
    server, driver = console_server, browser
    shots = Shots(driver, tmp_path)
    console = server.endpoint + "/_gridlog/console/"

    # Static files only without a key; every data call needs one.
    page = requests.get(console, timeout=10)
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "orders" not in page.text
    for method, path in [("GET", "/_gridlog/topics"), ("GET", "/topics/orders:peek"),
                         ("GET", "/topics/orders/eventsubscriptions/workers:peek"),
                         ("POST", "/topics/orders-dlq:republishDeadLetters")]:
        r = requests.request(method, server.endpoint + path, params=Q, timeout=10)
        assert r.status_code == 401, (path, r.status_code)

    # Refused without a key: the login page, whatever page is asked for, and a wrong key.
    driver.get(console + "#namespace")
    wait(driver, lambda d: d.find_element(By.ID, "page-login").is_displayed(), "login page")
    assert not driver.find_element(By.ID, "nav").is_displayed()
    assert not driver.find_element(By.ID, "page-namespace").is_displayed()
    assert "orders" not in driver.page_source
    driver.find_element(By.ID, "login-key").send_keys("not-the-key")
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, lambda d: "Unauthorized" in text(d, "login-error"), "refusal shown")
    assert not driver.find_element(By.ID, "nav").is_displayed()
    shots.take("login")

    # Sign in: the namespace page.
    driver.find_element(By.ID, "login-key").clear()
    driver.find_element(By.ID, "login-key").send_keys(KEY)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, lambda d: backlog_cell(d) == "0", "namespace page with orders/workers")
    assert KEY not in driver.current_url

    # A backlog of N, then 0 as a consumer acknowledges.
    n = 5
    publish(server, [{"specversion": "1.0", "id": f"job-{i}", "source": "/console-test",
                      "type": "Job.Queued", "data": {"job": i}} for i in range(n)])
    wait(driver, lambda d: backlog_cell(d) == str(n), f"backlog {n}")
    # The event hub and its partitions, after three events sent over Event Hubs REST.
    url = server.endpoint + "/telemetry/messages"
    r = requests.post(url, params={"api-version": "2014-01"}, timeout=30,
                      headers={"Authorization": hub_token(url),
                               "Content-Type": "application/vnd.microsoft.servicebus.json"},
                      data=json.dumps([{"Body": f"reading {i}"} for i in range(3)]))
    assert r.status_code == 201, r.text
    wait(driver, lambda d: hub_row(d) == ["telemetry", "2", "3", "3"], "event hub row")
    shots.take("namespace")
    received = receive(server, n)
    assert len(received) == n
    settle(server, "acknowledge", [r["brokerProperties"]["lockToken"] for r in received])
    wait(driver, lambda d: backlog_cell(d) == "0", "backlog 0 after the acknowledgements")

    # Peek: the event shown formatted, as text, its delivery count unchanged.
    publish(server, [{"specversion": "1.0", "id": "peek-me", "source": "/console-test",
                      "type": "Console.Peek", "subject": XSS_SUBJECT, "data": XSS_DATA}])
    go(driver, "#peek")
    wait(driver, lambda d: len(Select(d.find_element(By.ID, "peek-topic")).options) >= 2,
         "topics listed")
    Select(driver.find_element(By.ID, "peek-topic")).select_by_value("orders")
    Select(driver.find_element(By.ID, "peek-sub")).select_by_value("workers")
    driver.find_element(By.ID, "peek-type").send_keys("console.peek")
    driver.find_element(By.ID, "peek-submit").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#peek-events li.event"),
         "peeked event")
    items = driver.find_elements(By.CSS_SELECTOR, "#peek-events li.event")
    assert len(items) == 1, [i.text for i in items]
    item = items[0]
    assert item.find_element(By.CSS_SELECTOR, ".event-id").text == "peek-me"
    assert item.find_element(By.CSS_SELECTOR, ".delivery-count").text == "0"
    assert item.find_element(By.CSS_SELECTOR, ".event-subject").text == XSS_SUBJECT
    shown = json.loads(item.find_element(By.CSS_SELECTOR, ".event-json").text)
    assert shown["data"] == XSS_DATA and shown["subject"] == XSS_SUBJECT
    assert not item.find_elements(By.TAG_NAME, "img")
    assert not item.find_elements(By.TAG_NAME, "script")
    assert all(b.text != "bold" for b in item.find_elements(By.TAG_NAME, "b"))
    assert driver.execute_script("return window.__xss") is None
    shots.take("peek")
    for _ in range(2):  # peeking again changes nothing either
        driver.find_element(By.ID, "peek-submit").click()
    topics = api(server, "GET", "/_gridlog/topics/orders").json()
    meters = topics["eventSubscriptions"][0]["meters"]
    assert (meters["backlog"], meters["locked"]) == (1, 0), meters
    got = receive(server, 10)
    assert [r["event"]["id"] for r in got] == ["peek-me"]
    assert got[0]["brokerProperties"]["deliveryCount"] == 1, "the peek must not count a delivery"

    # Dead letters: reject it, see it with its reason, re-publish it into `orders`.
    settle(server, "reject", [got[0]["brokerProperties"]["lockToken"]])
    go(driver, "#deadletters")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#dl-events li.event"),
         "dead-letter event listed")
    item = driver.find_element(By.CSS_SELECTOR, "#dl-events li.event")
    assert item.find_element(By.CSS_SELECTOR, "dd.deadletterreason").text == \
        "Rejected by the receiver."
    assert item.find_element(By.CSS_SELECTOR, "dd.deliveryattempts").text == "1"
    assert item.find_element(By.CSS_SELECTOR, ".event-id").text == "peek-me"
    shots.take("deadletters")
    item.find_element(By.CSS_SELECTOR, "button.republish").click()
    wait(driver, lambda d: "Re-published 1 (peek-me → orders)" in text(d, "dl-status"),
         "re-published")
    again = receive(server, 10)
    assert [r["event"]["id"] for r in again] == ["peek-me"]
    assert again[0]["brokerProperties"]["deliveryCount"] == 1
    assert "deadletterreason" not in again[0]["event"]
    assert again[0]["event"]["data"] == XSS_DATA
    settle(server, "acknowledge", [again[0]["brokerProperties"]["lockToken"]])

    # Live charts: a few samples, lines drawn.
    go(driver, "#live")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chart-rates svg path")) >= 3,
         "rate lines drawn")
    publish(server, [{"specversion": "1.0", "id": f"live-{i}", "source": "/console-test",
                      "type": "Job.Queued"} for i in range(20)])
    wait(driver, lambda d: "orders/workers: 20" in text(d, "chart-backlog"), "backlog line", 30)
    shots.take("live")

    # Publish: the API's validation error shown as it answers, then a valid event.
    go(driver, "#publish")
    wait(driver, lambda d: len(Select(d.find_element(By.ID, "publish-topic")).options) >= 2,
         "publish form")
    Select(driver.find_element(By.ID, "publish-topic")).select_by_value("orders")
    driver.find_element(By.ID, "publish-type").clear()
    driver.find_element(By.ID, "publish-submit").click()
    wait(driver, lambda d: "Refused (400)" in text(d, "publish-result"), "validation error")
    assert "type" in text(driver, "publish-result")
    shots.take("publish")
    driver.find_element(By.ID, "publish-type").send_keys("Console.Form")
    driver.find_element(By.ID, "publish-submit").click()
    wait(driver, lambda d: text(d, "publish-result").startswith("Published"), "published")
    peeked = api(server, "GET", "/topics/orders:peek", params={"type": "Console.Form"}).json()
    assert len(peeked["value"]) == 1 and peeked["value"][0]["event"]["source"] == "/gridlog/console"

    # At a phone's width.
    driver.set_window_size(390, 844)
    go(driver, "#namespace")
    wait(driver, lambda d: backlog_cell(d) == "21", "namespace page at phone width")
    shots.take("namespace-phone")

    # No policy violation, no script error; signing out forgets the key.
    # (Refused API calls are logged as failed loads; those are expected above.)
    errors = [e for e in driver.get_log("browser")
              if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]
    assert not errors, errors
    driver.find_element(By.ID, "signout").click()
    wait(driver, lambda d: d.find_element(By.ID, "page-login").is_displayed(), "signed out")
    assert driver.execute_script("return sessionStorage.length") == 0

    # A SAS token for the whole namespace signs in as well; one for a topic cannot read the
    # namespace's figures and is refused.
    for resource, signed_in in [("/topics/orders", False), ("/", True)]:
        field = driver.find_element(By.ID, "login-key")
        field.clear()
        field.send_keys(sas(server.endpoint + resource))
        driver.find_element(By.ID, "login-submit").click()
        if signed_in:
            wait(driver, lambda d: backlog_cell(d) == "21", "signed in with a SAS token")
        else:
            wait(driver, lambda d: "Unauthorized" in text(d, "login-error"), "topic SAS refused")
    driver.find_element(By.ID, "signout").click()
    wait(driver, lambda d: d.find_element(By.ID, "page-login").is_displayed(), "signed out")

    # The re-publish is in the audit log: who and what, never the key.
    server.proc.send_signal(signal.SIGTERM)
    _, stderr = server.proc.communicate(timeout=30)
    assert server.proc.returncode == 0
    server.proc = None
    audit = [line for line in stderr.splitlines() if "republishDeadLetters" in line]
    assert len(audit) == 1, stderr
    assert "access key (Authorization: SharedAccessKey)" in audit[0], audit
    assert "orders-dlq" in audit[0] and "peek-me" in audit[0], audit
    assert KEY not in stderr
