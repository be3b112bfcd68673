import CurlClient

#if canImport(Glibc)
    import Glibc
#endif

public struct HTTPRequest: Sendable {
    public enum Body: Sendable, Equatable {
        case none
        case bytes([UInt8])
        /// A file's bytes, read as they are sent (a video never sits in memory).
        case file(path: String, size: Int)
    }

    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Body
    public var timeoutMilliseconds: Int
    /// A 2xx answer's body goes into this file instead of memory (exports can be large).
    public var downloadPath: String?

    public init(
        method: String, url: String, headers: [(String, String)] = [], body: Body = .none, timeoutMilliseconds: Int = 60_000,
        downloadPath: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.downloadPath = downloadPath
    }
}

public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    /// Names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The request never got an answer (connection refused, reset, timed out, DNS), or a local
/// file it needed could not be read or written.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// False for what another try cannot fix: a malformed URL, an unsupported scheme, a local
    /// file problem.
    public var retryable: Bool

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// Sends one request, no retries (`APIClient` decides those).
public protocol HTTPTransport {
    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPReply
}

/// The transport over the repository's libcurl client; one handle, so connections are reused
/// across a worker's calls.
public final class CurlTransport: HTTPTransport {
    private let curl = CurlHTTP()

    public init() {}

    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPReply {
        var upload: (descriptor: Int32, length: Int)?
        if case .file(let path, let size) = request.body {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw TransportError("\(path): \(String(cString: strerror(errno)))", retryable: false) }
            upload = (descriptor, size)
        }
        defer { if let upload { close(upload.descriptor) } }
        var download: Int32 = -1
        if let path = request.downloadPath {
            download = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard download >= 0 else { throw TransportError("\(path): \(String(cString: strerror(errno)))", retryable: false) }
        }
        defer { if download >= 0 { close(download) } }
        var writeFailure: FileError?
        let sink: ((UnsafeRawBufferPointer) -> Bool)? =
            download < 0
            ? nil
            : { chunk in
                do throws(FileError) {
                    try FileSystem.writeAll(chunk, to: download, path: request.downloadPath!)
                    return true
                } catch {
                    writeFailure = error
                    return false
                }
            }
        let body: [UInt8]? =
            switch request.body {
            case .bytes(let bytes): bytes
            case .none, .file: nil
            }
        do {
            let response = try curl.perform(
                method: request.method, url: request.url, headers: request.headers, body: body,
                timeoutMilliseconds: request.timeoutMilliseconds, bodySink: sink, bodyFile: upload)
            return HTTPReply(status: response.status, headers: response.headers, body: response.body)
        } catch {
            if let writeFailure { throw TransportError(writeFailure.description, retryable: false) }
            // CURLE_UNSUPPORTED_PROTOCOL (1), CURLE_URL_MALFORMAT (3): no retry will help.
            throw TransportError(error.description, retryable: error.code != 1 && error.code != 3)
        }
    }
}
