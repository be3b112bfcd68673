import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictJSON

/// `/cases/{id}`: one case, every attempt with its status, duration, errors with their stacks
/// and output, and its attachments shown where a browser can show them.
public struct CasePage: PageRenderer {
    public init() {}

    public func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage {
        let db = try context.database()
        let detail = try CaseDetailQuery(db: db).get(try request.pathID("id"), as: context.access)
        let run = try RunQueries(db: db).get(detail.runID, as: context.access).run
        // Logs are read from the bucket only when there are some; a page without them needs no bucket.
        var texts: [AttachmentID: AttachmentText] = [:]
        if detail.attachments.contains(where: { AttachmentViews.shown($0) == .text }) {
            texts = try DownloadLinks(db: db, store: try context.objectStore()).texts(of: detail.attachments)
        }
        let summary = detail.summary
        let location = [summary.file, summary.line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ", ")
        var body: HTML = """
            <h1>\(summary.title)</h1>
            <p class="meta">\(Components.status(summary.status))\
            <span>Run <b><a href="\(URLPath("/runs/\(run.id.text)"))">\(RunPage.title(run))</a></b></span>\
            <span><a href="\(URLPath("/tests/\(summary.testID.text)"))">History of this test</a></span>\
            \(if: summary.durationMilliseconds != nil, "<span>Took <b>\(Components.duration(summary.durationMilliseconds))</b></span>")\
            \(if: summary.attemptCount > 1, "<span><b>\(summary.attemptCount)</b> attempts</span>")</p>
            <div class="card">
            <p><b>\(summary.fullTitle)</b></p>
            \(if: !location.isEmpty, "<p class=\"muted\">\(location)</p>")\
            \(if: detail.classname != nil, "<p class=\"muted\">Class \(detail.classname ?? "")</p>")\
            \(if: summary.project != nil, "<p class=\"muted\">Project \(summary.project ?? "")</p>")\
            \(if: !summary.tags.isEmpty, "<p>\(HTML.join(summary.tags.map { "<span class=\"badge\">\($0)</span> " }))</p>")\
            \(if: detail.skipReason != nil, "<p>Skipped: \(detail.skipReason ?? "")</p>")
            </div>
            """
        let caseLevel = detail.attachments.filter { $0.attempt == nil }
        for attempt in detail.attempts {
            let own = detail.attachments.filter { $0.attempt == attempt.attempt }
            body.append(section(attempt, count: detail.attempts.count, attachments: own, texts: texts))
        }
        if !caseLevel.isEmpty {
            body.append(
                "<section aria-labelledby=\"attachments\"><h2 id=\"attachments\">Attachments</h2>\(AttachmentViews.figures(caseLevel, texts: texts))</section>"
            )
        }
        return HTMLPage(
            title: summary.title,
            crumbs: [
                ("Projects", "/"), (run.project, "/projects/\(run.projectID.text)"), (RunPage.title(run), "/runs/\(run.id.text)"),
                (summary.title, nil),
            ], body: body)
    }

    func section(_ attempt: AttemptRecord, count: Int, attachments: [AttachmentRecord], texts: [AttachmentID: AttachmentText]) -> HTML {
        let errors = attempt.errors.arrayValue ?? []
        let heading = count > 1 ? "Attempt \(attempt.attempt + 1)" : "Result"
        return """
            <section class="card" aria-labelledby="attempt-\(attempt.attempt)">
            <h2 id="attempt-\(attempt.attempt)">\(heading) \(Components.status(attempt.status))\
            <span class="muted"> \(Components.duration(attempt.durationMilliseconds))</span></h2>
            \(if: attempt.startedAt != nil, "<p class=\"muted\">Started \(Components.time(attempt.startedAt))</p>")\
            \(HTML.join(errors.map(errorBlock)))\
            \(if: attempt.stdout != nil, "<details><summary>Standard output</summary><pre>\(attempt.stdout ?? "")</pre></details>")\
            \(if: attempt.stderr != nil, "<details><summary>Standard error</summary><pre>\(attempt.stderr ?? "")</pre></details>")\
            \(if: !attachments.isEmpty, AttachmentViews.figures(attachments, texts: texts))
            </section>
            """
    }

    func errorBlock(_ error: JSON) -> HTML {
        """
        <div class="failure"><p class="message">\(error["type"]?.stringValue.map { $0 + ": " } ?? "")\
        \(error["message"]?.stringValue ?? "")</p>\
        \(if: error["stack"]?.stringValue != nil, "<pre>\(error["stack"]?.stringValue ?? "")</pre>")</div>
        """
    }
}
