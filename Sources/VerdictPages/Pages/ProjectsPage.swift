import VerdictCore
import VerdictHTML
import VerdictHTTP

/// `/`: every project the viewer may see, with its newest run on each busy branch and the
/// trend of its last runs.
public struct ProjectsPage: PageRenderer {
    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let projects = try ProjectOverviews(db: try context.database()).list(as: context.access, limit: 100)
        var body: HTML = "<h1>Projects</h1>"
        if projects.isEmpty {
            body.append(
                """
                <p class="empty">No runs yet. Upload a report (see <a href="/api/v1/openapi.json">the API</a>) and it \
                appears here.</p>
                """)
        }
        body.append("<div class=\"cards\">")
        for overview in projects { body.append(card(overview)) }
        body.append("</div>")
        return HTMLPage(title: "Projects", body: body)
    }

    func card(_ overview: ProjectOverview) -> HTML {
        let project = overview.project
        let href: URLPath = "/projects/\(project.id.text)"
        let rates = overview.trend.compactMap(\.passRate)
        let durations = overview.trend.compactMap(\.durationMilliseconds)
        var charts = HTML()
        if rates.count > 1 {
            charts.append(Sparkline(rates, label: "pass rate of the last \(rates.count) runs", measure: .passRate).render())
        }
        if durations.count > 1 {
            charts.append(
                Sparkline(durations, label: "duration of the last \(durations.count) runs", measure: .durationMilliseconds).render())
        }
        return """
            <section class="card" aria-labelledby="project-\(project.id.text)">
            <h2 id="project-\(project.id.text)"><a href="\(href)">\(project.name)</a>\
            \(if: !project.isPublic, " <span class=\"badge\">private</span>")</h2>
            \(if: !charts.isEmpty, "<div class=\"kpis\">\(charts)</div>")
            \(if: overview.latestByBranch.isEmpty, "<p class=\"empty\">No runs yet.</p>", else: branches(overview.latestByBranch))
            </section>
            """
    }

    func branches(_ runs: [RunSummary]) -> HTML {
        """
        <div class="scroll"><table>
        <thead><tr><th scope="col">Branch</th><th scope="col">Status</th><th scope="col" class="num">Pass rate</th>\
        <th scope="col" class="num optional">Tests</th><th scope="col" class="num optional">Duration</th>\
        <th scope="col" class="num">Age</th></tr></thead>
        <tbody>\(HTML.join(runs.map(branchRow)))</tbody>
        </table></div>
        """
    }

    func branchRow(_ run: RunSummary) -> HTML {
        """
        <tr><td><a href="\(URLPath("/runs/\(run.id.text)"))">\(run.branch.isEmpty ? "(no branch)" : run.branch)</a></td>\
        <td>\(run.status == .completed ? Components.status(Components.verdict(run.totals)) : Components.status(run.status))</td>\
        <td class="num">\(Components.passRate(run.totals))</td>\
        <td class="num optional">\(Format.count(run.totals.tests))</td>\
        <td class="num optional">\(Components.duration(run.durationMilliseconds))</td>\
        <td class="num"><time datetime="\(run.createdAt)">\(Components.age(run.createdAt))</time></td></tr>
        """
    }
}
