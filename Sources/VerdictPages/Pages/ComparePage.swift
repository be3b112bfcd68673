import VerdictCore
import VerdictHTML
import VerdictHTTP

/// `/runs/{id}/compare?base=`: what changed in a run since its base (the default base unless
/// `base` names one): new failures first, then fixed, still failing, newly flaky, duration
/// regressions, new and removed tests, each a table of tests with both sides' status and
/// duration. The counts are whole; each table shows its first tests.
public struct ComparePage: PageRenderer {
    static let perList = 100

    public init() {}

    /// What a run page says of its base: "what changed since CI run 41 (main · 1a2b3c4d)".
    public static func sinceLabel(_ base: RunSummary) -> String {
        let place = [base.branch, Components.shortCommit(base.commit)].filter { !$0.isEmpty }.joined(separator: " · ")
        return RunPage.title(base) + (place.isEmpty ? "" : " (\(place))")
    }

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let headID = try request.pathID("id", as: RunID.self)
        var options = try CompareOptions.parse(
            minIncreasePercent: request.nonEmptyQuery("min_increase_pct"),
            minIncreaseMilliseconds: request.nonEmptyQuery("min_increase_ms"), limit: nil)
        options.limit = Self.perList
        let comparison: RunComparison
        do {
            comparison = try RunCompare(db: try context.database()).compare(
                head: headID, base: try request.idQuery("base"), options: options, as: context.access)
        } catch ServiceError.refused(.noBaseRun, let message) {
            return HTMLPage(
                title: "Nothing to compare with",
                crumbs: [("Projects", "/"), ("Run", "/runs/\(headID.text)"), ("Compare", nil)],
                body: """
                    <h1>Nothing to compare with</h1>
                    <p>\(message).</p>
                    <p>Add <code>?base=</code> and the id of another run of the project, or go back to \
                    <a href="\(URLPath("/runs/\(headID.text)"))">the run</a>.</p>
                    """, status: 404)
        }
        let head = comparison.head
        let base = comparison.base
        let chosen: String
        switch comparison.baseSelection {
        case .given: chosen = "chosen in the link"
        case .sameBranch: chosen = "the latest completed run of \(base.branch.isEmpty ? "the same branch" : base.branch) before this one"
        case .defaultBranch: chosen = "the latest completed run of the default branch (\(base.branch)) before this one"
        }
        var body: HTML = """
            <h1>What changed since \(Self.sinceLabel(base))</h1>
            <p class="meta"><span>Head <b><a href="\(URLPath("/runs/\(head.id.text)"))">\(RunPage.title(head))</a></b>\
            \(if: !head.branch.isEmpty, " on <b>\(head.branch)</b>")\(if: !head.commit.isEmpty, " <code>\(Components.shortCommit(head.commit))</code>")</span>\
            <span>Base <b><a href="\(URLPath("/runs/\(base.id.text)"))">\(RunPage.title(base))</a></b>\
            \(if: !base.branch.isEmpty, " on <b>\(base.branch)</b>")\(if: !base.commit.isEmpty, " <code>\(Components.shortCommit(base.commit))</code>")\
            , \(Components.time(base.createdAt))</span>\
            <span>Base: \(chosen)</span></p>
            <div class="kpis">\(HTML.join(Self.order.map { category in
                Self.kpi(Self.heading(category), total: comparison[category].total, anchor: category.rawValue)
            }))\(Self.kpi("New causes", total: comparison.newClustersTotal, anchor: "new_clusters"))</div>
            <p class="muted">Tests are matched by their stable id. A test with several results in one run counts once: flaky \
            when it both failed and passed. Duration regressions are at least \(Format.count(Int(options.minIncreasePercent))) % and \
            \(Components.duration(options.minIncreaseMilliseconds)) slower than the median of the test's last \
            \(CompareOptions.historyRuns) completed runs on \(base.branch.isEmpty ? "the base's branch" : base.branch) \
            (or than the base, with fewer than \(CompareOptions.minimumHistorySamples) of them).</p>
            """
        if !comparison.newClusters.isEmpty {
            // Causes of failure head has and base had not: often the quickest read of what broke.
            body.append(
                RunPage.clusterSection(
                    comparison.newClusters, id: "new_clusters", title: "New causes of failure",
                    all: comparison.newClustersTotal > comparison.newClusters.count ? (comparison.newClusters.count, head.id) : nil))
        }
        for category in Self.order {
            body.append(list(comparison[category], base: base, head: head))
        }
        return HTMLPage(
            title: "Changes since \(Self.sinceLabel(base))",
            crumbs: [
                ("Projects", "/"), (head.project, "/projects/\(head.projectID.text)"), (RunPage.title(head), "/runs/\(head.id.text)"),
                ("Compare", nil),
            ], body: body)
    }

    /// One count at the top, linking to its list when there is one.
    static func kpi(_ heading: String, total: Int, anchor: String) -> HTML {
        """
        <div><span class="muted">\(heading)</span>\
        <b>\(total > 0 ? "<a href=\"#\(anchor)\">\(Format.count(total))</a>" as HTML : "0")</b></div>
        """
    }

    /// What a reader looks for first.
    static let order: [TestChangeCategory] = [
        .newFailures, .fixed, .stillFailing, .newlyFlaky, .durationRegressions, .newTests, .removedTests,
    ]

    static func heading(_ category: TestChangeCategory) -> String {
        switch category {
        case .newFailures: return "New failures"
        case .fixed: return "Fixed"
        case .stillFailing: return "Still failing"
        case .newTests: return "New tests"
        case .removedTests: return "Removed tests"
        case .newlyFlaky: return "Newly flaky"
        case .durationRegressions: return "Slower"
        }
    }

    func list(_ changes: TestChanges, base: RunSummary, head: RunSummary) -> HTML {
        let id = changes.category.rawValue
        let title = Self.heading(changes.category)
        guard changes.total > 0 else {
            return """
                <section aria-labelledby="\(id)"><h2 id="\(id)">\(title) <span class="muted">0</span></h2>\
                <p class="empty">None.</p></section>
                """
        }
        let regression = changes.category == .durationRegressions
        let shown = changes.tests.count < changes.total ? " (the first \(Format.count(changes.tests.count)))" : ""
        return """
            <section aria-labelledby="\(id)"><h2 id="\(id)">\(title) <span class="muted">\(Format.count(changes.total))\(shown)</span></h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">Test</th><th scope="col">Base</th><th scope="col">Head</th>\
            <th scope="col" class="num optional">Base duration</th><th scope="col" class="num">Head duration</th>\
            \(if: regression, "<th scope=\"col\" class=\"num\">Reference</th><th scope=\"col\" class=\"num\">Slower by</th>")</tr></thead>
            <tbody>\(HTML.join(changes.tests.map { row($0, regression: regression) }))</tbody></table></div></section>
            """
    }

    func row(_ test: TestChange, regression: Bool) -> HTML {
        func status(_ side: TestSide?) -> HTML {
            guard let side else { return "<span class=\"muted\">absent</span>" }
            let status = Components.status(side.status)
            let reruns: HTML = side.results > 1 ? " <span class=\"muted\">×\(side.results)</span>" : ""
            return "<a href=\"\(URLPath("/cases/\(side.caseID.text)"))\">\(status)</a>\(reruns)"
        }
        let reference: HTML =
            test.reference.map { reference in
                let source = reference.source == .historyMedian ? "median of \(reference.samples) runs" : "base"
                return """
                    <td class="num" title="\(source)">\(Components.duration(reference.durationMilliseconds))</td>\
                    <td class="num">+\(Components.duration(reference.increaseMilliseconds)) \
                    (+\(Format.count(Int(reference.increasePercent.rounded()))) %)</td>
                    """
            } ?? ""
        return """
            <tr><td><a href="\(URLPath("/tests/\(test.testID.text)"))">\(test.fullTitle.isEmpty ? test.testID.text : test.fullTitle)</a></td>\
            <td>\(status(test.base))</td><td>\(status(test.head))</td>\
            <td class="num optional">\(Components.duration(test.base?.durationMilliseconds))</td>\
            <td class="num">\(Components.duration(test.head?.durationMilliseconds))</td>\(if: regression, reference)</tr>
            """
    }
}
