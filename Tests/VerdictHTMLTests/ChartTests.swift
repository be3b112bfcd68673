import XCTest

@testable import VerdictHTML

final class ChartTests: XCTestCase {
    func testPercentilesByNearestRank() {
        let values = Percentiles([15.0, 20, 35, 40, 50])
        XCTAssertEqual(values.nearestRank(0), 15)
        XCTAssertEqual(values.nearestRank(5), 15)
        XCTAssertEqual(values.nearestRank(30), 20)
        XCTAssertEqual(values.nearestRank(40), 20)
        XCTAssertEqual(values.p50, 35)
        XCTAssertEqual(values.nearestRank(100), 50)
        XCTAssertEqual(values.p95, 50)
        let hundred = Percentiles((1...100).reversed())
        XCTAssertEqual(hundred.p50, 50)
        XCTAssertEqual(hundred.p95, 95)
        XCTAssertEqual(hundred.nearestRank(99), 99)
        XCTAssertEqual(Percentiles([7]).p95, 7)
        XCTAssertNil(Percentiles([Int]()).p50)
    }

    func testSparklineDescribesItsData() throws {
        let rates = [0.92, 0.85, 0.97, 1.0]
        let chart = Sparkline(rates, label: "pass rate over the last 4 runs")
        XCTAssertEqual(chart.textAlternative, "pass rate over the last 4 runs: from 92% to 100%, lowest 85%")
        let svg = chart.render().description
        XCTAssertTrue(svg.contains("role=\"img\""))
        XCTAssertTrue(svg.contains("<title>pass rate over the last 4 runs: from 92% to 100%, lowest 85%</title>"))
        XCTAssertTrue(svg.contains("points=\"3,4.76 41,6.3 79,3.66 117,3\""), svg)
        XCTAssertTrue(svg.contains("<circle class=\"sparkline-last\" cx=\"117\" cy=\"3\""), svg)
        XCTAssertFalse(svg.contains("fill=\"#"), "colours come from the stylesheet")
        try assertWellFormed(svg)

        let durations = Sparkline([1200, 800, .nan, 4000], label: "duration", measure: .durationMilliseconds, highlightsLast: false)
        XCTAssertEqual(durations.textAlternative, "duration: from 1.2 s to 4 s, lowest 800 ms")
        XCTAssertFalse(durations.render().description.contains("circle"))
        XCTAssertEqual(Sparkline([], label: "x").textAlternative, "x: no data")
        XCTAssertEqual(Sparkline([0.5], label: "x").textAlternative, "x: 50%")
        XCTAssertEqual(Sparkline((0..<300).map { _ in 1.0 }, label: "x", limit: 30).values.count, 30)
        try assertWellFormed(Sparkline([], label: "x").render().description)
        try assertWellFormed(Sparkline([0.5], label: "<x> & \"y\"").render().description)
    }

    func testStatusStripCellsAreLinkedLabelledAndNotColourOnly() throws {
        let statuses: [ResultStatus] = [.passed, .failed, .flaky, .skipped, .errored, .passed]
        let cells = statuses.enumerated().map { i, status in
            StatusStrip.Cell(status: status, href: "/runs/\(i)/cases/\("a b")", title: "#\(i) \(status.rawValue) <on main>")
        }
        let strip = StatusStrip(cells, label: "last 6 results")
        XCTAssertEqual(strip.textAlternative, "last 6 results: 2 passed, 1 failed, 1 flaky, 1 skipped, 1 errored")
        let svg = strip.render().description
        XCTAssertTrue(svg.contains("role=\"group\" aria-label=\"last 6 results: 2 passed"))
        XCTAssertTrue(svg.contains("<a href=\"/runs/1/cases/a%20b\" class=\"status-failed\"><title>#1 failed &lt;on main&gt;</title>"), svg)
        for status in ResultStatus.allCases {
            XCTAssertTrue(svg.contains(">\(status.glyph)</text>"), "\(status) has its glyph")
            XCTAssertTrue(svg.contains("class=\"\(status.cssClass)\""))
        }
        XCTAssertEqual(svg.components(separatedBy: "<a ").count - 1, 6)
        try assertWellFormed(svg)
        let many = (0..<150).map { StatusStrip.Cell(status: .passed, href: "/r/\($0)", title: "#\($0)") }
        let capped = StatusStrip(many, label: "x")
        XCTAssertEqual(capped.cells.count, 100)
        XCTAssertEqual(capped.cells.first?.title, "#50", "the newest are kept")
        try assertWellFormed(StatusStrip([], label: "none").render().description)
    }

    func testDurationChartDrawsPercentilesAndTicks() throws {
        let bars = (1...20).map { i in
            DurationChart.Bar(
                milliseconds: Double(i * 100), status: i == 20 ? .failed : .passed, title: "#\(i) took \(i * 100) ms",
                href: i.isMultiple(of: 2) ? "/runs/\(i)" : nil)
        }
        let chart = DurationChart(bars, label: "durations of the last 20 results")
        XCTAssertEqual(chart.percentiles.p50, 1000)
        XCTAssertEqual(chart.percentiles.p95, 1900)
        XCTAssertEqual(chart.textAlternative, "durations of the last 20 results: median 1 s, 95th percentile 1.9 s, longest 2 s")
        let svg = chart.render().description
        XCTAssertTrue(svg.contains("role=\"img\""))
        XCTAssertTrue(svg.contains(">p50 1 s</text>") && svg.contains(">p95 1.9 s</text>"), svg)
        for tick in ["0 ms", "500 ms", "1 s", "1.5 s", "2 s"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), "tick \(tick)") }
        XCTAssertEqual(svg.components(separatedBy: "<rect ").count - 1, 20)
        XCTAssertEqual(svg.components(separatedBy: "<a href=").count - 1, 10)
        XCTAssertTrue(svg.contains("class=\"bar status-failed\""))
        XCTAssertFalse(svg.contains("NaN") || svg.contains("inf"))
        try assertWellFormed(svg)

        XCTAssertEqual(DurationChart.tickStep(top: 2000, count: 4), 500)
        XCTAssertEqual(DurationChart.tickStep(top: 7, count: 4), 2)
        XCTAssertEqual(DurationChart.tickStep(top: 95_000, count: 4), 50_000)
        XCTAssertEqual(DurationChart.tickStep(top: 0, count: 4), 0.5)
        let empty = DurationChart([], label: "none")
        XCTAssertEqual(empty.textAlternative, "none: none")
        try assertWellFormed(empty.render().description)
        try assertWellFormed(DurationChart([.init(milliseconds: .nan, status: .skipped, title: "x")], label: "x").render().description)
    }

    /// Charts are inline SVG in HTML, but they must also be XML: they are served as `.svg` too and
    /// a stray `&` or unclosed element breaks every consumer that reads them that way.
    private func assertWellFormed(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try XCTSkipUnless(Python.available, "python3 is not installed")
        if let error = try Python.xmlError(Array(svg.utf8)) { XCTFail("\(error): \(svg)", file: file, line: line) }
        XCTAssertTrue(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>"), file: file, line: line)
        XCTAssertTrue(svg.contains("aria-label=\"") && svg.contains("<title>"), file: file, line: line)
    }
}
