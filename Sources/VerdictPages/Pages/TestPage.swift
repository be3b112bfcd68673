import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictInsights

/// `/tests/{test_id}`: a test across runs: a strip of its last 100 results, their durations
/// with p50 and p95, its pass rate, when it was first seen and when it last failed or flaked.
public struct TestPage: PageRenderer {
    static let results = 100

    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let history = try TestHistory(db: try context.database()).history(
            try request.pathID("test_id"), as: context.access, limit: Self.results, after: nil)
        let test = history.test
        let newestFirst = history.results.items
        let oldestFirst = Array(newestFirst.reversed())
        let ran = newestFirst.filter { $0.status != .skipped }
        let passed = ran.filter { $0.status == .passed || $0.status == .flaky }.count
        let lastFailure = newestFirst.first { $0.status == .failed || $0.status == .errored }
        let lastFlaky = newestFirst.first { $0.status == .flaky }
        let complete = history.results.nextCursor == nil
        let cells = oldestFirst.map { result in
            StatusStrip.Cell(
                status: ResultStatus(rawValue: result.status.rawValue) ?? .skipped, href: "/cases/\(result.caseID.text)",
                title:
                    "\(result.status.rawValue), \(Components.duration(result.durationMilliseconds)), \(result.branch) \(Components.utcText(result.createdAt))"
            )
        }
        let bars = oldestFirst.compactMap { result in
            result.durationMilliseconds.map { milliseconds in
                DurationChart.Bar(
                    milliseconds: milliseconds, status: ResultStatus(rawValue: result.status.rawValue) ?? .skipped,
                    title: "\(Components.duration(milliseconds)) on \(Components.utcText(result.createdAt))",
                    href: "/cases/\(result.caseID.text)")
            }
        }
        let chart = DurationChart(bars, label: "duration of the last \(bars.count) results")
        let db = try context.database()
        let flakiness = try FlakyList(db: db).verdicts(of: test.testID, as: context.access)
        let quarantine = try QuarantineService(db: db).active(test.testID, as: context.access)
        let location = [test.file, test.project].compactMap { $0 }.joined(separator: " · ")
        let body: HTML = """
            <h1>\(test.title)</h1>
            <p class="meta"><span>\(test.fullTitle)</span>\(if: !location.isEmpty, "<span>\(location)</span>")</p>
            <div class="kpis">
            <div><span class="muted">Pass rate</span><b>\(ran.isEmpty ? "–" : Format.percent(Double(passed) / Double(ran.count)))</b>\
            <span class="muted">of \(Format.count(ran.count)) runs</span></div>
            <div><span class="muted">p50</span><b>\(Components.duration(chart.percentiles.p50))</b></div>
            <div><span class="muted">p95</span><b>\(Components.duration(chart.percentiles.p95))</b></div>
            <div><span class="muted">First seen</span><b>\(complete ? Components.time(oldestFirst.first?.createdAt) : "over \(Self.results) runs ago")</b></div>
            <div><span class="muted">Last failure</span><b>\(lastFailure.map { "<a href=\"\(URLPath("/cases/\($0.caseID.text)"))\">\(Components.age($0.createdAt))</a>" as HTML } ?? "none")</b></div>
            <div><span class="muted">Last flaky</span><b>\(lastFlaky.map { "<a href=\"\(URLPath("/cases/\($0.caseID.text)"))\">\(Components.age($0.createdAt))</a>" as HTML } ?? "none")</b></div>
            </div>
            \(Self.flakiness(flakiness, quarantine: quarantine))
            <section aria-labelledby="strip"><h2 id="strip">Last \(Format.count(cells.count)) results</h2>\
            <p class="muted">Oldest on the left; each cell opens its case.</p>\(StatusStrip(cells, label: "results of the last \(cells.count) runs").render())</section>
            \(if: bars.count > 1, "<section aria-labelledby=\"durations\"><h2 id=\"durations\">Duration</h2>\(chart.render())</section>")
            <section aria-labelledby="results"><h2 id="results">Results</h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Run</th><th scope="col" class="optional">Branch</th>\
            <th scope="col" class="num">Duration</th></tr></thead>
            <tbody>\(HTML.join(newestFirst.map(resultRow)))</tbody></table></div></section>
            """
        return HTMLPage(title: test.title, crumbs: [("Projects", "/"), (test.title, nil)], body: body)
    }

    /// The classification on each branch that watches the test (score, failure rate and its
    /// interval, the evidence), and its quarantine. Tests that never failed are not watched.
    static func flakiness(_ verdicts: [(branch: String, test: FlakyTest)], quarantine: QuarantineRecord?) -> HTML {
        var html: HTML = "<section id=\"flakiness\" aria-labelledby=\"flakiness-title\"><h2 id=\"flakiness-title\">Flakiness</h2>"
        if let quarantine {
            html.append(
                """
                <p data-quarantine><span class="badge status-flaky">quarantined</span> until \(Components.time(quarantine.expiresAt)) \
                by \(quarantine.owner)\(if: quarantine.automatic, " (automatically)"): \(quarantine.reason)</p>
                """)
        }
        if verdicts.isEmpty {
            html.append("<p class=\"empty\">Not watched: no failure, error or retry in the last 90 days.</p></section>")
            return html
        }
        html.append(
            """
            <div class="scroll"><table>
            <thead><tr><th scope="col">Branch</th><th scope="col">Classification</th><th scope="col" class="num">Score</th>\
            <th scope="col" class="num">Failure rate (90 % interval)</th><th scope="col" class="num">Runs</th>\
            <th scope="col" class="num">Failures</th><th scope="col" class="num">Flips</th>\
            <th scope="col" class="num">Same-commit contradictions</th><th scope="col" class="num">Retry passes</th>\
            <th scope="col" class="num optional">Burst runs left out</th><th scope="col" class="optional">Last seen</th></tr></thead><tbody>
            """)
        for (branch, test) in verdicts {
            let verdict = test.verdict
            let evidence = verdict.evidence
            let rate = verdict.failureRateInterval
            let badge =
                verdict.classification == .flaky
                ? "badge status-flaky" : verdict.classification == .broken ? "badge status-failed" : "badge"
            html.append(
                """
                <tr data-classification="\(verdict.classification.rawValue)"><td>\(branch)</td>\
                <td><span class="\(badge)">\(verdict.classification.rawValue)</span></td>\
                <td class="num">\(Format.percent(verdict.score))</td>\
                <td class="num">\(Format.percent(verdict.failureRate)) (\(Format.percent(rate.lower))–\(Format.percent(rate.upper)))</td>\
                <td class="num">\(Format.count(evidence.runs))</td><td class="num">\(Format.count(evidence.failures))</td>\
                <td class="num">\(Format.count(evidence.flips))</td><td class="num">\(Format.count(evidence.sameCommitContradictions))</td>\
                <td class="num">\(Format.count(evidence.retryPasses))</td><td class="num optional">\(Format.count(evidence.excludedBurstRuns))</td>\
                <td class="optional">\(Components.time(test.lastSeen))</td></tr>
                """)
        }
        html.append("</tbody></table></div></section>")
        return html
    }

    func resultRow(_ result: TestResult) -> HTML {
        """
        <tr><td><a href="\(URLPath("/cases/\(result.caseID.text)"))">\(Components.time(result.createdAt))</a></td>\
        <td>\(Components.status(result.status))</td>\
        <td><a href="\(URLPath("/runs/\(result.runID.text)"))">\(!result.runName.isEmpty ? result.runName : result.commit.isEmpty ? "run" : Components.shortCommit(result.commit))</a></td>\
        <td class="optional">\(result.branch)</td><td class="num">\(Components.duration(result.durationMilliseconds))</td></tr>
        """
    }
}
