/// A result's outcome as the charts draw it; its raw values are Verdict's case statuses, so a
/// page maps a stored status with `ResultStatus(rawValue: status.rawValue)`.
public enum ResultStatus: String, Sendable, CaseIterable {
    case passed, failed, flaky, skipped, errored

    /// A mark that tells the status without its colour, for readers who cannot tell the colours
    /// apart and for print.
    public var glyph: String {
        switch self {
        case .passed: return "✓"
        case .failed: return "✗"
        case .flaky: return "≈"
        case .skipped: return "–"
        case .errored: return "!"
        }
    }

    /// The stylesheet's class for this status's colour.
    public var cssClass: String { "status-" + rawValue }
}

/// Percentiles by nearest rank: every percentile is one of the values, never an interpolation
/// between two, so "p95 3.4 s" is a duration some result really took.
public struct Percentiles<Value: Comparable & Sendable>: Sendable {
    public let sorted: [Value]

    public init(_ values: some Sequence<Value>) {
        sorted = values.sorted()
    }

    /// The smallest value with at least `percent`% of the values at or below it; `nil` when
    /// there are none.
    public func nearestRank(_ percent: Int) -> Value? {
        guard !sorted.isEmpty else { return nil }
        let p = Swift.min(Swift.max(percent, 0), 100)
        let rank = Swift.max(1, (p * sorted.count + 99) / 100)
        return sorted[rank - 1]
    }

    public var p50: Value? { nearestRank(50) }
    public var p95: Value? { nearestRank(95) }
    public var max: Value? { sorted.last }
}

/// A small line of up to `limit` values, oldest first: a project's pass rate or a test's
/// duration over its recent runs.
public struct Sparkline: Sendable {
    public enum Measure: Sendable {
        /// Fractions 0…1, drawn on that scale and described as percentages.
        case passRate
        /// Milliseconds, drawn from zero to the largest.
        case durationMilliseconds
    }

    public var values: [Double]
    /// What the values are, for the text alternative: "pass rate over the last 30 runs".
    public var label: String
    public var measure: Measure
    public var width: Int
    public var height: Int
    public var highlightsLast: Bool

    public init(
        _ values: [Double], label: String, measure: Measure = .passRate, limit: Int = 100, width: Int = 120, height: Int = 28,
        highlightsLast: Bool = true
    ) {
        // Non-finite values have no place on a line; a run without a rate is left out.
        self.values = Array(values.filter(\.isFinite).suffix(Swift.max(limit, 1)))
        self.label = label
        self.measure = measure
        self.width = width
        self.height = height
        self.highlightsLast = highlightsLast
    }

    private func format(_ value: Double) -> String {
        switch measure {
        case .passRate: return Format.percent(value)
        case .durationMilliseconds: return Format.duration(milliseconds: value)
        }
    }

    /// "pass rate over the last 30 runs: from 92% to 100%, lowest 85%".
    public var textAlternative: String {
        guard let first = values.first, let last = values.last else { return label + ": no data" }
        if values.count == 1 { return label + ": " + format(first) }
        var text = label + ": from " + format(first) + " to " + format(last)
        let lowest = values.min() ?? first
        let highest = values.max() ?? first
        if lowest < Swift.min(first, last) { text += ", lowest " + format(lowest) }
        if highest > Swift.max(first, last) { text += ", highest " + format(highest) }
        return text
    }

    public func render() -> HTML {
        let top: Double
        switch measure {
        case .passRate: top = 1
        case .durationMilliseconds: top = Swift.max(values.max() ?? 0, 1)
        }
        let inset = 3.0  // room for the highlighted point
        let w = Double(width) - 2 * inset
        let h = Double(height) - 2 * inset
        let step = values.count > 1 ? w / Double(values.count - 1) : 0
        var points: [(x: Double, y: Double)] = []
        points.reserveCapacity(values.count)
        for (i, value) in values.enumerated() {
            let x = values.count > 1 ? inset + Double(i) * step : inset + w / 2
            let clamped = Swift.min(Swift.max(value / top, 0), 1)
            points.append((x, inset + (1 - clamped) * h))
        }
        let description = textAlternative
        let last: HTML
        if highlightsLast, let point = points.last {
            last = "<circle class=\"sparkline-last\" cx=\"\(point.x)\" cy=\"\(point.y)\" r=\"2.5\"/>"
        } else {
            last = .empty
        }
        return """
            <svg class="chart sparkline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" \
            width="\(width)" height="\(height)" role="img" aria-label="\(description)"><title>\(description)</title>\
            <polyline class="sparkline-line" fill="none" points="\(points: points)"/>\(last)</svg>
            """
    }
}

/// One cell per result, oldest first, up to `limit` (the newest are kept): a test's history or
/// a run's shards at a glance. Each cell carries its status's colour class and its glyph, links
/// to the result and names it in a tooltip.
///
/// The `<svg>` is a `role="group"` rather than an image: an image's content is presentational,
/// and the links inside must stay reachable by keyboard and screen reader.
public struct StatusStrip: Sendable {
    public struct Cell: Sendable {
        public var status: ResultStatus
        public var href: URLPath
        /// The tooltip and the link's accessible name: "#412 failed in 3.2 s on main".
        public var title: String

        public init(status: ResultStatus, href: URLPath, title: String) {
            self.status = status
            self.href = href
            self.title = title
        }
    }

    public var cells: [Cell]
    /// What the cells are: "last 20 results".
    public var label: String
    public var cellSize: Int

    public init(_ cells: [Cell], label: String, limit: Int = 100, cellSize: Int = 14) {
        self.cells = Array(cells.suffix(Swift.max(limit, 1)))
        self.label = label
        self.cellSize = cellSize
    }

    /// "last 20 results: 18 passed, 2 failed".
    public var textAlternative: String {
        guard !cells.isEmpty else { return label + ": none" }
        var counts = [Int](repeating: 0, count: ResultStatus.allCases.count)
        for cell in cells { counts[ResultStatus.allCases.firstIndex(of: cell.status)!] += 1 }
        var parts: [String] = []
        for (status, count) in zip(ResultStatus.allCases, counts) where count > 0 { parts.append("\(count) \(status.rawValue)") }
        return label + ": " + parts.joined(separator: ", ")
    }

    public func render() -> HTML {
        let gap = 2
        let pitch = cellSize + gap
        let width = Swift.max(cells.count * pitch - gap, 0)
        let description = textAlternative
        let half = Double(cellSize) / 2
        return """
            <svg class="chart status-strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(cellSize)" \
            width="\(width)" height="\(cellSize)" role="group" aria-label="\(description)"><title>\(description)</title>\
            \(each: cells.enumerated(), { i, cell in
                let x = i * pitch
                return """
                    <a href="\(cell.href)" class="\(cell.status.cssClass)"><title>\(cell.title)</title>\
                    <rect class="cell" x="\(x)" y="0" width="\(cellSize)" height="\(cellSize)" rx="2"/>\
                    <text class="glyph" x="\(Double(x) + half)" y="\(half)" text-anchor="middle" dominant-baseline="central" \
                    aria-hidden="true">\(cell.status.glyph)</text></a>
                    """
            })</svg>
            """
    }
}

/// Durations of up to `limit` results as bars, oldest first, with the p50 and p95 lines and a
/// y axis of a few round ticks.
public struct DurationChart: Sendable {
    public struct Bar: Sendable {
        public var milliseconds: Double
        public var status: ResultStatus
        /// The tooltip: "#412 failed in 3.2 s".
        public var title: String
        public var href: URLPath?

        public init(milliseconds: Double, status: ResultStatus, title: String, href: URLPath? = nil) {
            self.milliseconds = milliseconds.isFinite ? Swift.max(milliseconds, 0) : 0
            self.status = status
            self.title = title
            self.href = href
        }
    }

    public var bars: [Bar]
    /// What the bars are: "durations of the last 50 results".
    public var label: String
    public var width: Int
    public var height: Int
    public let percentiles: Percentiles<Double>

    public init(_ bars: [Bar], label: String, limit: Int = 100, width: Int = 600, height: Int = 160) {
        self.bars = Array(bars.suffix(Swift.max(limit, 1)))
        self.label = label
        self.width = width
        self.height = height
        percentiles = Percentiles(self.bars.map(\.milliseconds))
    }

    /// "durations of the last 50 results: median 1.2 s, 95th percentile 3.4 s, longest 5 s".
    public var textAlternative: String {
        guard let p50 = percentiles.p50, let p95 = percentiles.p95, let longest = percentiles.max else { return label + ": none" }
        return label + ": median " + Format.duration(milliseconds: p50) + ", 95th percentile " + Format.duration(milliseconds: p95)
            + ", longest " + Format.duration(milliseconds: longest)
    }

    /// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks up to `top`.
    static func tickStep(top: Double, count: Int) -> Double {
        let raw = Swift.max(top, 1) / Double(Swift.max(count, 1))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for multiple in [1.0, 2, 5, 10] where magnitude * multiple >= raw { return magnitude * multiple }
        return magnitude * 10
    }

    public func render() -> HTML {
        let left = 56.0  // tick labels
        let right = 72.0  // percentile labels
        let top = 8.0
        let bottom = 8.0
        let plotWidth = Swift.max(Double(width) - left - right, 1)
        let plotHeight = Swift.max(Double(height) - top - bottom, 1)
        let longest = percentiles.max ?? 0
        let step = Self.tickStep(top: longest, count: 4)
        let scaleTop = Swift.max((longest / step).rounded(.up), 1) * step
        func y(_ ms: Double) -> Double { top + plotHeight * (1 - Swift.min(ms / scaleTop, 1)) }
        let slot = plotWidth / Double(Swift.max(bars.count, 1))
        let barWidth = slot > 3 ? slot - 1 : slot
        let ticks = (0...Int((scaleTop / step).rounded())).map { Double($0) * step }
        let baseline = y(0)
        let lines: [(name: String, label: String, ms: Double)] = [
            percentiles.p50.map { ("p50", "p50 " + Format.duration(milliseconds: $0), $0) },
            percentiles.p95.map { ("p95", "p95 " + Format.duration(milliseconds: $0), $0) },
        ].compactMap { $0 }
        let description = textAlternative
        return """
            <svg class="chart duration-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" \
            width="\(width)" height="\(height)" role="img" aria-label="\(description)"><title>\(description)</title>\
            \(each: ticks, { tick in
                """
                <line class="grid" x1="\(left)" x2="\(left + plotWidth)" y1="\(y(tick))" y2="\(y(tick))"/>\
                <text class="tick-label" x="\(left - 6)" y="\(y(tick))" text-anchor="end" dominant-baseline="middle">\
                \(Format.duration(milliseconds: tick))</text>
                """
            })\
            \(each: bars.enumerated(), { i, bar in
                let rect: HTML = """
                    <rect class="bar \(bar.status.cssClass)" x="\(left + Double(i) * slot)" y="\(y(bar.milliseconds))" \
                    width="\(barWidth)" height="\(baseline - y(bar.milliseconds))"><title>\(bar.title)</title></rect>
                    """
                guard let href = bar.href else { return rect }
                return "<a href=\"\(href)\">\(rect)</a>"
            })\
            <line class="axis" x1="\(left)" x2="\(left)" y1="\(top)" y2="\(baseline)"/>\
            <line class="axis" x1="\(left)" x2="\(left + plotWidth)" y1="\(baseline)" y2="\(baseline)"/>\
            \(each: lines, { line in
                """
                <line class="percentile \(line.name)" x1="\(left)" x2="\(left + plotWidth)" y1="\(y(line.ms))" y2="\(y(line.ms))"/>\
                <text class="percentile-label \(line.name)" x="\(left + plotWidth + 6)" y="\(y(line.ms))" \
                dominant-baseline="middle">\(line.label)</text>
                """
            })</svg>
            """
    }
}

extension HTML.StringInterpolation {
    /// An SVG `points` list, written straight into the page.
    mutating func appendInterpolation(points: [(x: Double, y: Double)], file: StaticString = #fileID, line: UInt = #line) {
        guard context.kind == .attribute else {
            preconditionFailure("VerdictHTML: points belong in a quoted attribute, not \(context.name)", file: file, line: line)
        }
        for (i, point) in points.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: " ")) }
            Digits.append(point.x, maxFractionDigits: 2, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Digits.append(point.y, maxFractionDigits: 2, to: &bytes)
        }
        context.noteInterpolation(wroteBytes: !points.isEmpty)
    }
}

/// The charts' colours and strokes, light and dark, as custom properties a page's own
/// stylesheet may override. Serve it with the page's stylesheet: a strict
/// Content-Security-Policy refuses inline `<style>`.
public enum ChartStyle {
    public static let css = """
        :root{--status-passed:#1a7f37;--status-failed:#cf222e;--status-flaky:#9a6700;--status-skipped:#6e7781;\
        --status-errored:#8250df;--chart-ink:#24292f;--chart-grid:#d0d7de;--chart-line:#0969da}
        @media (prefers-color-scheme:dark){:root{--status-passed:#3fb950;--status-failed:#f85149;--status-flaky:#d29922;\
        --status-skipped:#8b949e;--status-errored:#a371f7;--chart-ink:#c9d1d9;--chart-grid:#30363d;--chart-line:#58a6ff}}
        .chart{font:11px system-ui,sans-serif;fill:var(--chart-ink);overflow:visible}
        .chart .status-passed{fill:var(--status-passed)}.chart .status-failed{fill:var(--status-failed)}
        .chart .status-flaky{fill:var(--status-flaky)}.chart .status-skipped{fill:var(--status-skipped)}
        .chart .status-errored{fill:var(--status-errored)}
        .status-strip .glyph{fill:#fff;font-size:10px;pointer-events:none}
        .status-strip a:focus-visible .cell{stroke:var(--chart-ink);stroke-width:2}
        .sparkline-line{stroke:var(--chart-line);stroke-width:1.5}.sparkline-last{fill:var(--chart-line)}
        .duration-chart .axis{stroke:var(--chart-ink)}.duration-chart .grid{stroke:var(--chart-grid);stroke-dasharray:2 2}
        .duration-chart .percentile{stroke:var(--chart-ink);stroke-dasharray:6 3}.duration-chart .percentile.p95{stroke-dasharray:2 3}
        .timeline .status-other{fill:var(--chart-grid)}.timeline .lane,.timeline .axis{fill:var(--chart-ink)}
        """
}
