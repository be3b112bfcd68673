/// Work over time, one lane per worker: each bar a try of a unit, coloured (and titled) by how
/// it ended. Bars still running reach to `now`.
public struct Timeline: Sendable {
    public struct Bar: Sendable {
        public var lane: Int
        public var startMs: Int64
        public var endMs: Int64?
        /// How it ended, when it ended with a result; nil for a try still running or one that
        /// ended without a result (expired, given back).
        public var status: ResultStatus?
        public var title: String

        public init(lane: Int, startMs: Int64, endMs: Int64?, status: ResultStatus?, title: String) {
            self.lane = lane
            self.startMs = startMs
            self.endMs = endMs
            self.status = status
            self.title = title
        }
    }

    public var lanes: [String]
    public var bars: [Bar]
    public var label: String
    public var nowMs: Int64
    public var width: Int
    public var laneHeight: Int
    static let gutter = 110

    public init(lanes: [String], bars: [Bar], label: String, nowMs: Int64, width: Int = 900, laneHeight: Int = 16) {
        self.lanes = lanes
        self.bars = bars.filter { lanes.indices.contains($0.lane) }
        self.label = label
        self.nowMs = nowMs
        self.width = width
        self.laneHeight = laneHeight
    }

    /// "12 tries on 3 workers over 4.2 s".
    public var textAlternative: String {
        guard let span = span else { return label + ": nothing ran yet" }
        return label + ": \(bars.count) tries on \(lanes.count) workers over "
            + Format.duration(milliseconds: Double(span.end - span.start))
    }

    var span: (start: Int64, end: Int64)? {
        guard let start = bars.map(\.startMs).min() else { return nil }
        let end = bars.map { $0.endMs ?? nowMs }.max() ?? start
        return (start, Swift.max(end, start + 1))
    }

    public func render() -> HTML {
        let description = textAlternative
        let height = Swift.max(lanes.count, 1) * laneHeight + 18
        guard let span else {
            return "<p class=\"empty\">\(description)</p>"
        }
        let plot = Double(width - Self.gutter)
        let scale = plot / Double(span.end - span.start)
        func x(_ ms: Int64) -> Double { Double(Self.gutter) + Double(ms - span.start) * scale }
        return """
            <svg class="chart timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" \
            width="\(width)" height="\(height)" role="img" aria-label="\(description)"><title>\(description)</title>\
            \(each: lanes.enumerated(), { index, lane in
                """
                <text class="lane" x="\(Self.gutter - 6)" y="\(Double(index * laneHeight) + Double(laneHeight) / 2)" \
                text-anchor="end" dominant-baseline="central">\(lane)</text>
                """
            })\
            \(each: bars, { bar in
                let left = x(bar.startMs)
                let right = Swift.max(x(bar.endMs ?? nowMs), left + 1)
                return """
                    <rect class="\(bar.status?.cssClass ?? "status-other")" x="\(left)" y="\(bar.lane * laneHeight + 2)" \
                    width="\(right - left)" height="\(laneHeight - 4)"><title>\(bar.title)</title></rect>
                    """
            })\
            <text class="axis" x="\(Self.gutter)" y="\(height - 4)">0</text>\
            <text class="axis" x="\(width)" y="\(height - 4)" text-anchor="end">\(Format.duration(milliseconds: Double(span.end - span.start)))</text>\
            </svg>
            """
    }
}
