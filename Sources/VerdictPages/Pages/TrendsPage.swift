import VerdictCore
import VerdictHTML
import VerdictHTTP

/// `/projects/{project}/trends`: a project's completed runs over time, per day, week or month:
/// runs, pass rate, failures, flaky rate and run durations (p50 and p95), as SVG charts and as a
/// table. Buckets without runs keep their place, so a quiet week looks quiet.
public struct TrendsPage: PageRenderer {
    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        var bucket = TrendBucket.day
        if let text = request.nonEmptyQuery("bucket") {
            guard let parsed = TrendBucket(rawValue: text) else {
                throw ServiceError.invalid(field: "bucket", reason: "must be one of day, week, month")
            }
            bucket = parsed
        }
        let query = TrendsQuery(
            project: try request.projectReference(), branch: request.nonEmptyQuery("branch"),
            since: try ProjectPage().dateQuery(request, "since", endOfDay: false),
            until: try ProjectPage().dateQuery(request, "until", endOfDay: true), bucket: bucket)
        let trends = try TrendsService(db: try context.database()).trends(query, as: context.access)
        let project = trends.project
        let points = trends.buckets
        let labels = points.map { Self.label($0.start, bucket) }
        func chart(_ label: String, _ measure: TrendChart.Measure, _ style: TrendChart.Style, _ series: [TrendChart.Series]) -> HTML {
            TrendChart(series, bucketLabels: labels, label: label, measure: measure, style: style).render()
        }
        let per = "per \(bucket.rawValue)"
        let withRuns = points.filter { $0.runs > 0 }
        let runs = withRuns.reduce(0) { $0 + $1.runs }
        let failures = withRuns.reduce(0) { $0 + $1.failures }
        let ran = withRuns.reduce(0) { $0 + $1.totals.tests - $1.totals.skipped }
        let passed = withRuns.reduce(0) { $0 + $1.totals.passed + $1.totals.flaky }
        let here: URLPath = "/projects/\(project.id.text)/trends"
        var body: HTML = """
            <h1>Trends of \(project.name)</h1>
            <p class="meta"><span>\(trends.branch.map { "Branch <b>\($0)</b>" as HTML } ?? "Every branch")</span>\
            <span>From \(Components.time(trends.since)) to \(Components.time(trends.until))</span>\
            <span>Completed runs only</span></p>
            \(filters(request, here: here, bucket: bucket))
            <div class="kpis">
            <div><span class="muted">Runs</span><b>\(Format.count(runs))</b></div>
            <div><span class="muted">Pass rate</span><b>\(ran > 0 ? Format.percent(Double(passed) / Double(ran)) : "–")</b></div>
            <div><span class="muted">Failures</span><b>\(Format.count(failures))</b></div>
            <div><span class="muted">Buckets with runs</span><b>\(Format.count(withRuns.count)) of \(Format.count(points.count))</b></div>
            </div>
            """
        body.append(
            """
            <div class="cards">
            <section class="card" aria-labelledby="runs-chart"><h2 id="runs-chart">Runs \(per)</h2>\
            \(chart("completed runs \(per)", .count, .bars, [TrendChart.Series(name: "runs", values: points.map { Double($0.runs) })]))</section>
            <section class="card" aria-labelledby="pass-rate-chart"><h2 id="pass-rate-chart">Pass rate \(per)</h2>\
            \(chart("pass rate \(per)", .rate, .lines, [TrendChart.Series(name: "pass rate", values: points.map(\.passRate))]))</section>
            <section class="card" aria-labelledby="failures-chart"><h2 id="failures-chart">Failures \(per)</h2>\
            \(chart("failed and errored tests \(per)", .count, .bars, [TrendChart.Series(name: "failures", values: points.map { $0.runs > 0 ? Double($0.failures) : nil }, cssClass: "series-failed")]))</section>
            <section class="card" aria-labelledby="flaky-chart"><h2 id="flaky-chart">Flaky rate \(per)</h2>\
            \(chart("flaky rate \(per)", .rate, .lines, [TrendChart.Series(name: "flaky rate", values: points.map(\.flakyRate), cssClass: "series-2")]))</section>
            <section class="card" aria-labelledby="duration-chart"><h2 id="duration-chart">Run duration \(per)</h2>\
            <p class="chart-legend"><span><span class="key series-1"></span>p50</span><span><span class="key series-2"></span>p95</span></p>\
            \(chart("run duration \(per), p50 and p95", .durationMilliseconds, .lines, [
                TrendChart.Series(name: "p50", values: points.map(\.durationP50Milliseconds)),
                TrendChart.Series(name: "p95", values: points.map(\.durationP95Milliseconds), cssClass: "series-2"),
            ]))</section>
            </div>
            """)
        body.append(
            """
            <section aria-labelledby="buckets"><h2 id="buckets">Every \(bucket.rawValue)</h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">\(bucket == .day ? "Day" : bucket == .week ? "Week of" : "Month")</th>\
            <th scope="col" class="num">Runs</th><th scope="col" class="num optional">Tests</th><th scope="col" class="num">Pass rate</th>\
            <th scope="col" class="num">Failures</th><th scope="col" class="num optional">Flaky rate</th>\
            <th scope="col" class="num optional">p50</th><th scope="col" class="num optional">p95</th></tr></thead>
            <tbody>\(HTML.join(zip(points, labels).reversed().map { point, label in row(point, label: label) }))</tbody>
            </table></div></section>
            """)
        return HTMLPage(
            title: "Trends of \(project.name)",
            crumbs: [("Projects", "/"), (project.name, "/projects/\(project.id.text)"), ("Trends", nil)], body: body)
    }

    /// A bucket's start as its row and axis label: `2026-03-02`, or `2026-03` for a month.
    static func label(_ start: String, _ bucket: TrendBucket) -> String {
        String(start.prefix(bucket == .month ? 7 : 10))
    }

    func filters(_ request: HTTPRequest, here: URLPath, bucket: TrendBucket) -> HTML {
        """
        <form class="filters" method="get" action="\(here)">
        <label>Branch <input name="branch" value="\(request.query("branch") ?? "")" placeholder="every branch"></label>
        <label>Per <select name="bucket">\(HTML.join(TrendBucket.allCases.map { option in
            "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: option == bucket)>\(option.rawValue)</option>"
        }))</select></label>
        <label>From <input type="date" name="since" value="\(request.query("since") ?? "")"></label>
        <label>To <input type="date" name="until" value="\(request.query("until") ?? "")"></label>
        <button type="submit">Show</button>
        </form>
        """
    }

    func row(_ point: TrendPoint, label: String) -> HTML {
        guard point.runs > 0 else {
            return """
                <tr class="muted"><td>\(label)</td><td class="num">0</td><td class="num optional"></td><td class="num"></td>\
                <td class="num"></td><td class="num optional"></td><td class="num optional"></td><td class="num optional"></td></tr>
                """
        }
        return """
            <tr><td>\(label)</td><td class="num">\(Format.count(point.runs))</td>\
            <td class="num optional">\(Format.count(point.totals.tests))</td>\
            <td class="num">\(point.passRate.map { Format.percent($0) } ?? "–")</td>\
            <td class="num">\(Format.count(point.failures))</td>\
            <td class="num optional">\(point.flakyRate.map { Format.percent($0) } ?? "–")</td>\
            <td class="num optional">\(Components.duration(point.durationP50Milliseconds))</td>\
            <td class="num optional">\(Components.duration(point.durationP95Milliseconds))</td></tr>
            """
    }
}
