import XCTest

@testable import VerdictDispatch

final class EstimatorTests: XCTestCase {
    func testUnitPaths() {
        XCTAssertEqual(UnitPath.file(of: "a/b/test_x.py::TestC::test_y[p/q]"), "a/b/test_x.py")
        XCTAssertEqual(UnitPath.file(of: "a/b/test_x.py"), "a/b/test_x.py")
        XCTAssertEqual(UnitPath.file(of: "a/test_x.py::t[a:b]"), "a/test_x.py")
        XCTAssertEqual(UnitPath.folder(of: "a/b/test_x.py::t[c/d]"), "a/b")
        XCTAssertNil(UnitPath.folder(of: "test_x.py::t[c/d]"), "a slash inside the parameters is not a folder")
        XCTAssertEqual(UnitPath.folders(of: "a/b/c/test_x.py::t"), ["a/b/c", "a/b", "a"])
        XCTAssertEqual(UnitPath.folders(of: "test_x.py"), [])
    }

    func testHistoryBeatsEverythingElse() {
        let estimator = DurationEstimator(history: [
            "a/test_1.py::t": DurationStats(meanMs: 300), "a/test_2.py::t": DurationStats(meanMs: 10),
        ])
        let estimate = estimator.estimate(id: "a/test_1.py::t", weightHintMs: 9_999)
        XCTAssertEqual(estimate.source, .history)
        XCTAssertEqual(estimate.meanMs, 300)
        XCTAssertEqual(estimate.sigmaMs, 300 * DurationEstimator.singleSampleRelativeSigma, "one sample: the assumed spread")
        let settled = DurationStats(meanMs: 100, varianceMs2: 400, samples: 5)
        XCTAssertEqual(DurationEstimator(history: ["x": settled]).estimate(id: "x").sigmaMs, 20, "several samples: their own spread")
    }

    func testUnknownUnitTakesItsFolderMedian() {
        let estimator = DurationEstimator(history: [
            "pkg/fast/test_a.py::t1": DurationStats(meanMs: 10), "pkg/fast/test_a.py::t2": DurationStats(meanMs: 30),
            "pkg/fast/test_b.py::t": DurationStats(meanMs: 20_000), "pkg/slow/test_c.py::t": DurationStats(meanMs: 90_000),
        ])
        let estimate = estimator.estimate(id: "pkg/fast/test_new.py::t", weightHintMs: 5)
        XCTAssertEqual(estimate.source, .folderMedian("pkg/fast"), "the folder beats the hint")
        XCTAssertEqual(estimate.meanMs, 30, "median of 10, 30, 20000, not their mean")
        XCTAssertEqual(estimate.sigmaMs, 30 * DurationEstimator.estimatedRelativeSigma)
        // An even count takes the mean of the two middle values.
        XCTAssertEqual(estimator.estimate(id: "pkg/test_top.py::t").meanMs, (30 + 20_000) / 2)
        XCTAssertEqual(estimator.estimate(id: "pkg/test_top.py::t").source, .folderMedian("pkg"))
    }

    func testUnknownFolderWalksUpToTheNearestKnownParent() {
        let estimator = DurationEstimator(history: [
            "a/b/test_1.py::t": DurationStats(meanMs: 40), "a/x/test_2.py::t": DurationStats(meanMs: 1_000),
            "z/test_3.py::t": DurationStats(meanMs: 7),
        ])
        let deep = estimator.estimate(id: "a/b/c/d/test_new.py::t")
        XCTAssertEqual(deep.source, .folderMedian("a/b"))
        XCTAssertEqual(deep.meanMs, 40)
        let sibling = estimator.estimate(id: "a/q/test_new.py::t")
        XCTAssertEqual(sibling.source, .folderMedian("a"))
        XCTAssertEqual(sibling.meanMs, 520)
    }

    func testHintThenGlobalMedianThenDefault() {
        let estimator = DurationEstimator(history: [
            "a/test_1.py::t": DurationStats(meanMs: 10), "b/test_2.py::t": DurationStats(meanMs: 20),
            "c/test_3.py::t": DurationStats(meanMs: 60),
        ])
        let hinted = estimator.estimate(DispatchUnit(id: "new/test_4.py::t", weightHintMs: 250))
        XCTAssertEqual(hinted.source, .hint)
        XCTAssertEqual(hinted.meanMs, 250)
        let rootHinted = estimator.estimate(id: "test_top.py::t", weightHintMs: 5)
        XCTAssertEqual(rootHinted.source, .hint, "a file at the root has no folder; the root is not a folder median")
        let global = estimator.estimate(id: "new/test_4.py::t")
        XCTAssertEqual(global.source, .globalMedian)
        XCTAssertEqual(global.meanMs, 20)
        let nothing = DurationEstimator(history: [:]).estimate(id: "a/test.py::t")
        XCTAssertEqual(nothing.source, .fallback)
        XCTAssertEqual(nothing.meanMs, DurationEstimator.defaultMeanMs)
        XCTAssertEqual(
            DurationEstimator(history: [:]).estimate(id: "a/test.py::t", weightHintMs: -3).source, .fallback, "a negative hint is ignored")
    }

    func testFileUnitsSumTheirTests() {
        let tests: [String: DurationStats] = [
            "a/test_x.py::t1": DurationStats(meanMs: 100, varianceMs2: 25, samples: 4),
            "a/test_x.py::C::t2[p]": DurationStats(meanMs: 50, varianceMs2: 11, samples: 2),
            "a/test_y.py::t": DurationStats(meanMs: 7),
        ]
        let files = FileUnits.history(fromTests: tests)
        XCTAssertEqual(files.count, 2)
        XCTAssertEqual(files["a/test_x.py"], DurationStats(meanMs: 150, varianceMs2: 36, samples: 2))
        XCTAssertEqual(files["a/test_y.py"], DurationStats(meanMs: 7))
        let grouped = FileUnits.group(["b/t.py::1", "a/t.py::1", "b/t.py::2"])
        XCTAssertEqual(grouped.map(\.file), ["b/t.py", "a/t.py"])
        XCTAssertEqual(grouped[0].tests, ["b/t.py::1", "b/t.py::2"])
        // Estimating a new file from file history: the folder median of files, not of tests.
        XCTAssertEqual(DurationEstimator(history: files).estimate(id: "a/test_z.py").meanMs, (150 + 7) / 2)
    }
}
