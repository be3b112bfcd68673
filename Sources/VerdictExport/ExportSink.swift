/// Where an exporter's bytes go: a file, an S3 multipart upload, an HTTP response body. It is
/// called with consecutive chunks of the document; the buffer is only valid during the call.
/// Throwing stops the export, and the exporter rethrows the error as `ExportError.sink`.
public typealias ExportSink = (UnsafeRawBufferPointer) throws -> Void

/// Why an export stopped.
public enum ExportError: Error, CustomStringConvertible {
    /// The sink threw; the document is incomplete.
    case sink(any Error)
    /// libxml2 refused a write (out of memory, or a writer already in error).
    case writer(String)
    /// The exporter's calls came out of order (a suite before `begin`, anything after `finish`).
    case misuse(String)

    public var description: String {
        switch self {
        case .sink(let error): "export sink failed: \(error)"
        case .writer(let message): "XML writer failed: \(message)"
        case .misuse(let message): "export API misuse: \(message)"
        }
    }
}
