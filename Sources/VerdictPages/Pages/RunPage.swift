import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictJSON

/// `/runs/{id}`: what a CI link opens. The run's identity and totals, its shards, its failures
/// first (message, the head of the stack, attachments), then every case grouped by file and
/// suite, filterable and paged so a run of any size stays a small page. A running run follows
/// its shards live.
public struct RunPage: PageRenderer {
    static let failuresPerPage = 20
    static let casesPerPage = 100
    static let stackLinesShown = 6
    static let stackLinesDisclosed = 30
    static let clustersShown = 8
    static let testsPerCluster = 3

    public init() {}

    /// What to call a run: its name, else its CI run, else when it started.
    static func title(_ run: RunSummary) -> String {
        if !run.name.isEmpty { return run.name }
        if !run.ciRunID.isEmpty { return "CI run \(run.ciRunID)" + (run.ciRunAttempt > 1 ? " (attempt \(run.ciRunAttempt))" : "") }
        return "Run of \(Components.utcText(run.createdAt))"
    }

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let db = try context.database()
        let runID = try request.pathID("id", as: RunID.self)
        let detail = try RunQueries(db: db).get(runID, as: context.access)
        let run = detail.run
        let failures = try RunFailures(db: db).list(
            of: run, limit: Self.failuresPerPage,
            after: try request.nonEmptyQuery("failures_cursor").map { token throws(ServiceError) in try PageCursor(token: token) })
        let statuses = try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.caseStatuses(value) }
        let cases = try CaseQueries(db: db).list(
            of: run, CaseFilter(statuses: statuses, titleContains: request.nonEmptyQuery("q")),
            limit: try request.limit(default: Self.casesPerPage), after: try request.cursor())
        let here: URLPath = "/runs/\(runID.text)"

        var body = HTML(reservingCapacity: 64 * 1024)
        body.append(header(run))
        body.append(compareLink(run, base: try RunCompare(db: db).defaultBase(of: run)?.run))
        body.append(summary(run))
        body.append(shards(run, detail.reports))
        let gates = try GateRunner(db: db).stored(runID)
        if !gates.gates.isEmpty { body.append(gateList(gates)) }
        if run.totals.failed + run.totals.errors > 0 {
            let clusters = try ClusterReads(db: db).clusters(
                of: runID, limit: Self.clustersShown, after: nil, testsShown: Self.testsPerCluster)
            body.append(
                Self.clusterSection(
                    clusters.items, id: "clusters", title: "Failures by cause",
                    all: clusters.nextCursor == nil ? nil : (clusters.items.count, run.id)))
        }
        let quarantined = try QuarantineService(db: db).active(
            projectID: run.projectID.text, tests: failures.items.map { $0.summary.testID.text })
        body.append(failureList(failures, run: run, request: request, here: here, quarantined: Set(quarantined.keys)))
        body.append(caseList(cases, request: request, here: here))
        body.append(
            """
            <section aria-labelledby="downloads"><h2 id="downloads">Downloads</h2>
            <p><a href="\(URLPath("/api/v1/runs/\(runID.text)/junit.xml"))">JUnit XML</a> · \
            <a href="\(URLPath("/api/v1/runs/\(runID.text)/ctrf.json"))">CTRF JSON</a> · \
            <a href="\(URLPath("/api/v1/runs/\(runID.text)"))">JSON</a></p></section>
            """)
        let live: JSON = [
            "active": .bool(run.status == .running), "websocket": JSON(context.settings.liveURL),
            "subscribe": ["action": "subscribe", "run_id": .string(runID.text)],
        ]
        return HTMLPage(
            title: Self.title(run),
            crumbs: [("Projects", "/"), (run.project, "/projects/\(run.projectID.text)"), (Self.title(run), nil)], body: body,
            live: live)
    }

    func header(_ run: RunSummary) -> HTML {
        let links = RepositoryLinks(run.repositoryURL)
        let commit: HTML = "<code title=\"\(run.commit)\">\(Components.shortCommit(run.commit))</code>"
        let commitLink = links?.commit(run.commit).map { url -> HTML in "<a href=\"\(url)\">\(commit)</a>" } ?? commit
        let ciRun: HTML = "\(run.ciRunID)"
        let ciRunLink =
            links?.ciRun(run.ciRunID, attempt: run.ciRunAttempt).map { url -> HTML in "<a href=\"\(url)\">\(ciRun)</a>" } ?? ciRun
        return """
            <h1>\(Self.title(run))</h1>
            <p class="meta">\
            <span>Project <b><a href="\(URLPath("/projects/\(run.projectID.text)"))">\(run.project)</a></b></span>\
            \(if: !run.branch.isEmpty, "<span>Branch <b>\(run.branch)</b></span>")\
            \(if: !run.commit.isEmpty, "<span>Commit <b>\(commitLink)</b></span>")\
            \(if: !run.ciRunID.isEmpty, "<span>CI run <b>\(ciRunLink)</b> attempt <b>\(run.ciRunAttempt)</b></span>")\
            <span>Created \(Components.time(run.createdAt))</span>\
            \(if: run.durationMilliseconds != nil, "<span>Took <b>\(Components.duration(run.durationMilliseconds))</b></span>")\
            <span class="live" data-live-status aria-live="polite"></span></p>
            """
    }

    /// "What changed since …": the compare page against the run's default base, if it has one.
    func compareLink(_ run: RunSummary, base: RunSummary?) -> HTML {
        guard let base else { return "" }
        let href = URLPath("/runs/\(run.id.text)/compare").appendingQuery("base", base.id.text)
        return "<p class=\"compare-link\"><a href=\"\(href)\">What changed since \(ComparePage.sinceLabel(base))</a></p>"
    }

    func summary(_ run: RunSummary) -> HTML {
        """
        <section id="summary" class="card" data-live-region aria-label="Totals">
        <p>\(Components.status(run.status))\(if: run.status != .running, " · \(Components.status(Components.verdict(run.totals)))") · \
        pass rate <b>\(Components.passRate(run.totals))</b> · \
        \(shardCount(run))</p>
        \(Components.totalsBar(run.totals))
        \(Components.counts(run.totals))
        </section>
        """
    }

    /// Shards expected and in; an orchestrated run expects none in particular (a report per
    /// batch) and links its orchestration instead.
    func shardCount(_ run: RunSummary) -> HTML {
        guard run.orchestrated else {
            return
                "<span data-count=\"reports\">\(Format.count(run.reportsCompleted)) of \(Format.count(run.totalReportsExpected)) shards</span>"
        }
        return """
            <span data-count="reports">\(Format.count(run.reportsCompleted)) reports</span> · \
            <a href="\(URLPath("/runs/\(run.id.text)/orchestration"))">orchestration</a>
            """
    }

    func shards(_ run: RunSummary, _ reports: [StoredReportSummary]) -> HTML {
        let missing = run.orchestrated ? 0 : max(0, run.totalReportsExpected - reports.count)
        return """
            <section id="shards" data-live-region aria-labelledby="shards-title">
            <h2 id="shards-title">Shards</h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">Shard</th><th scope="col">Status</th><th scope="col" class="optional">Tool</th>\
            <th scope="col" class="num">Tests</th><th scope="col" class="num">Failed</th><th scope="col" class="num optional">Flaky</th>\
            <th scope="col" class="num optional">Duration</th><th scope="col" class="num optional">Warnings</th>\
            <th scope="col">File</th></tr></thead>
            <tbody>\(HTML.join(reports.map(shardRow)))\(if: missing > 0, "<tr><td colspan=\"9\" class=\"muted\">\(Format.count(missing)) more expected, not registered yet</td></tr>")</tbody>
            </table></div>
            </section>
            """
    }

    /// The verdicts of the project's quality gates: each gate, and the rules that failed.
    func gateList(_ gates: RunGates) -> HTML {
        var html: HTML = """
            <section id="gates" aria-labelledby="gates-title">
            <h2 id="gates-title">Quality gates <span class="badge \(gates.passed ? "status-passed" : "status-failed")">\
            \(gates.passed ? "passed" : "failed")</span></h2><ul class="gates">
            """
        for gate in gates.gates {
            html.append(
                "<li><strong>\(gate.name)</strong> <span class=\"badge \(gate.passed ? "status-passed" : "status-failed")\">\(gate.passed ? "passed" : "failed")</span>"
            )
            let failing = gate.rules.filter { !$0.passed }
            if !failing.isEmpty {
                html.append("<ul>")
                for rule in failing { html.append("<li><code>\(rule.type)</code> \(rule.message)</li>") }
                html.append("</ul>")
            }
            html.append("</li>")
        }
        html.append("</ul></section>")
        return html
    }

    /// A cluster's summary as its command wrote it, marked as such; nothing when there is none.
    static func summary(_ summary: ClusterSummary?) -> HTML {
        guard let summary else { return "" }
        return """
            <p class="cluster-summary" title="Written by the project's summary command on \(Components.utcText(summary.generatedAt))">\
            <span class="badge">summary</span> \(summary.text)</p>
            """
    }

    /// Failures by cause: each cluster's template (the reason they were grouped), how many
    /// failed with it, a few of them, and whether the run brought it. `all`, when only the
    /// largest are shown: how many, and the run whose clusters API lists them all.
    static func clusterSection(_ clusters: [RunCluster], id: String, title: String, all: (shown: Int, run: RunID)?) -> HTML {
        var html: HTML = """
            <section id="\(id)" aria-labelledby="\(id)-title">
            <h2 id="\(id)-title">\(title)</h2>
            <ol class="clusters">
            """
        for cluster in clusters {
            let look = cluster.look
            let more = cluster.testsTotal - cluster.tests.count
            html.append(
                """
                <li class="cluster"><span class="count">\(Format.count(cluster.count))×</span> \
                \(if: cluster.isNew, "<span class=\"badge new\">new</span> ")\
                \(if: look.category != nil, "<span class=\"badge\">\(look.category ?? "")</span> ")\
                <code class="template">\(look.errorType.map { $0 + ": " } ?? "")\(look.template)</code>\
                \(if: !look.frames.isEmpty, "<div class=\"muted\">at \(look.frames.joined(separator: " ← "))</div>")\
                \(summary(look.summary))\
                <div class="cluster-tests">
                """)
            for (index, test) in cluster.tests.enumerated() {
                if index > 0 { html.append(" · ") }
                if let caseID = test.caseID {
                    html.append("<a href=\"\(URLPath("/cases/\(caseID.text)"))\">\(test.fullTitle)</a>")
                } else {
                    html.append("\(test.fullTitle)")
                }
            }
            if more > 0 { html.append(" <span class=\"muted\">and \(Format.count(more)) more</span>") }
            html.append("</div></li>")
        }
        html.append("</ol>")
        if let all {
            html.append(
                """
                <p class="muted">The largest \(Format.count(all.shown)) causes; \
                <a href="\(URLPath("/api/v1/runs/\(all.run.text)/clusters"))">all of the run's</a>.</p>
                """)
        }
        html.append("</section>")
        return html
    }

    func failureList(
        _ failures: Page<FailedCase>, run: RunSummary, request: HTTPRequest, here: URLPath, quarantined: Set<String> = []
    ) -> HTML {
        let count = run.totals.failed + run.totals.errors + run.totals.flaky
        var html: HTML = """
            <section id="failures" data-live-region aria-labelledby="failures-title">
            <h2 id="failures-title">Failures <span class="muted">(\(Format.count(count)))</span></h2>
            """
        if failures.items.isEmpty {
            html.append("<p class=\"empty\">Nothing failed.</p>")
        } else {
            html.append("<p class=\"muted\">Press j and k to move between failures.</p>")
        }
        for failure in failures.items {
            html.append(Self.failure(failure, quarantined: quarantined.contains(failure.summary.testID.text)))
        }
        if let next = failures.nextCursor {
            html.append(
                Components.pager(
                    next: here.appendingQueries(request.queryItems, replacing: "failures_cursor", with: next.token), first: nil))
        }
        html.append("</section>")
        return html
    }

    /// A failure of a quarantined test is marked: it does not count against the run.
    static func failure(_ failure: FailedCase, quarantined: Bool = false) -> HTML {
        let summary = failure.summary
        let stack = failure.stack ?? ""
        let (head, afterHead) = Self.cut(stack[...], afterLines: stackLinesShown)
        // The disclosure holds a screenful more; the case page has the whole stack.
        let (rest, beyond) = Self.cut(afterHead, afterLines: stackLinesDisclosed)
        let restLines = Self.lineCount(rest)
        let more = !beyond.isEmpty || failure.stackIsTruncated
        let location = [summary.file, summary.line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return """
            <article class="failure \(summary.status.rawValue)" tabindex="0" data-failure aria-label="\(summary.fullTitle)">
            <h3>\(Components.status(summary.status)) <a href="\(URLPath("/cases/\(summary.id.text)"))">\(summary.fullTitle)</a>\
            \(if: summary.status == .flaky, " <span class=\"badge status-flaky\">passed on retry</span>")\
            \(if: quarantined, " <span class=\"badge\" data-quarantined title=\"quarantined: does not count against the run\">quarantined</span>")</h3>
            \(if: !location.isEmpty, "<p class=\"muted\">\(location)</p>")\
            \(if: summary.errorMessage != nil, "<p class=\"message\">\(failure.errorType.map { $0 + ": " } ?? "")\(summary.errorMessage ?? "")</p>")\
            \(if: !head.isEmpty, "<pre>\(head)</pre>")\
            \(if: !rest.isEmpty, "<details><summary>\(Format.count(restLines)) more lines of the stack</summary><pre>\(rest)</pre>\(if: more, "<p><a href=\"\(URLPath("/cases/\(summary.id.text)"))\">The whole stack</a></p>")</details>")\
            \(if: !failure.attachments.isEmpty, AttachmentViews.thumbnails(failure.attachments))
            </article>
            """
    }

    /// The first `count` lines of `text` and what follows their line break. Found with memchr on
    /// the UTF-8: splitting long stacks into `Character`s cost more than the rest of the page.
    static func cut(_ text: Substring, afterLines count: Int) -> (head: Substring, rest: Substring) {
        var text = text
        let offset = text.withUTF8 { bytes in LineBreaks.offset(ofBreak: count, in: bytes) }
        guard let offset else { return (text, text[text.endIndex...]) }
        let newline = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
        return (text[..<newline], text[text.utf8.index(after: newline)...])
    }

    static func lineCount(_ text: Substring) -> Int {
        var text = text
        return text.isEmpty ? 0 : 1 + text.withUTF8 { bytes in LineBreaks.count(in: bytes) }
    }

    func caseList(_ cases: Page<CaseSummary>, request: HTTPRequest, here: URLPath) -> HTML {
        let status = request.query("status") ?? ""
        var html: HTML = """
            <section id="cases" aria-labelledby="cases-title">
            <h2 id="cases-title">All cases</h2>
            <form class="filters" method="get" action="\(here)#cases" role="search">
            <label>Title <input id="search" name="q" value="\(request.query("q") ?? "")" placeholder="part of a title"></label>
            <label>Status <select name="status">
            <option value=""\(attribute: "selected", if: status.isEmpty)>any</option>\
            \(HTML.join(CaseStatus.allCases.map { option in "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: status == option.rawValue)>\(option.rawValue)</option>" }))
            <option value="failed,errored"\(attribute: "selected", if: status == "failed,errored")>failed or errored</option>
            </select></label>
            <button type="submit">Show</button>
            </form>
            """
        if cases.items.isEmpty {
            html.append("<p class=\"empty\">No cases match.</p>")
        } else {
            html.append(
                """
                <div class="scroll"><table>
                <thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col" class="num">Duration</th>\
                <th scope="col" class="num optional">Attempts</th></tr></thead>
                <tbody>
                """)
            var group: String?
            for item in cases.items {
                let name = ([item.file].compactMap { $0 } + item.suitePath).joined(separator: " › ")
                if name != group {
                    group = name
                    html.append(
                        "<tr><th colspan=\"4\" scope=\"colgroup\" class=\"group\">\(name.isEmpty ? "(no file or suite)" : name)</th></tr>")
                }
                html.append(
                    """
                    <tr><td><a href="\(URLPath("/cases/\(item.id.text)"))">\(item.title)</a></td>\
                    <td>\(Components.status(item.status))</td><td class="num">\(Components.duration(item.durationMilliseconds))</td>\
                    <td class="num optional">\(item.attemptCount)</td></tr>
                    """)
            }
            html.append("</tbody></table></div>")
        }
        let next = cases.nextCursor.map { here.appendingQueries(request.queryItems, replacing: "cursor", with: $0.token) }
        let first = request.query("cursor") == nil ? nil : here.appendingQueries(request.queryItems, replacing: "cursor", with: nil)
        html.append(Components.pager(next: next, first: first))
        html.append("</section>")
        return html
    }

    func shardRow(_ report: StoredReportSummary) -> HTML {
        """
        <tr data-report="\(report.id.text)"><td>\(report.shard)</td>\
        <td>\(report.status == .completed ? Components.status(Components.verdict(report.totals)) : "<span class=\"status status-running\">● uploading</span>")</td>\
        <td class="optional">\([report.toolName, report.toolVersion].compactMap { $0 }.joined(separator: " "))</td>\
        <td class="num">\(Format.count(report.totals.tests))</td>\
        <td class="num">\(Format.count(report.totals.failed + report.totals.errors))</td>\
        <td class="num optional">\(Format.count(report.totals.flaky))</td>\
        <td class="num optional">\(Components.duration(report.durationMilliseconds))</td>\
        <td class="num optional">\(Format.count(report.warningCount))</td>\
        <td>\(if: report.status == .completed, "<a href=\"\(URLPath("/api/v1/reports/\(report.id.text)/raw"))\">raw</a>")</td></tr>
        """
    }
}
