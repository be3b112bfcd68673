import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictJSON

/// `/projects/{project}` (its id or name): a project's runs, newest first, narrowed by branch, status and dates, or
/// found by a commit prefix or CI run id; it follows the project live while runs come in.
public struct ProjectPage: PageRenderer {
    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let db = try context.database()
        let projectID = try context.pathProject(request)
        let overview = try ProjectOverviews(db: db).get(projectID, as: context.access)
        let project = overview.project
        let search = request.nonEmptyQuery("q")?.trimmed()
        // A search that reads as hexadecimal is a commit; anything else a CI run id.
        let commitPrefix = search.flatMap { try? ReadParameter.commitPrefix($0) }
        let filter = RunFilter(
            branch: request.nonEmptyQuery("branch"),
            status: try request.nonEmptyQuery("status").map { value throws(ServiceError) in try ReadParameter.runStatus(value) },
            since: try dateQuery(request, "since", endOfDay: false), until: try dateQuery(request, "until", endOfDay: true),
            commitPrefix: commitPrefix, ciRunID: commitPrefix == nil ? search : nil, projectID: project.id)
        let page = try RunQueries(db: db).list(
            filter, as: context.access, limit: try request.limit(default: 50), after: try request.cursor())
        let runs = page.items
        let here: URLPath = "/projects/\(project.id.text)"

        var body: HTML = """
            <h1>\(project.name)\(if: !project.isPublic, " <span class=\"badge\">private</span>")</h1>
            <p class="meta"><span><b>\(Format.count(overview.trend.count))</b> recent runs</span>\
            <span><a href="\(URLPath("/projects/\(project.id.text)/trends"))">Trends</a></span>\
            <span><a href="\(URLPath("/projects/\(project.id.text)/flaky"))">Flaky tests</a></span>\
            <span class="live" data-live-status aria-live="polite"></span></p>
            """
        let rates = overview.trend.compactMap(\.passRate)
        if rates.count > 1 {
            body.append(
                "<div class=\"kpis\">\(Sparkline(rates, label: "pass rate of the last \(rates.count) runs", measure: .passRate).render())</div>"
            )
        }
        body.append(filters(request, here: here))
        body.append("<section id=\"runs\" data-live-region aria-label=\"Runs\">")
        if runs.isEmpty {
            body.append("<p class=\"empty\">No runs match.</p>")
        } else {
            body.append(table(runs))
        }
        let next = page.nextCursor.map { cursor in here.appendingQueries(request.queryItems, replacing: "cursor", with: cursor.token) }
        let first = request.query("cursor") == nil ? nil : here.appendingQueries(request.queryItems, replacing: "cursor", with: nil)
        body.append(Components.pager(next: next, first: first))
        body.append("</section>")
        let live: JSON = [
            "active": true, "websocket": JSON(context.settings.liveURL),
            "subscribe": ["action": "subscribe", "project": .string(project.id.text)],
        ]
        return HTMLPage(
            title: project.name, crumbs: [("Projects", "/"), (project.name, nil)], body: body, live: live)
    }

    func filters(_ request: HTTPRequest, here: URLPath) -> HTML {
        let status = request.query("status") ?? ""
        return """
            <form class="filters" method="get" action="\(here)" role="search">
            <label>Search <input id="search" name="q" value="\(request.query("q") ?? "")" placeholder="commit or CI run id" \
            aria-describedby="search-help"></label>
            <label>Branch <input name="branch" value="\(request.query("branch") ?? "")"></label>
            <label>Status <select name="status">
            <option value=""\(attribute: "selected", if: status.isEmpty)>any</option>
            <option value="running"\(attribute: "selected", if: status == "running")>running</option>
            <option value="completed"\(attribute: "selected", if: status == "completed")>completed</option>
            <option value="incomplete"\(attribute: "selected", if: status == "incomplete")>incomplete</option>
            </select></label>
            <label>From <input type="date" name="since" value="\(request.query("since") ?? "")"></label>
            <label>To <input type="date" name="until" value="\(request.query("until") ?? "")"></label>
            <button type="submit">Filter</button>
            <span id="search-help" class="muted">Press / to search.</span>
            </form>
            """
    }

    func table(_ runs: [RunSummary]) -> HTML {
        """
        <div class="scroll"><table>
        <caption class="muted">Newest first</caption>
        <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Branch</th>\
        <th scope="col" class="optional">Commit</th><th scope="col" class="num">Pass rate</th>\
        <th scope="col" class="num optional">Tests</th><th scope="col" class="num optional">Failed</th>\
        <th scope="col" class="num optional">Duration</th><th scope="col" class="num">Started</th></tr></thead>
        <tbody>\(HTML.join(runs.map(runRow)))</tbody>
        </table></div>
        """
    }

    /// A day from a date input (`2026-05-01`), as the start of that day or of the next, in UTC;
    /// a full RFC 3339 time is taken as it is.
    func dateQuery(_ request: HTTPRequest, _ name: String, endOfDay: Bool) throws -> String? {
        guard let value = request.nonEmptyQuery(name) else { return nil }
        if value.utf8.count == 10, let start = EpochMillisecondsDay.start(of: value) {
            return EpochMillisecondsDay.rfc3339(start + (endOfDay ? 86_400_000 : 0))
        }
        return try RFC3339.parse(value, field: name)
    }

    func runRow(_ run: RunSummary) -> HTML {
        """
        <tr><td><a href="\(URLPath("/runs/\(run.id.text)"))">\(RunPage.title(run))</a></td>\
        <td>\(run.status == .completed ? Components.status(Components.verdict(run.totals)) : Components.status(run.status))</td>\
        <td>\(run.branch)</td><td class="optional"><code>\(Components.shortCommit(run.commit))</code></td>\
        <td class="num">\(Components.passRate(run.totals))</td><td class="num optional">\(Format.count(run.totals.tests))</td>\
        <td class="num optional">\(Format.count(run.totals.failed + run.totals.errors))</td>\
        <td class="num optional">\(Components.duration(run.durationMilliseconds))</td>\
        <td class="num">\(Components.time(run.createdAt))</td></tr>
        """
    }
}
