import VerdictInsights
import XCTest

/// Project frames from every stack format, with lines from the corpus where it has them: line
/// and column numbers dropped, checkout prefixes cut, runner and library frames skipped.
final class StackFrameTests: XCTestCase {
    private func frames(_ stack: String) -> [String] {
        FailureFingerprint(errorType: nil, message: "boom", stack: stack).frames
    }

    /// jest-json/MarkusSprunck__ethereum-event-scan/jest-results-continue.json
    func testJavaScriptNamedAndAnonymousFrames() {
        let stack = """
            TypeError: this.reader.reset is not a function
                at SettingsComponent.clearTable (/Users/markus/Projects/IntelliJ/ethereum-event-scan/src/app/components/settings/settings.component.ts:393:17)
                at /Users/markus/Projects/IntelliJ/ethereum-event-scan/node_modules/jest-mock/build/index.js:305:39
                at SettingsComponent.updateContract (/Users/markus/Projects/IntelliJ/ethereum-event-scan/src/app/components/settings/settings.component.ts:399:10)
            """
        XCTAssertEqual(
            frames(stack),
            [
                "src/app/components/settings/settings.component.ts:SettingsComponent.clearTable",
                "src/app/components/settings/settings.component.ts:SettingsComponent.updateContract",
            ])
        XCTAssertEqual(frames("    at /project/tests/functional/add.spec.ts:10:26"), ["tests/functional/add.spec.ts"])
    }

    /// junit/dorny__test-reporter/jest-junit.xml: Windows paths, jest-jasmine and Node internals.
    func testJavaScriptRunnerAndNodeInternalsAreSkipped() {
        let stack = """
            Error: Some error
                at Object.asyncJestTest (C:\\Users\\Michal\\Workspace\\dorny\\test-check\\reports\\jest\\node_modules\\jest-jasmine2\\build\\jasmineAsyncInstall.js:106:37)
                at new Promise (<anonymous>)
                at processTicksAndRejections (internal/process/task_queues.js:97:5)
                at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1495:16)
                at Object.throwError (C:\\Users\\Michal\\Workspace\\dorny\\test-check\\reports\\jest\\lib\\main.js:2:9)
                at async Object.<anonymous> (C:\\Users\\Michal\\Workspace\\dorny\\test-check\\reports\\jest\\__tests__\\main.test.js:14:11)
            """
        XCTAssertEqual(frames(stack), ["lib/main.js:Object.throwError", "__tests__/main.test.js"])
    }

    /// ctrf/ministryofjustice…: webpack URLs; mochawesome/JoaoTMDias…: Cypress' `?p=` spec URLs.
    func testBundlerAndCypressURLs() {
        XCTAssertEqual(
            frames("    at Context.eval (webpack://hmpps-csip-ui/./server/routes/manage-csips/tests.cy.ts:106:7)"),
            ["tests.cy.ts:Context.eval"])
        XCTAssertEqual(
            frames("    at Context.eval (http://localhost:6006/__cypress/tests?p=cypress/integration/announcer.spec.js:744:30)"),
            ["cypress/integration/announcer.spec.js:Context.eval"])
        XCTAssertEqual(frames("    at <unknown> (http://localhost:33769/__cypress/runner/cypress_runner.js:131916:74)"), [])
    }

    /// junit/dorny__test-reporter/python-xunit-unittest.xml
    func testPythonTraceback() {
        let stack = """
            Traceback (most recent call last):
              File "/usr/lib/python3.11/unittest/case.py", line 57, in testPartExecutor
              File "/Users/foo/Projects/python-test/tests/test_lib.py", line 24, in test_always_fail
                self.fail("failed")
              File "/home/ci/.venv/lib/python3.11/site-packages/pluggy/_hooks.py", line 493, in __call__
            AssertionError: failed
            """
        XCTAssertEqual(frames(stack), ["tests/test_lib.py:test_always_fail"])
    }

    /// junit/dorny__test-reporter/python-xunit-pytest.xml and pytest's short tracebacks.
    func testPytestShortForms() {
        XCTAssertEqual(
            frames("def test_always_fail():\n>       assert False\nE       assert False\n\ntests/test_lib.py:25: AssertionError"),
            ["tests/test_lib.py"])
        XCTAssertEqual(
            frames("test_spark.py:836: in do_test_rsh_events\n    self.do_test_rsh(command, 143, events=events)"),
            ["test_spark.py:do_test_rsh_events"])
        XCTAssertEqual(frames("/home/ci/.venv/lib/python3.11/site-packages/_pytest/python.py:194: in pytest_pyfunc_call"), [])
    }

    /// junit/apache__maven-surefire/TEST-org.acme.FlakyTest.xml and TEST-surefire.MyTest-enclosed.xml
    func testJavaFramesAndCauses() {
        let stack = """
            org.opentest4j.AssertionFailedError: expected: <1> but was: <0>
            \tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)
            \tat org.acme.FlakyTest.testFlaky(FlakyTest.java:18)
            \tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
            \tat io.quarkus.test.junit.QuarkusTestExtension.runExtensionMethod(QuarkusTestExtension.java:1015)
            """
        XCTAssertEqual(frames(stack), ["org.acme.FlakyTest.testFlaky"])
        let synthetic = """
            java.lang.RuntimeException: java.lang.IndexOutOfBoundsException
            \tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
            \tat surefire.MyTest.access$200(MyTest.java:9)
            \tat surefire.MyTest$A.lambda$t$3(MyTest.java:45)
            Caused by: java.lang.IndexOutOfBoundsException
            \tat java.util.ArrayList.get(ArrayList.java:411)
            \t... 42 more
            """
        XCTAssertEqual(frames(synthetic), ["surefire.MyTest.access$<num>", "surefire.MyTest$A.lambda$t$<num>"])
        XCTAssertEqual(
            frames("\tat jdk.proxy2/jdk.proxy2.$Proxy108.updateClaim(Unknown Source)\n\tat org.twia.Test.t(Test.java:3)"),
            ["org.twia.Test.t"])
    }

    func testDotNetFrames() {
        let stack = """
            System.InvalidOperationException: Order is already shipped
               at Shop.Orders.OrderService.Cancel(Guid id) in C:\\agent\\_work\\1\\s\\src\\Shop\\Orders\\OrderService.cs:line 57
               at System.RuntimeMethodHandle.InvokeMethod(Object target, Void** arguments, Signature sig, Boolean isConstructor)
               at Shop.Tests.OrderServiceTests.CancelShipped() in C:\\agent\\_work\\1\\s\\tests\\Shop.Tests\\OrderServiceTests.cs:line 23
            """
        XCTAssertEqual(frames(stack), ["Shop.Orders.OrderService.Cancel", "Shop.Tests.OrderServiceTests.CancelShipped"])
    }

    /// junit/gotestyourself__gotestsum and a panic's goroutine trace.
    func testGoFrames() {
        XCTAssertEqual(frames("=== RUN   TestNestedParallelFailures/a\n    fails_test.go:50: failed sub a\n"), ["fails_test.go"])
        let panic = """
            goroutine 7 [running]:
            testing.tRunner.func1.2({0x52a0e0, 0x6a1b40})
            \t/usr/local/go/src/testing/testing.go:1545 +0x238
            example.com/shop/cart.(*Cart).Total(0x0)
            \t/home/runner/work/shop/shop/internal/cart/cart.go:31 +0x1d
            """
        XCTAssertEqual(frames(panic), ["internal/cart/cart.go"])
    }

    func testRubyFrames() {
        let stack = """
            app/models/account.rb:30:in `find!'
            /usr/local/bundle/gems/rspec-core-3.12.2/lib/rspec/core/example.rb:263:in `instance_exec'
            from spec/services/login_spec.rb:8:in 'block (2 levels) in <top (required)>'
            """
        XCTAssertEqual(frames(stack), ["account.rb:find!", "spec/services/login_spec.rb:block (2 levels) in <top (required)>"])
    }

    /// junit/dorny__test-reporter/external/phpunit/phpcheckstyle-phpunit.xml and ctrf's `file:line`.
    func testBareLocations() {
        XCTAssertEqual(
            frames("OtherTest::testOther\nWe expect 20 warnings\n\n/workspace/phpcheckstyle/test/OtherTest.php:24"), ["test/OtherTest.php"])
        XCTAssertEqual(frames("ProfileTest.js:45"), ["ProfileTest.js"])
    }

    /// XCTest's `file:line: error:` form (the corpus' Swift reports carry no stack).
    func testSwiftXCTestLocation() {
        let fingerprint = FailureFingerprint(
            errorType: nil,
            message:
                "/Users/dev/Verdict/Tests/VerdictInsightsTests/FooTests.swift:42: error: -[VerdictInsightsTests.FooTests testBar] : XCTAssertEqual failed: (\"1\") is not equal to (\"2\")",
            stack: nil)
        XCTAssertEqual(fingerprint.frames, ["Tests/VerdictInsightsTests/FooTests.swift"])
        XCTAssertEqual(
            fingerprint.template,
            "<path>: error: -[VerdictInsightsTests.FooTests testBar] : XCTAssertEqual failed: (<str>) is not equal to (<str>)")
    }

    /// junit/EnricoMi…/tst/disabled.xml: the location is in the message itself.
    func testLocationInTheMessageWhenThereIsNoStack() {
        let fingerprint = FailureFingerprint(
            errorType: nil, message: "/home/ivan/prj/tst/tests/failed/checks.cpp:59: error: check_ge(2, 3)failed!", stack: nil)
        XCTAssertEqual(fingerprint.frames, ["tests/failed/checks.cpp"])
        XCTAssertEqual(fingerprint.template, "<path>: error: check_ge(<num>, <num>)failed!")
    }

    func testOnlyTheNearestProjectFramesAreKept() {
        let stack = (1...6).map { "    at step\($0) (/repo/src/flow.ts:\($0):1)" }.joined(separator: "\n")
        XCTAssertEqual(frames(stack), ["src/flow.ts:step1", "src/flow.ts:step2"])
        XCTAssertEqual(FingerprintLimits.frames, 2)
    }

    func testOnlyLibraryFramesLeaveNone() {
        XCTAssertEqual(
            frames(
                "    at Promise.then.completed (/repo/node_modules/jest-circus/build/utils.js:307:28)\n    at new Promise (<anonymous>)"),
            [])
    }

    /// The same failure on two machines and after an edit above the failing line.
    func testFramesAreTheSameAcrossCheckoutsAndLineMoves() {
        let a = frames("    at total (/home/runner/work/shop/shop/src/cart/total.ts:12:5)")
        let b = frames("    at total (C:\\Users\\dev\\code\\shop\\src\\cart\\total.ts:19:9)")
        let c = frames("    at total (file:///Users/dev/shop/src/cart/total.ts:12:5)")
        XCTAssertEqual(a, ["src/cart/total.ts:total"])
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
    }
}
