import XCTest

@testable import VerdictCLIKit

final class GlobTests: XCTestCase {
    func matches(_ pattern: String, _ path: String) -> Bool {
        Glob.compile(pattern).contains { $0.matches(path) }
    }

    func testSegmentsAndDoubleStars() {
        XCTAssertTrue(matches("tests/**/*.spec.ts", "tests/login.spec.ts"), "** matches no directory at all")
        XCTAssertTrue(matches("tests/**/*.spec.ts", "tests/a/b/c.spec.ts"))
        XCTAssertFalse(matches("tests/*.spec.ts", "tests/a/c.spec.ts"), "* stays within a segment")
        XCTAssertFalse(matches("tests/**/*.spec.ts", "tests/login.spec.tsx"))
        XCTAssertTrue(matches("./tests/?.py", "tests/a.py"))
        XCTAssertFalse(matches("tests/?.py", "tests/ab.py"))
        XCTAssertTrue(matches("**", "a/b/c"))
    }

    func testClassesBracesAndEscapes() {
        XCTAssertTrue(matches("test_[a-c].py", "test_b.py"))
        XCTAssertFalse(matches("test_[!a-c].py", "test_b.py"))
        XCTAssertTrue(matches("test_[!a-c].py", "test_d.py"))
        XCTAssertTrue(matches("src/{unit,e2e}/**/*.{spec,test}.ts", "src/e2e/x/y.test.ts"))
        XCTAssertFalse(matches("src/{unit,e2e}/*.ts", "src/int/y.ts"))
        XCTAssertEqual(Glob.expandBraces("a{b,c{d,e}}f"), ["abf", "acdf", "acef"])
        XCTAssertEqual(Glob.expandBraces("a{b}c"), ["a{b}c"], "a brace without a comma is literal")
        XCTAssertTrue(matches("weird\\*name", "weird*name"))
        XCTAssertFalse(matches("weird\\*name", "weirdXname"))
        XCTAssertTrue(matches("a[b.txt", "a[b.txt"), "an unclosed class is a literal bracket")
    }

    func testHiddenNamesAndDependenciesAreLeftAlone() {
        XCTAssertFalse(matches("*.ts", ".eslintrc.ts"))
        XCTAssertTrue(matches(".*.ts", ".eslintrc.ts"))
        XCTAssertFalse(matches("**/*.spec.ts", "node_modules/lib/a.spec.ts"))
        XCTAssertFalse(matches("**/*.spec.ts", ".git/a.spec.ts"))
        XCTAssertTrue(matches("node_modules/lib/*.spec.ts", "node_modules/lib/a.spec.ts"), "named outright, it is walked")
    }

    func testExpansionWalksTheTreeSortedAndWithoutDuplicates() throws {
        let tree = try TemporaryTree([
            "tests/b.spec.ts": "", "tests/a.spec.ts": "", "tests/deep/x/c.spec.ts": "", "tests/readme.md": "",
            "tests/.hidden/h.spec.ts": "", "node_modules/dep/d.spec.ts": "", "e2e/z.test.ts": "", "go/pkg/store/store_test.go": "",
        ])
        let expansion = UnitExpansion(root: tree.path)
        let outcome = try expansion.expand(
            ["tests/**/*.spec.ts", "tests/*.spec.ts", "**/*.{spec,test}.ts", "go/pkg/store", "missing/*.ts"],
            excluding: ["tests/deep/**"])
        XCTAssertEqual(outcome.units, ["e2e/z.test.ts", "go/pkg/store", "tests/a.spec.ts", "tests/b.spec.ts"])
        XCTAssertEqual(outcome.unmatched, ["missing/*.ts"])
        XCTAssertEqual(
            try expansion.expand(["tests/**"]).units, ["tests/a.spec.ts", "tests/b.spec.ts", "tests/deep/x/c.spec.ts", "tests/readme.md"])
    }
}

final class UnitListTests: XCTestCase {
    func testPytestCollectionOutput() {
        let output = """
            tests/test_b.py::test_ok
            tests/test_a.py::TestLogin::test_x[param-1]
            tests/test_b.py::test_ok

            3 tests collected in 0.02s
            """
        XCTAssertEqual(UnitList.parse(output), ["tests/test_a.py::TestLogin::test_x[param-1]", "tests/test_b.py::test_ok"])
    }

    func testSummarySectionsAndCommentsAreNotIds() {
        let output = """
            # generated
            pkg/a
              pkg/b\t
            ================= warnings summary =================
            tests/test_x.py:3
            """
        XCTAssertEqual(UnitList.parse(output), ["pkg/a", "pkg/b"])
        XCTAssertEqual(UnitList.parse("a\n3/40 tests collected (37 deselected) in 0.1s\nb"), ["a"])
        XCTAssertEqual(UnitList.parse("no tests collected in 0.01s\n"), [])
        XCTAssertEqual(
            UnitList.parse("example.com/app/pkg/a\r\nexample.com/app/pkg/b\r\n"), ["example.com/app/pkg/a", "example.com/app/pkg/b"])
    }
}

final class CommandTemplateTests: XCTestCase {
    func testUnitsBecomeSeparateArgumentsAndPlaceholdersAreFilled() {
        let template = CommandTemplate(
            arguments: ["pytest", "--junitxml={report}", "{}", "-k", "{worker}-{batch}", "{unknown}"],
            reportPattern: "out/{worker}/{batch}.xml")
        XCTAssertEqual(template.reportPath(worker: "w 1", batch: 3), "out/w 1/3.xml")
        XCTAssertEqual(
            template.argv(units: ["a b.py", "$HOME.py"], worker: "w 1", batch: 3),
            ["pytest", "--junitxml=out/w 1/3.xml", "a b.py", "$HOME.py", "-k", "w 1-3", "{unknown}"])
    }

    func testWithoutBracesUnitsAreAppendedAndNoReportLeavesThePlaceholder() {
        let template = CommandTemplate(arguments: ["go", "test", "--json={report}"])
        XCTAssertNil(template.reportPath(worker: "w", batch: 1))
        XCTAssertEqual(template.argv(units: ["./a", "./b"], worker: "w", batch: 1), ["go", "test", "--json={report}", "./a", "./b"])
    }

    func testAWorkerNameHoldingAPlaceholderIsNotFilledAgain() {
        XCTAssertEqual(CommandTemplate.fill("{worker}:{batch}", worker: "{batch}", batch: 2, report: nil), "{batch}:2")
    }
}
