#!/usr/bin/env python3
"""The dashboard in a real headless Chromium, against a real emulator (Tests/Support/with-emulator.sh).

    python3 Tests/Browser/test_pages.py SCREENSHOT_DIR     (VERDICT_BASE and VERDICT_KEY set)

Every page loads with no console error and no failed request, shows the same counts as the API,
renders hostile test titles as text, follows a running run without a reload, works with
JavaScript off, and is well-formed HTML5 with alt text and labelled controls. Screenshots of each
page (light, dark, a 360 px phone) go to SCREENSHOT_DIR.
"""
import base64
import hashlib
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.request

import html5lib
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE = os.environ["VERDICT_BASE"]
KEY = os.environ["VERDICT_KEY"]
SHOTS = sys.argv[1] if len(sys.argv) > 1 else ".build/browser"

# Hostile titles: each must show as text and run nothing (it would set window.__pwned or alert).
XSS_TITLE = "<script>window.__pwned=1;alert(1)</script>"
XSS_ATTR = '"><img src=x onerror="window.__pwned=2;alert(2)">'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def api(method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("X-API-Key", KEY)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def put(url, data, content_type=None):
    request = urllib.request.Request(url, data=data, method="PUT")
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, response.status


def junit(suite, cases):
    body = "".join(cases)
    return f'<testsuites><testsuite name="{suite}" tests="{len(cases)}">{body}</testsuite></testsuites>'.encode()


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def shard(run_id, name, report, attachments=()):
    """Registers a shard, PUTs its files to the bucket and completes it, as a CI job would."""
    files = [{"name": "report.xml", "kind": "report", "size": len(report), "sha256": hashlib.sha256(report).hexdigest()}]
    for file_name, data, content_type in attachments:
        files.append({"name": file_name, "kind": "attachment", "size": len(data),
                      "sha256": hashlib.sha256(data).hexdigest(), "content_type": content_type})
    status, registered = api("POST", "/api/v1/reports/register", {"run_id": run_id, "shard": name, "files": files})
    assert status in (200, 201), registered
    contents = {"report.xml": report, **{n: d for n, d, _ in attachments}}
    for upload in registered["uploads"]:
        put(upload["url"], contents[upload["name"]])
    status, completed = api("POST", registered["complete_url"])
    assert status == 200, completed
    return completed


class Data:
    """What the tests look at, uploaded once through the API."""

    @classmethod
    def seed(cls):
        stack = "\n".join(f"    at frame{i} (app.js:{i}:1)" for i in range(30))
        report = junit("checkout", [
            '<testcase classname="checkout.Cart" name="adds an item" time="0.12"/>',
            f'<testcase classname="checkout.Cart" name="{escape(XSS_TITLE)}" time="0.3">'
            f'<failure message="{escape(XSS_ATTR)}" type="AssertionError">AssertionError: boom\n{stack}</failure>'
            '<system-out>[[ATTACHMENT|/ci/screens/cart.png]]</system-out></testcase>',
            f'<testcase classname="checkout.Cart" name="{escape(XSS_ATTR)}" time="0.2"><error message="x" type="TypeError">TypeError: x</error></testcase>',
            '<testcase classname="checkout.Pay" name="pays" time="1.5"/>',
            '<testcase classname="checkout.Pay" name="refunds" time="0.1"><skipped/></testcase>',
        ])
        project = f"browser-{int(time.time() * 1000)}"
        status, run = api("POST", "/api/v1/reports/begin", {"project": project, "branch": "main", "commit": "abcdef1234567",
                                                            "ci_run_id": 4242, "total_reports_expected": 1})
        assert status == 201, run
        cls.run_id = run["run_id"]
        shard(cls.run_id, "1", report, [("screens/cart.png", PNG, "image/png")])
        # A second run of the same tests, so the test page has a history.
        status, second = api("POST", "/api/v1/reports/begin", {"project": project, "branch": "main", "ci_run_id": 4243,
                                                               "total_reports_expected": 1})
        shard(second["run_id"], "1", report)
        # A third run that changed: a test broke, the hostile one was fixed, one got slower, one is
        # new and one gone: the compare page of this run against the second.
        changed = junit("checkout", [
            '<testcase classname="checkout.Cart" name="adds an item" time="0.12"><failure message="0 items" type="AssertionError">'
            'AssertionError: 0 items</failure></testcase>',
            f'<testcase classname="checkout.Cart" name="{escape(XSS_TITLE)}" time="0.3"/>',
            f'<testcase classname="checkout.Cart" name="{escape(XSS_ATTR)}" time="0.2"><error message="x" type="TypeError">TypeError: x</error></testcase>',
            '<testcase classname="checkout.Pay" name="pays" time="3.5"/>',
            '<testcase classname="checkout.Pay" name="applies a coupon" time="0.4"/>',
        ])
        status, third = api("POST", "/api/v1/reports/begin", {"project": project, "branch": "main", "commit": "fedcba7654321",
                                                              "ci_run_id": 4245, "total_reports_expected": 1})
        assert status == 201, third
        cls.changed_id = third["run_id"]
        shard(cls.changed_id, "1", changed)
        status, cls.run = api("GET", f"/api/v1/runs/{cls.run_id}")
        status, failures = api("GET", f"/api/v1/runs/{cls.run_id}/failures")
        cls.failure = next(item for item in failures["items"] if item["attachments"])
        cls.project_id = cls.run["project_id"]
        # A third run on the first one's commit where the failing test passes: it is flaky (a pass
        # and a failure on one commit), and quarantined, so the run page marks its failure.
        passing = junit("checkout", [f'<testcase classname="checkout.Cart" name="{escape(XSS_TITLE)}" time="0.2"/>'])
        status, third = api("POST", "/api/v1/reports/begin", {"project": project, "branch": "main", "commit": "abcdef1234567",
                                                              "ci_run_id": 4245, "total_reports_expected": 1})
        shard(third["run_id"], "1", passing)
        # A run's completion updates the flaky list just after the completing request answers.
        for _ in range(100):
            status, flaky = api("GET", f"/api/v1/projects/{cls.project_id}/flaky")
            if status == 200 and flaky["items"]:
                break
            time.sleep(0.1)
        assert status == 200 and [item["test_id"] for item in flaky["items"]] == [cls.failure["test_id"]], flaky
        status, cls.quarantine = api("POST", f"/api/v1/projects/{cls.project_id}/quarantine",
                                     {"test_id": cls.failure["test_id"], "reason": XSS_ATTR, "owner": "web team"})
        assert status == 201, cls.quarantine
        status, project = api("PATCH", f"/api/v1/projects/{cls.project_id}", {"repository": "https://github.com/acme/shop"})
        assert status == 200, project
        # The screenshot registered as image/png keeps that type, though the report names only its path.
        assert cls.failure["attachments"][0]["content_type"] == "image/png", cls.failure
        # An orchestrated run, half done by two workers, one unit failed: its orchestration page.
        units = [{"id": f"tests/{XSS_TITLE}/u{i}.spec.ts", "weight_ms": 1000 * (i + 1)} for i in range(8)]
        status, orchestra = api("POST", "/api/v1/orchestration/begin", {"project": cls.run["project"], "ci_run_id": 4244, "units": units,
                                                                        "expected_workers": 2})
        assert status == 201, orchestra
        cls.orchestrated_id = orchestra["run_id"]
        for worker in ("runner-1", "runner-2"):
            status, lease = api("POST", "/api/v1/orchestration/checkout", {"run_id": cls.orchestrated_id, "worker": worker,
                                                                           "labels": {"os": "linux"}})
            assert status == 200 and lease["units"], lease
            if worker == "runner-1":
                results = [{"unit": unit["id"], "status": "failed" if n == 0 else "passed", "duration_ms": 900, "error": XSS_ATTR}
                           for n, unit in enumerate(lease["units"])]
                status, done = api("POST", "/api/v1/orchestration/complete", {"run_id": cls.orchestrated_id, "worker": worker,
                                                                              "lease_id": lease["lease_id"], "results": results})
                assert status == 200, done


class Browser:
    @staticmethod
    def make(javascript=True, width=1280, height=1000):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         f"--window-size={width},{height}"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        if not javascript:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
        return webdriver.Chrome(options=options, service=service)


class PageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        Data.seed()
        cls.driver = Browser.make()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def pages(self):
        return {
            "projects": "/",
            "project": f"/projects/{Data.project_id}",
            "run": f"/runs/{Data.run_id}",
            "case": f"/cases/{Data.failure['id']}",
            "test": f"/tests/{Data.failure['test_id']}",
            "orchestration": f"/runs/{Data.orchestrated_id}/orchestration",
            "flaky": f"/projects/{Data.project_id}/flaky",
            "compare": f"/runs/{Data.changed_id}/compare",
            "trends": f"/projects/{Data.project_id}/trends",
            "not-found": f"/runs/{'0' * 8}-0000-0000-0000-{'0' * 12}",
        }

    def load(self, path):
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self.driver.get(BASE + path)
        time.sleep(0.3)
        return self.driver

    def problems(self, expected_status=200):
        """Console errors and failed requests since the last load."""
        found = [f"console: {entry['message']}" for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"
                 and not (expected_status == 404 and "404" in entry["message"])]
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.loadingFailed" and not message["params"].get("canceled"):
                found.append(f"failed: {message['params'].get('errorText')}")
            if message["method"] == "Network.responseReceived":
                response = message["params"]["response"]
                if response["status"] >= 400 and not (expected_status == 404 and response["status"] == 404):
                    found.append(f"{response['status']} {response['url']}")
        return found

    def test_every_page_loads_cleanly_and_is_well_formed(self):
        for name, path in self.pages().items():
            with self.subTest(page=name):
                expected = 404 if name == "not-found" else 200
                self.load(path)
                self.assertEqual(self.problems(expected), [], f"{name} ({path})")
                source = self.fetch(path, expected)
                parser = html5lib.HTMLParser(strict=True)
                parser.parse(source)
                self.assertEqual(parser.errors, [], f"{name} is not well-formed HTML5")
                # Every image has alt text; every control has a label.
                unlabeled = self.driver.execute_script("""
                    const bad = [];
                    document.querySelectorAll('img').forEach(i => { if (!i.hasAttribute('alt')) bad.push('img ' + i.src); });
                    document.querySelectorAll('input, select, textarea').forEach(c => {
                      if (!(c.labels && c.labels.length) && !c.getAttribute('aria-label')) bad.push(c.outerHTML); });
                    document.querySelectorAll('svg[role=img]').forEach(s => { if (!s.getAttribute('aria-label')) bad.push('svg'); });
                    return bad;""")
                self.assertEqual(unlabeled, [], name)
                self.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def fetch(self, path, expected=200):
        try:
            with urllib.request.urlopen(BASE + path) as response:
                self.assertEqual(response.status, expected)
                self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
                return response.read()
        except urllib.error.HTTPError as error:
            self.assertEqual(error.code, expected)
            return error.read()

    def test_the_run_page_shows_the_apis_counts(self):
        driver = self.load(f"/runs/{Data.run_id}")
        totals = Data.run["totals"]
        for name in ("tests", "passed", "failed", "errors", "flaky", "skipped"):
            shown = driver.find_element(By.CSS_SELECTOR, f"#summary [data-count={name}] b").text.replace(",", "")
            self.assertEqual(int(shown), totals[name], name)
        commit = driver.find_element(By.CSS_SELECTOR, "a[href='https://github.com/acme/shop/commit/abcdef1234567']")
        self.assertEqual(commit.text, "abcdef12")
        driver.find_element(By.CSS_SELECTOR, "a[href='https://github.com/acme/shop/actions/runs/4242']")
        failures = driver.find_elements(By.CSS_SELECTOR, "[data-failure]")
        self.assertEqual(len(failures), totals["failed"] + totals["errors"] + totals["flaky"])

    def test_hostile_titles_render_as_text(self):
        for path in (f"/runs/{Data.run_id}", f"/cases/{Data.failure['id']}", f"/tests/{Data.failure['test_id']}",
                     f"/runs/{Data.orchestrated_id}/orchestration", f"/runs/{Data.changed_id}/compare"):
            with self.subTest(path=path):
                driver = self.load(path)
                try:
                    alert = driver.switch_to.alert
                    self.fail(f"a title ran script on {path}: {alert.text}")
                except NoAlertPresentException:
                    pass
                self.assertIsNone(driver.execute_script("return window.__pwned"))
                self.assertIn(XSS_TITLE, driver.find_element(By.TAG_NAME, "main").text)
        self.load(f"/runs/{Data.run_id}")
        self.assertIn(XSS_ATTR, self.driver.find_element(By.ID, "failures").text)

    def test_the_test_page_shows_its_flakiness_and_the_run_page_marks_quarantined_failures(self):
        driver = self.load(f"/tests/{Data.failure['test_id']}")
        self.assertEqual(self.problems(), [])
        row = driver.find_element(By.CSS_SELECTOR, "#flakiness tr[data-classification=flaky]")
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        # Branch, classification, score, failure rate (interval), runs, failures, flips,
        # same-commit contradictions, retry passes, burst runs left out, last seen.
        self.assertEqual(cells[:2], ["main", "flaky"])
        # Its results on main: every run of the shared test data that ran it (the compare test's
        # runs use the same project), two of which failed, one on the commit it also passed on.
        status, history = api("GET", f"/api/v1/tests/{Data.failure['test_id']}/history?limit=100")
        self.assertEqual(status, 200, history)
        results = [r for r in history["items"] if r["branch"] == "main" and r["status"] != "skipped" and r["run_status"] == "completed"]
        self.assertEqual(cells[4:10], [str(len(results)), "2", "1", "1", "0", "0"], cells)
        self.assertRegex(cells[3], r"^\d+(\.\d)?% \(\d+(\.\d)?%–\d+(\.\d)?%\)$")
        quarantine = driver.find_element(By.CSS_SELECTOR, "#flakiness [data-quarantine]")
        self.assertIn(XSS_ATTR, quarantine.text)
        self.assertIn("web team", quarantine.text)
        self.assertIsNone(driver.execute_script("return window.__pwned"))
        driver.find_element(By.ID, "flakiness").screenshot(os.path.join(SHOTS, "test-flakiness.png"))
        # The project's flaky list: the test, its evidence, its quarantine, linked from the project page.
        driver = self.load(f"/projects/{Data.project_id}")
        driver.find_element(By.LINK_TEXT, "Flaky tests").click()
        time.sleep(0.3)
        row = driver.find_element(By.CSS_SELECTOR, f"tr[data-test='{Data.failure['test_id']}']")
        self.assertIn(XSS_TITLE, row.text)
        self.assertIn("quarantined", row.text)
        self.assertEqual(row.find_element(By.CSS_SELECTOR, ".badge.status-flaky").text, "flaky")
        self.assertIsNone(driver.execute_script("return window.__pwned"))
        self.assertEqual(self.problems(), [])
        driver = self.load(f"/runs/{Data.run_id}")
        marked = driver.find_elements(By.CSS_SELECTOR, "[data-failure] [data-quarantined]")
        self.assertEqual(len(marked), 1)
        self.assertEqual(marked[0].text, "quarantined")

    def test_the_run_page_links_what_changed_and_the_project_its_trends(self):
        driver = self.load(f"/runs/{Data.changed_id}")
        link = driver.find_element(By.CSS_SELECTOR, ".compare-link a")
        self.assertTrue(link.text.startswith("What changed since CI run 4243"), link.text)
        link.click()
        time.sleep(0.3)
        self.assertIn(f"/runs/{Data.changed_id}/compare?base=", driver.current_url)
        status, comparison = api("GET", f"/api/v1/runs/compare?head={Data.changed_id}")
        self.assertEqual(status, 200, comparison)
        for category in ("new_failures", "fixed", "new_tests", "removed_tests", "duration_regressions"):
            self.assertEqual(comparison["summary"][category], 1, category)
            rows = driver.find_elements(By.CSS_SELECTOR, f"section:has(> h2#{category}) tbody tr")
            self.assertEqual(len(rows), comparison["summary"][category], category)
        self.assertIn("adds an item", driver.find_element(By.CSS_SELECTOR, "section:has(> h2#new_failures)").text)
        self.assertEqual(self.problems(), [])

        driver = self.load(f"/projects/{Data.project_id}")
        driver.find_element(By.LINK_TEXT, "Trends").click()
        time.sleep(0.3)
        self.assertIn(f"/projects/{Data.project_id}/trends", driver.current_url)
        status, trends = api("GET", f"/api/v1/projects/{Data.project_id}/trends")
        self.assertEqual(status, 200, trends)
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "svg.trend-chart")), 5)
        rows = driver.find_elements(By.CSS_SELECTOR, "section:has(> h2#buckets) tbody tr")
        self.assertEqual(len(rows), len(trends["buckets"]), "a row for every day, runs or not")
        status, completed = api("GET", f"/api/v1/runs?project={Data.run['project']}&status=completed&limit=100")
        self.assertEqual(status, 200, completed)
        self.assertEqual(sum(b["runs"] for b in trends["buckets"]), len(completed["items"]), "the completed runs of the project")
        driver.find_element(By.CSS_SELECTOR, "select[name=bucket] option[value=week]").click()
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        time.sleep(0.3)
        self.assertIn("bucket=week", driver.current_url)
        self.assertEqual(self.problems(), [])

    def test_attachments_show_in_place(self):
        driver = self.load(f"/cases/{Data.failure['id']}")
        image = driver.find_element(By.CSS_SELECTOR, ".attachments img")
        self.assertEqual(image.get_attribute("alt"), "cart.png")
        self.assertTrue(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image),
                        "the screenshot loads through its presigned link")
        self.assertEqual(self.problems(), [])

    def test_keyboard_walks_failures_and_slash_searches(self):
        driver = self.load(f"/runs/{Data.run_id}")
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys("j")
        self.assertEqual(driver.switch_to.active_element.get_attribute("data-failure"), "")
        driver.switch_to.active_element.send_keys("/")
        self.assertEqual(driver.switch_to.active_element.get_attribute("id"), "search")

    def test_dark_mode_and_a_phone(self):
        # The run page, and the compare page with its new causes of failure.
        pages = {"run": f"/runs/{Data.run_id}", "compare": f"/runs/{Data.changed_id}/compare"}
        driver = self.driver
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        try:
            for name, path in pages.items():
                self.load(path)
                background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
                self.assertEqual(background, "rgb(13, 17, 23)", f"the dark palette applies on {path}")
                driver.save_screenshot(os.path.join(SHOTS, f"{name}-dark.png"))
        finally:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        phone = Browser.make(width=360, height=800)
        try:
            for name, path in pages.items():
                phone.get(BASE + path)
                overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"no sideways scrolling at 360 px on {path}")
                phone.save_screenshot(os.path.join(SHOTS, f"{name}-phone.png"))
        finally:
            phone.quit()

    def test_without_javascript_links_and_filters_are_plain_gets(self):
        driver = Browser.make(javascript=False)
        try:
            driver.get(BASE + f"/runs/{Data.run_id}")
            select = driver.find_element(By.CSS_SELECTOR, "#cases select[name=status]")
            select.find_element(By.CSS_SELECTOR, "option[value=failed]").click()
            driver.find_element(By.CSS_SELECTOR, "#cases button[type=submit]").click()
            time.sleep(0.3)
            self.assertIn("status=failed", driver.current_url)
            statuses = {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#cases td .status")}
            self.assertEqual(statuses, {"✗ failed"})
            driver.get(BASE + f"/projects/{Data.project_id}")
            driver.find_element(By.CSS_SELECTOR, "#runs table a").click()
            self.assertIn("/runs/", driver.current_url)
        finally:
            driver.quit()

    def test_a_completing_shard_updates_the_open_run_page(self):
        status, run = api("POST", "/api/v1/reports/begin", {"project": "browser-live", "ci_run_id": f"live-{time.time()}",
                                                            "total_reports_expected": 2})
        self.assertEqual(status, 201, run)
        shard(run["run_id"], "1", junit("s1", ['<testcase classname="a" name="one"/>']))
        driver = self.load(f"/runs/{run['run_id']}")

        # Read in one script call: the live region may be swapped between a lookup and a read
        # (the page refreshes its regions once it has subscribed, too).
        def shown_tests():
            return driver.execute_script("return document.querySelector('#summary [data-count=tests] b').textContent")
        self.assertEqual(shown_tests(), "1")
        driver.execute_script("window.__sameDocument = true")
        started = time.time()
        shard(run["run_id"], "2", junit("s2", ['<testcase classname="b" name="two"><failure message="late"/></testcase>',
                                               '<testcase classname="b" name="three"/>']))
        deadline = time.time() + 15
        while time.time() < deadline and shown_tests() != "3":
            time.sleep(0.1)
        self.assertEqual(shown_tests(), "3", "the totals follow the run")
        self.assertTrue(driver.execute_script("return window.__sameDocument === true"), "without a reload")
        self.assertIn("late", driver.find_element(By.ID, "failures").text, "the new failure appears")
        print(f"live update on the page after {time.time() - started:.2f} s "
              f"({driver.find_element(By.CSS_SELECTOR, '[data-live-status]').text or 'no live status'})")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
