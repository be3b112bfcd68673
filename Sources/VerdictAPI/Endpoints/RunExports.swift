import HTTPContract
import LambdaRuntime
import VerdictCore
import VerdictDB
import VerdictExport
import VerdictHTTP
import VerdictReports
import VerdictS3

/// `GET /api/v1/runs/{id}/junit.xml` and `…/ctrf.json`: the whole run as one document.
///
/// The document is streamed: one that fits a Lambda response comes back in the body; a larger
/// one goes to the bucket (in one PUT, or as a multipart upload whose parts leave while the rest
/// is written) and the answer is a 302 to a presigned GET. Stored exports are keyed by the
/// number of completed reports, the only thing that changes a run's content, so asking again
/// serves the stored copy.
public struct ExportRun: Endpoint {
    public typealias Access = Reader

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

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        let runID = try request.pathID("id", as: RunID.self)
        let reader = RunContentReader(db: try context.database())
        let header = try reader.header(runID, as: context.access)
        let filename = "verdict-run-\(runID.text).\(format.fileExtension)"
        // Without a bucket, a document that fits a response is still served; a larger one is a 503.
        let store = try? context.objectStore()
        let key = "exports/\(runID.text)/\(header.reportsCompleted)/\(filename)"
        if let store, try store.head(key) != nil {
            return .redirect(to: try store.presignedURL(.get, key: key, expiresIn: Self.downloadExpiry, downloadFilename: filename))
        }

        // Three threads: one reads the run, one writes the document, and this one uploads the
        // document's parts as they fill (see ExportBuffer).
        let upload = store.map { ExportPartUpload(store: $0, key: key, contentType: format.contentType) }
        var buffer: ExportBuffer?
        do {
            try overlapped(
                produce: { emitPart in
                    try withoutActuallyEscaping(emitPart) { emitPart in
                        let document = ExportBuffer(emitPart: upload == nil ? nil : emitPart)
                        buffer = document
                        defer { document.finish() }
                        try write(header, reader: reader, to: document.append)
                    }
                },
                consume: { part in try upload!.send(part) })
            let rest = buffer?.bytes ?? []
            if let upload, upload.isStarted {
                try upload.complete(lastPart: rest)
            } else if rest.count <= Self.inlineLimit {
                return HTTPResponse(
                    status: 200,
                    headers: [
                        ("content-type", format.contentType), ("content-disposition", "attachment; filename=\"\(filename)\""),
                        ("cache-control", "no-store"),
                    ], body: rest)
            } else {
                try (store ?? context.objectStore()).put(key, bytes: rest, contentType: format.contentType)
            }
        } catch {
            upload?.abandon()
            throw error
        }
        return .redirect(
            to: try (store ?? context.objectStore()).presignedURL(
                .get, key: key, expiresIn: Self.downloadExpiry, downloadFilename: filename))
    }

    /// Writes the whole document to `sink`, reading the run on a thread of its own meanwhile.
    private func write(_ header: RunExportHeader, reader: RunContentReader, to sink: @escaping ExportSink) throws {
        switch format {
        case .junit:
            let exporter = try JUnitExporter(sink: sink)
            try exporter.begin(
                name: header.title, totals: header.totals, durationMs: header.durationMs,
                timestamp: header.startedAtMs.map(EpochMilliseconds.rfc3339))
            try overlapped(
                produce: { emit in try reader.forEachSuite(of: header) { suite, cases in try emit((suite, cases)) } },
                consume: { suite, cases in try exporter.writeSuite(suite, records: cases) })
            try exporter.finish()
        case .ctrf:
            let exporter = CTRFExporter(sink: sink)
            try exporter.begin(
                toolName: header.toolName ?? "verdict", toolVersion: header.toolVersion, totals: header.totals,
                startedAtMs: header.startedAtMs, stoppedAtMs: header.endedAtMs)
            try overlapped(
                produce: { emit in
                    var batch: [ParsedCase] = []
                    try reader.forEachCase(of: header) { testCase in
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
    }
}
