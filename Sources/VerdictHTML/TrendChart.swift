/// Values per bucket of time, oldest first, as a server-rendered SVG: bars (counts) or lines
/// (rates, durations; one or more series). A bucket without a value keeps its slot and draws
/// nothing, and lines break there rather than bridging the gap, so an idle week looks idle.
public struct TrendChart: Sendable {
    public enum Style: Sendable { case bars, lines }

    /// What the values are, to label the axis and the points.
    public enum Measure: Sendable {
        /// Fractions 0…1, on that scale.
        case rate
        /// Milliseconds, from zero.
        case durationMilliseconds
        /// Whole counts, from zero.
        case count

        func format(_ value: Double) -> String {
            switch self {
            case .rate: return Format.percent(value)
            case .durationMilliseconds: return Format.duration(milliseconds: value)
            case .count: return Format.count(Int(value.rounded()))
            }
        }
    }

    public struct Series: Sendable {
        public var name: String
        /// One per bucket; nil where the bucket has none.
        public var values: [Double?]
        /// The stylesheet's class: `series-1`, `series-2`, …
        public var cssClass: String

        public init(name: String, values: [Double?], cssClass: String = "series-1") {
            self.name = name
            self.values = values.map { $0.flatMap { $0.isFinite ? $0 : nil } }
            self.cssClass = cssClass
        }
    }

    public var series: [Series]
    /// One per bucket: "2 Mar", "week of 2 Mar".
    public var bucketLabels: [String]
    /// What the chart shows: "pass rate per day".
    public var label: String
    public var measure: Measure
    public var style: Style
    public var width: Int
    public var height: Int

    public init(
        _ series: [Series], bucketLabels: [String], label: String, measure: Measure, style: Style, width: Int = 640, height: Int = 180
    ) {
        self.series = series
        self.bucketLabels = bucketLabels
        self.label = label
        self.measure = measure
        self.style = style
        self.width = width
        self.height = height
    }

    var slots: Int { Swift.max(bucketLabels.count, series.map(\.values.count).max() ?? 0, 1) }

    /// "pass rate per day: 12 of 30 days with runs, lowest 80 %, highest 100 %, latest 95 %".
    public var textAlternative: String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        guard let low = values.min(), let high = values.max() else { return label + ": no runs in the range" }
        let filled = (0..<slots).filter { index in series.contains { index < $0.values.count && $0.values[index] != nil } }.count
        var text = label + ": \(filled) of \(slots) buckets with runs, lowest " + measure.format(low) + ", highest " + measure.format(high)
        if series.count == 1, let latest = series[0].values.last(where: { $0 != nil }) ?? nil {
            text += ", latest " + measure.format(latest)
        }
        return text
    }

    public func render() -> HTML {
        let left = 56.0
        let right = 12.0
        let top = 8.0
        let bottom = 22.0
        let plotWidth = Swift.max(Double(width) - left - right, 1)
        let plotHeight = Swift.max(Double(height) - top - bottom, 1)
        let largest = series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let scaleTop: Double
        let ticks: [Double]
        if case .rate = measure {
            scaleTop = 1
            ticks = [0, 0.25, 0.5, 0.75, 1]
        } else {
            let step = DurationChart.tickStep(top: Swift.max(largest, measure.isCount ? 4 : 1), count: 4)
            scaleTop = Swift.max((largest / step).rounded(.up), 1) * step
            ticks = (0...Int((scaleTop / step).rounded())).map { Double($0) * step }
        }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - Swift.min(Swift.max(value / scaleTop, 0), 1)) }
        let slot = plotWidth / Double(slots)
        func x(_ index: Int) -> Double { left + slot * (Double(index) + 0.5) }
        let baseline = y(0)
        // About six labels along the x axis, whatever the number of buckets.
        let labelEvery = Swift.max(1, (slots + 5) / 6)
        let description = textAlternative
        return """
            <svg class="chart trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" \
            width="\(width)" height="\(height)" role="img" aria-label="\(description)"><title>\(description)</title>\
            \(each: ticks, { tick in
                """
                <line class="grid" x1="\(left)" x2="\(left + plotWidth)" y1="\(y(tick))" y2="\(y(tick))"/>\
                <text class="tick-label" x="\(left - 6)" y="\(y(tick))" text-anchor="end" dominant-baseline="middle">\
                \(measure.format(tick))</text>
                """
            })\
            \(each: bucketLabels.enumerated().filter { $0.offset % labelEvery == 0 }, { index, text in
                "<text class=\"tick-label\" x=\"\(x(index))\" y=\"\(baseline + 15)\" text-anchor=\"middle\">\(text)</text>"
            })\
            \(each: series, { series in style == .bars ? bars(series, x: x, y: y, slot: slot) : line(series, x: x, y: y) })\
            <line class="axis" x1="\(left)" x2="\(left)" y1="\(top)" y2="\(baseline)"/>\
            <line class="axis" x1="\(left)" x2="\(left + plotWidth)" y1="\(baseline)" y2="\(baseline)"/></svg>
            """
    }

    func tooltip(_ series: Series, _ index: Int, _ value: Double) -> String {
        let bucket = index < bucketLabels.count ? bucketLabels[index] : ""
        return (self.series.count > 1 ? series.name + " " : "") + measure.format(value) + " · " + bucket
    }

    func bars(_ series: Series, x: (Int) -> Double, y: (Double) -> Double, slot: Double) -> HTML {
        let barWidth = Swift.max(slot * 0.7, 1)
        return HTML.join(
            series.values.enumerated().compactMap { index, value -> HTML? in
                guard let value else { return nil }
                return """
                    <rect class="bar \(series.cssClass)" x="\(x(index) - barWidth / 2)" y="\(y(value))" width="\(barWidth)" \
                    height="\(y(0) - y(value))"><title>\(tooltip(series, index, value))</title></rect>
                    """
            })
    }

    /// Segments of consecutive values; a lone value is a dot.
    func line(_ series: Series, x: (Int) -> Double, y: (Double) -> Double) -> HTML {
        var runs: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for (index, value) in series.values.enumerated() {
            if let value {
                current.append((x(index), y(value)))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        let lines = HTML.join(
            runs.filter { $0.count > 1 }.map { points in
                "<polyline class=\"line \(series.cssClass)\" fill=\"none\" points=\"\(points: points)\"/>"
            })
        let dots = HTML.join(
            series.values.enumerated().compactMap { index, value -> HTML? in
                guard let value else { return nil }
                return """
                    <circle class="dot \(series.cssClass)" cx="\(x(index))" cy="\(y(value))" r="3">\
                    <title>\(tooltip(series, index, value))</title></circle>
                    """
            })
        return "\(lines)\(dots)"
    }

    /// The trend charts' strokes and fills, served with the page's stylesheet.
    public static let css = """
        .trend-chart .axis{stroke:var(--chart-ink)}.trend-chart .grid{stroke:var(--chart-grid);stroke-dasharray:2 2}
        .trend-chart .line{stroke-width:2}.trend-chart .line.series-1{stroke:var(--chart-line)}
        .trend-chart .line.series-2{stroke:var(--status-flaky)}.trend-chart .dot.series-1,.trend-chart .bar.series-1{fill:var(--chart-line)}
        .trend-chart .dot.series-2,.trend-chart .bar.series-2{fill:var(--status-flaky)}
        .trend-chart .bar.series-failed,.trend-chart .dot.series-failed{fill:var(--status-failed)}
        .trend-chart .line.series-failed{stroke:var(--status-failed)}
        .chart-legend{display:flex;gap:1rem;margin:.25rem 0;color:var(--muted)}
        .chart-legend .key{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:middle}
        .chart-legend .series-1{background:var(--chart-line)}.chart-legend .series-2{background:var(--status-flaky)}
        """
}

extension TrendChart.Measure {
    var isCount: Bool {
        if case .count = self { return true }
        return false
    }
}
