#!/usr/bin/env python3
"""Writes synthetic.json: labelled variants of real corpus failures (labelled.json).

Each family starts from a failure copied from the corpus and varies what changes between runs of
the same failure (numbers, ports, ids, timestamps, checkout paths, temp dirs, line numbers after an
edit, ANSI colour, runner versions); those variants keep the family's label, which is the real
failure's label where it has one, so they are also compared with the real failures. Look-alikes
change what makes it a different failure (another assertion, another file or function, another
error type) and get labels of their own. Labels come from how each entry is constructed here, never
from running the fingerprint.  Run: python3 make_synthetic.py > synthetic.json
"""
import json

ESC = "\u001b"
entries = []


def add(label, variation, message=None, type=None, stack=None):
    entry = {"label": label, "variation": variation}
    if type is not None:
        entry["type"] = type
    if message is not None:
        entry["message"] = message
    if stack is not None:
        entry["stack"] = stack
    entries.append(entry)


# Playwright toBe failure (playwright-json/daun__playwright-report-summary/report-valid.json, add › adds).
def pw_add(expected, received, path, line, colour=False):
    head = "Error: expect(received).toBe(expected) // Object.is equality"
    exp, rec = f"Expected: {expected}", f"Received: {received}"
    if colour:
        head = f"Error: {ESC}[2mexpect({ESC}[22m{ESC}[31mreceived{ESC}[39m{ESC}[2m).{ESC}[22mtoBe{ESC}[2m({ESC}[22m{ESC}[32mexpected{ESC}[39m{ESC}[2m) // Object.is equality{ESC}[22m"
        exp, rec = f"Expected: {ESC}[32m{expected}{ESC}[39m", f"Received: {ESC}[31m{received}{ESC}[39m"
    return (f"{head}\n\n{exp}\n{rec}\n\n   8 | \t}});\n   9 | \ttest('adds', async () => {{\n> {line} | \t\texpect(add(1, 2)).toBe({expected});\n"
            f"     | \t\t                  ^\n  11 | \t}});\n\n    at {path}:{line}:21")


add("pw-add", "other numbers", pw_add(5, 4, "/project/tests/functional/add.spec.ts", 10))
add("pw-add", "ANSI colour", pw_add(4, 3, "/project/tests/functional/add.spec.ts", 10, colour=True))
add("pw-add", "CI checkout path", pw_add(4, 3, "/home/runner/work/summary/summary/tests/functional/add.spec.ts", 10))
add("pw-add", "Windows checkout", pw_add(4, 3, "D:\\a\\summary\\summary\\tests\\functional\\add.spec.ts", 10))
add("pw-add", "line moved by an edit above", pw_add(4, 3, "/project/tests/functional/add.spec.ts", 14))
add("pw-lookalike-cart", "same assertion in another spec file", pw_add(4, 3, "/project/tests/functional/cart.spec.ts", 10))
add("pw-lookalike-toequal", "another matcher at the same place",
    "Error: expect(received).toEqual(expected) // deep equality\n\nExpected: 4\nReceived: 3\n\n    at /project/tests/functional/add.spec.ts:10:21")

# Playwright test timeout (playwright-json/evmts__tevm-monorepo/results.json).
add("tevm-readwrite-timeout", "another timeout setting", "Test timeout of 45000ms exceeded.")
add("tevm-readwrite-timeout", "ANSI colour", f"{ESC}[31mTest timeout of 30000ms exceeded.{ESC}[39m")
add("pw-lookalike-hook-timeout", "a hook's timeout, not the test's", 'Test timeout of 30000ms exceeded while running "beforeEach" hook.')

# Cypress cy.visit refused (ctrf/ska-telescope__ska-oso-pht-ui/ctrf-report.json).
def cy_visit(app_port, runner_port, spec="cypress/integration/darkMode/darkMode.js", line=4):
    return (f"CypressError: `cy.visit()` failed trying to load:\n\nhttp://localhost:{app_port}/\n\n"
            "We attempted to make an http request to this URL but the request failed without a response.\n\n"
            f"We received this error at the network level:\n\n  > Error: connect ECONNREFUSED 127.0.0.1:{app_port}\n\n"
            "Common situations why this would fail:\n  - you don't have internet access\n  - you forgot to run / boot your web server\n"
            f"    at <unknown> (http://localhost:{runner_port}/__cypress/runner/cypress_runner.js:131916:74)\n"
            f"    at visitFailedByErr (http://localhost:{runner_port}/__cypress/runner/cypress_runner.js:131315:12)\n"
            f"From Your Spec Code:\n    at Context.eval ({spec}:{line}:5)\n"
            "    at Context.resolveAndRunStepDefinition (node_modules/cypress-cucumber-preprocessor/lib/resolveStepDefinition.js:193:0)")


add("single-29", "other ports", cy_visit(6102, 41877))
add("single-29", "other ports, line moved", cy_visit(6101, 52001, line=9))
add("cy-lookalike-other-spec", "same refusal in another spec", cy_visit(6101, 33769, spec="cypress/integration/login/login.js"))

# Cypress retry timeout (mochawesome/JoaoTMDias__react-a11y-tools/mochawesome.json).
def cy_text(wait, expected, actual, port):
    return (f"AssertionError: Timed out retrying after {wait}ms: expected '<div#rat-route-announcer.rat__announcer>' to have text "
            f"'{expected}', but the text was '{actual}'\n    at Context.eval (http://localhost:{port}/__cypress/tests?p=cypress/integration/announcer.spec.js:744:30)")


add("single-204", "other wait, texts and port", cy_text(10000, "Navigated to Home", "Navigated to Article Title", 6007))
add("single-204", "other texts", cy_text(4000, "Navigated to Docs", "Navigated to Storybook", 6006))

# JUnit 5 assertEquals retried (junit/apache__maven-surefire/TEST-org.acme.FlakyTest.xml).
def flaky(expected, actual, line, runner_lines=(62, 43, 566)):
    return ("org.opentest4j.AssertionFailedError", f"expected: <{expected}> but was: <{actual}>",
            f"org.opentest4j.AssertionFailedError: expected: <{expected}> but was: <{actual}>\n"
            "\tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)\n"
            "\tat org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:528)\n"
            f"\tat org.acme.FlakyTest.testFlaky(FlakyTest.java:{line})\n"
            f"\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:{runner_lines[0]})\n"
            f"\tat java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:{runner_lines[1]})\n"
            f"\tat java.base/java.lang.reflect.Method.invoke(Method.java:{runner_lines[2]})\n"
            "\tat io.quarkus.test.junit.QuarkusTestExtension.runExtensionMethod(QuarkusTestExtension.java:1015)")


for variation, args in [("other values", (1, 7, 18)), ("line moved, newer JDK", (1, 2, 25, (77, 43, 568)))]:
    t, m, s = flaky(*args)
    add("quarkus-flaky-assert", variation, m, t, s)
t, m, s = flaky(1, 0, 18)
add("quarkus-lookalike-other-test", "same assertion in another test method", m, t, s.replace("testFlaky", "testSteady"))

# Java NPE with a cause chain and a Spring proxy (shape of Tests/Benchmarks StackTraces, names from the corpus).
def npe(field, test_line, proxy, caller="org.twia.vendor.VendorManagerTest.testGetVendorFirmKeyForVendorRep"):
    return ("java.lang.NullPointerException", f'Cannot invoke "java.util.Map.get(Object)" because "this.{field}" is null',
            f'java.lang.NullPointerException: Cannot invoke "java.util.Map.get(Object)" because "this.{field}" is null\n'
            "\tat org.twia.vendor.RateTable.lookup(RateTable.java:88)\n"
            f"\tat jdk.proxy2/jdk.proxy2.$Proxy{proxy}.lookup(Unknown Source)\n"
            f"\tat {caller}(VendorManagerTest.java:{test_line})\n"
            "\tat org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)\n"
            "Caused by: java.lang.IllegalStateException: Connection pool exhausted after 30000 ms\n"
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n\t... 42 more")


for variation, args in [("base", ("rates", 104, 108)), ("other proxy number, line moved", ("rates", 131, 231)),
                        ("other field name", ("rateCache", 104, 108))]:
    t, m, s = npe(*args)
    add("java-npe-ratetable", variation, m, t, s)
t, m, s = npe("rates", 104, 108)
add("java-npe-lookalike-other-site", "same NPE text raised elsewhere", m, t,
    s.replace("org.twia.vendor.RateTable.lookup(RateTable.java:88)", "org.twia.vendor.FeeTable.load(FeeTable.java:40)"))

# pytest assertion with temp dirs (junit/dorny__test-reporter/python-xunit-pytest.xml, shape of pytest's tmp_path).
def pytest_tmp(n, run, line):
    path = f"/tmp/pytest-of-runner/pytest-{run}/test_export0/out-{n}.csv"
    return (None, f"AssertionError: assert '{path}' == 'expected.csv'",
            f"def test_export(tmp_path):\n        export(tmp_path)\n>       assert written == 'expected.csv'\n"
            f"E       AssertionError: assert '{path}' == 'expected.csv'\n\ntests/test_lib.py:{line}: AssertionError")


for variation, args in [("base", (1, 12, 40)), ("other temp dir", (7, 389, 40)), ("line moved", (3, 12, 47))]:
    t, m, s = pytest_tmp(*args)
    add("pytest-export-tmp", variation, m, t, s)
add("pytest-lookalike-other-test", "assert False in another test of the same file", "assert False",
    stack="def test_import():\n>       assert False\nE       assert False\n\ntests/test_import.py:25: AssertionError")

# Python traceback (junit/dorny__test-reporter/python-xunit-unittest.xml), another checkout.
add("single-110", "another checkout and line", "failed", "AssertionError",
    'Traceback (most recent call last):\n  File "/home/ci/build/python-test/tests/test_lib.py", line 26, in test_always_fail\n    self.fail("failed")\nAssertionError: failed\n')
add("single-111", "another checkout", "error", "Exception",
    'Traceback (most recent call last):\n  File "C:\\work\\python-test\\tests\\test_lib.py", line 31, in test_error\n    raise Exception("error")\nException: error\n')

# Go test output (junit/gotestyourself__gotestsum): a timestamped, id-carrying message.
def go_fail(ts, req, line=50):
    return (None, "Failed", f"=== RUN   TestUpload\n    upload_test.go:{line}: upload {req} rejected at {ts}: status 503\n--- FAIL: TestUpload (0.31s)\n")


for variation, args in [("base", ("2024-03-01T10:15:22.123Z", "6f1c2a9e-5b7d-4c1e-9a0f-3b2d1e4c5a6b")),
                        ("other timestamp and request id", ("2025-11-30T23:59:01Z", "0b8e3f4d-1a2b-4c3d-8e9f-a0b1c2d3e4f5")),
                        ("RFC 1123 date", ("Mon, 15 Jan 2024 10:30:00 GMT", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"))]:
    t, m, s = go_fail(*args)
    add("go-upload-503", variation, m, t, s)
t, m, s = go_fail("2024-03-01T10:15:22Z", "6f1c2a9e-5b7d-4c1e-9a0f-3b2d1e4c5a6b")
add("go-upload-lookalike-404", "another status", m, t, s.replace("status 503", "status 404"))

# Go panic with goroutine trace.
def go_panic(addr, goroutine, line):
    return (None, "Failed",
            f"panic: runtime error: invalid memory address or nil pointer dereference [recovered]\n"
            f"[signal SIGSEGV: segmentation violation code=0x1 addr={addr} pc=0x4f5d2a]\n\ngoroutine {goroutine} [running]:\n"
            "testing.tRunner.func1.2({0x52a0e0, 0x6a1b40})\n\t/usr/local/go/src/testing/testing.go:1545 +0x238\n"
            "example.com/shop/cart.(*Cart).Total(0x0)\n\t/home/runner/work/shop/shop/cart/cart.go:" + str(line) + " +0x1d\n"
            "example.com/shop/cart.TestTotal(0xc000007d40)\n\t/home/runner/work/shop/shop/cart/cart_test.go:14 +0x2a\n")


for variation, args in [("base", ("0x18", 7, 31)), ("other address and goroutine", ("0x30", 22, 31)), ("line moved", ("0x18", 7, 36))]:
    t, m, s = go_panic(*args)
    add("go-nil-cart-total", variation, m, t, s)
t, m, s = go_panic("0x18", 7, 31)
add("go-panic-lookalike-other-func", "same panic in another function", m, t, s.replace("cart/cart.go", "cart/discount.go"))

# .NET and Ruby stacks.
def dotnet(order, root):
    return ("System.InvalidOperationException", f"Order {order} is already shipped",
            f"System.InvalidOperationException: Order {order} is already shipped\n"
            f"   at Shop.Orders.OrderService.Cancel(Guid id) in {root}src\\Shop\\Orders\\OrderService.cs:line 57\n"
            f"   at Shop.Tests.OrderServiceTests.CancelShipped() in {root}tests\\Shop.Tests\\OrderServiceTests.cs:line 23\n"
            "   at System.RuntimeMethodHandle.InvokeMethod(Object target, Void** arguments, Signature sig, Boolean isConstructor)")


for variation, args in [("base", ("3f9a2c1e-77b0-4f7e-9d3c-2a1b0c9d8e7f", "C:\\agent\\_work\\1\\s\\")),
                        ("other order id and agent", ("9d8e7f6a-1b2c-4d3e-8f9a-0b1c2d3e4f5a", "D:\\a\\shop\\shop\\"))]:
    t, m, s = dotnet(*args)
    add("dotnet-cancel-shipped", variation, m, t, s)


def ruby(user, line):
    return ("RuntimeError", f"user {user} not found",
            f"app/models/account.rb:{line}:in `find!'\napp/services/login.rb:12:in `call'\n"
            "/usr/local/bundle/gems/rspec-core-3.12.2/lib/rspec/core/example.rb:263:in `instance_exec'\n"
            "spec/services/login_spec.rb:8:in `block (2 levels) in <top (required)>'")


for variation, args in [("base", (1041, 30)), ("other user id, line moved", (77, 33))]:
    t, m, s = ruby(*args)
    add("ruby-account-find", variation, m, t, s)

# Jest (jest-json/MarkusSprunck__ethereum-event-scan): another developer's checkout, newer runner.
def jest_reset(home, circus_line):
    return (None, "TypeError: this.reader.reset is not a function",
            "TypeError: this.reader.reset is not a function\n"
            f"    at SettingsComponent.clearTable ({home}/ethereum-event-scan/src/app/components/settings/settings.component.ts:393:17)\n"
            f"    at SettingsComponent.updateContract ({home}/ethereum-event-scan/src/app/components/settings/settings.component.ts:399:10)\n"
            f"    at Promise.finally.completed ({home}/ethereum-event-scan/node_modules/jest-circus/build/jestAdapterInit.js:{circus_line}:28)")


for variation, args in [("another checkout", ("/home/runner/work/scan", 1557)), ("newer jest-circus", ("/Users/markus/Projects/IntelliJ", 1602))]:
    t, m, s = jest_reset(*args)
    add("single-34", variation, m, t, s)

# Long hex, memory addresses, durations, dates, quoted values: one failure, several runs.
def cache_miss(sha, ms, when, addr):
    return (None, f"CacheError: entry {sha} expired {ms}ms ago (stored {when}, slot {addr}) for key \"user:42:profile\"",
            f"CacheError: entry {sha} expired\n    at Cache.get (/srv/app/src/cache/store.ts:88:11)\n    at loadProfile (/srv/app/src/profile/load.ts:19:5)")


for variation, args in [("base", ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", 1500, "2024-01-15 10:30:00", "0x7ffd5c3e9a10")),
                        ("other sha, duration, time, address", ("2c26b46b68ffc68ff99b453c1d30413413422d70", 27, "2025-06-02 08:01:59", "0x7f00aa12bc40"))]:
    t, m, s = cache_miss(*args)
    add("ts-cache-expired", variation, m, t, s)
t, m, s = cache_miss("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", 1500, "2024-01-15 10:30:00", "0x7ffd5c3e9a10")
add("ts-cache-lookalike-session", "same error from the session store", m, t, s.replace("src/profile/load.ts:19:5", "src/session/resume.ts:40:3").replace("loadProfile", "resumeSession"))

# mocha/should (mochawesome-report-generator hooks.json) in another checkout.
add("mochawesome-hooks-helpers-32", "runner from another install",
    "AssertionError: expected Object { foo: true, bar: false, baz: 1 } to equal Object { foo: true, bar: true, baz: 1 } (at bar, A has false and B has true)",
    stack="AssertionError: expected Object { foo: true, bar: false, baz: 1 } to equal Object { foo: true, bar: true, baz: 1 } (at bar, A has false and B has true)\n"
    "    at Assertion.fail (/builds/reports/node_modules/should/cjs/should.js:275:17)\n    at Context.<anonymous> (helpers.js:32:20)")

# A 200 KB message: a serialised DOM after the headline.
big = "Error: Timed out 5000ms waiting for expect(locator).toHaveText(expected)\n\nLocator: locator('#total')\nExpected string: \"42.00\"\nReceived string: \"41.00\"\nCall log:\n" + "".join(
    f"  - locator resolved to <div id=\"n{i}\">{i}</div>\n" for i in range(1800))
add("pw-total-text", "huge call log", big + "\n    at /work/shop/tests/cart.spec.ts:31:7")
add("pw-total-text", "short call log, other values",
    "Error: Timed out 7000ms waiting for expect(locator).toHaveText(expected)\n\nLocator: locator('#total')\nExpected string: \"10.00\"\nReceived string: \"9.50\"\nCall log:\n  - waiting for locator('#total')\n\n    at /home/runner/work/shop/shop/tests/cart.spec.ts:33:7")

print(json.dumps({"about": __doc__.strip().splitlines()[0] + " See make_synthetic.py for how each was made.", "failures": entries}, indent=1, ensure_ascii=False))
