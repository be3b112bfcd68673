import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictInsights

/// `/projects/{id}/flaky`: the branch's flaky and broken tests, ranked by score, with the
/// evidence behind each and its quarantine; the same list as `GET /api/v1/projects/{id}/flaky`.
public struct FlakyPage: PageRenderer {
    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        var windowDays = FlakyList.defaultWindowDays
        if let text = request.nonEmptyQuery("window_days") {
            guard let value = Int(text), (1...FlakinessHistory.retentionDays).contains(value) else {
                throw ServiceError.invalid(
                    field: "window_days", reason: "must be a whole number of days from 1 to \(FlakinessHistory.retentionDays)")
            }
            windowDays = value
        }
        var only: FlakinessClassification?
        if let text = request.nonEmptyQuery("classification") {
            guard text == "flaky" || text == "broken" else {
                throw ServiceError.invalid(field: "classification", reason: "must be flaky or broken")
            }
            only = FlakinessClassification(rawValue: text)
        }
        let list = try FlakyList(db: try context.database()).list(
            project: try request.projectReference(), branch: request.nonEmptyQuery("branch"), windowDays: windowDays,
            only: only, as: context.access, limit: try request.limit(default: 100), after: try request.cursor())
        let project = list.project
        let here: URLPath = "/projects/\(project.id.text)/flaky"
        var body: HTML = """
            <h1>Flaky and broken tests</h1>
            <p class="meta"><span>branch <b>\(list.branch)</b></span><span>the last \(Format.count(list.windowDays)) days</span>\
            <span><a href="\(URLPath("/api/v1/projects/\(project.id.text)/flaky"))">JSON</a></span></p>
            <nav class="meta" aria-label="Window and classification"><span>Window: \
            \(HTML.join([7, 30, 90].map { days in link(request, here, "window_days", String(days), "\(days) days", current: days == list.windowDays) }, separator: " · "))</span>\
            <span>Show: \(link(request, here, "classification", nil, "both", current: only == nil)) · \
            \(link(request, here, "classification", "flaky", "flaky", current: only == .flaky)) · \
            \(link(request, here, "classification", "broken", "broken", current: only == .broken))</span></nav>
            """
        let tests = list.page.items
        if tests.isEmpty {
            body.append("<p class=\"empty\">No test is flaky or broken on this branch in this window.</p>")
        } else {
            body.append(
                """
                <div class="scroll"><table>
                <thead><tr><th scope="col">Test</th><th scope="col">Classification</th><th scope="col" class="num">Score</th>\
                <th scope="col" class="num">Failure rate (90 % interval)</th><th scope="col" class="num">Runs</th>\
                <th scope="col" class="num">Failures</th><th scope="col" class="num optional">Flips</th>\
                <th scope="col" class="num optional">Same-commit contradictions</th><th scope="col" class="num optional">Retry passes</th>\
                <th scope="col" class="optional">Last seen</th></tr></thead><tbody>
                """)
            for test in tests { body.append(row(test)) }
            body.append("</tbody></table></div>")
        }
        let next = list.page.nextCursor.map { here.appendingQueries(request.queryItems, replacing: "cursor", with: $0.token) }
        let first = request.query("cursor") == nil ? nil : here.appendingQueries(request.queryItems, replacing: "cursor", with: nil)
        body.append(Components.pager(next: next, first: first))
        return HTMLPage(
            title: "Flaky tests of \(project.name)",
            crumbs: [("Projects", "/"), (project.name, "/projects/\(project.id.text)"), ("Flaky tests", nil)], body: body)
    }

    func link(_ request: HTTPRequest, _ here: URLPath, _ name: String, _ value: String?, _ label: String, current: Bool) -> HTML {
        if current { return "<b aria-current=\"page\">\(label)</b>" }
        var items = request.queryItems.filter { $0.name != "cursor" }
        items.removeAll { $0.name == name }
        return "<a href=\"\(here.appendingQueries(items, replacing: name, with: value))\">\(label)</a>"
    }

    func row(_ test: FlakyTest) -> HTML {
        let verdict = test.verdict
        let evidence = verdict.evidence
        let rate = verdict.failureRateInterval
        let badge = verdict.classification == .flaky ? "badge status-flaky" : "badge status-failed"
        return """
            <tr data-test="\(test.testID.text)"><td><a href="\(URLPath("/tests/\(test.testID.text)"))">\(test.fullTitle)</a>\
            \(if: test.quarantine != nil, " <span class=\"badge\" data-quarantined>quarantined</span>")\
            \(if: test.file != nil, "<br><span class=\"muted\">\(test.file ?? "")</span>")</td>\
            <td><span class="\(badge)">\(verdict.classification.rawValue)</span></td>\
            <td class="num">\(Format.percent(verdict.score))</td>\
            <td class="num">\(Format.percent(verdict.failureRate)) (\(Format.percent(rate.lower))–\(Format.percent(rate.upper)))</td>\
            <td class="num">\(Format.count(evidence.runs))</td><td class="num">\(Format.count(evidence.failures))</td>\
            <td class="num optional">\(Format.count(evidence.flips))</td>\
            <td class="num optional">\(Format.count(evidence.sameCommitContradictions))</td>\
            <td class="num optional">\(Format.count(evidence.retryPasses))</td>\
            <td class="optional">\(Components.time(test.lastSeen))</td></tr>
            """
    }
}
