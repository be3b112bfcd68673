import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictExport
import VerdictHTTP
import VerdictReports
import VerdictS3

/// `GET /api/v1/runs/{id}/junit.xml` and `…/ctrf.json`: the whole run as one document.
///
/// The document is streamed to a scratch file. One that fits a Lambda response comes back in
/// the body; a larger one goes to the bucket and the answer is a 302 to a presigned GET. Stored
/// exports are keyed by the number of completed reports, the only thing that changes a run's
/// content, so asking again serves the stored copy.
public struct ExportRun: HTTPHandler {
    public enum Format: Sendable {
        case junit, ctrf

        var fileExtension: String { self == .junit ? "xml" : "json" }
        var contentType: String { self == .junit ? "application/xml; charset=utf-8" : "application/json" }
    }

    /// API Gateway and Lambda cap a response at 6 MB, escaping included.
    static let inlineLimit = 4 * 1024 * 1024
    static let downloadExpiry = 300

    let format: Format

    public init(_ format: Format) { self.format = format }

    public func handle(_ request: HTTPRequest, context: LambdaContext) async throws -> HTTPResponse {
        let runID = try request.requiredPathParameter("id")
        let db = try Database.shared()
        let reader = RunContentReader(db: db)
        let header = try reader.header(runID: runID)
        let filename = "verdict-run-\(runID).\(format.fileExtension)"
        let store = Artifacts.store()
        let key = "exports/\(runID)/\(header.reportsCompleted)/\(filename)"
        if let store, try store.head(key) != nil {
            return .redirect(to: try store.presignedURL(.get, key: key, expiresIn: Self.downloadExpiry, downloadFilename: filename))
        }

        let path = "\(ScratchDirectory.path)/verdict-export-\(context.requestID)"
        let file = try ScratchFileWriter(path: path)
        defer { file.remove() }
        switch format {
        case .junit:
            let exporter = try JUnitExporter(sink: file.write)
            try exporter.begin(
                name: header.title, totals: header.totals, durationMs: header.durationMs,
                timestamp: header.startedAtMs.map(EpochMilliseconds.rfc3339))
            // The database is read on one thread while the document is written on this one.
            try overlapped(
                produce: { emit in try reader.forEachSuite(runID: runID) { suite, cases in try emit((suite, cases)) } },
                consume: { suite, cases in try exporter.writeSuite(suite, cases: cases) })
            try exporter.finish()
        case .ctrf:
            let exporter = CTRFExporter(sink: file.write)
            try exporter.begin(
                toolName: header.toolName ?? "verdict", toolVersion: header.toolVersion, totals: header.totals,
                startedAtMs: header.startedAtMs, stoppedAtMs: header.endedAtMs)
            try overlapped(
                produce: { emit in
                    var batch: [ParsedCase] = []
                    try reader.forEachCase(runID: runID) { testCase in
                        batch.append(testCase)
                        if batch.count == 1000 {
                            try emit(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    if !batch.isEmpty { try emit(batch) }
                },
                consume: { batch in for testCase in batch { try exporter.write(testCase) } })
            try exporter.finish()
        }
        try file.close()

        if file.size <= Self.inlineLimit || store == nil {
            return HTTPResponse(
                status: 200,
                headers: [
                    ("content-type", format.contentType), ("content-disposition", "attachment; filename=\"\(filename)\""),
                    ("cache-control", "no-store"),
                ], body: try file.contents())
        }
        try store!.put(key, contentsOf: path, contentType: format.contentType)
        return .redirect(to: try store!.presignedURL(.get, key: key, expiresIn: Self.downloadExpiry, downloadFilename: filename))
    }
}
