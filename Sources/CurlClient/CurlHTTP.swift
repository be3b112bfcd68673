import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// One reusable libcurl easy handle. Reusing the handle keeps its connection alive, which is what
/// makes the Runtime API's long poll and the response post that follows it cheap.
public final class CurlHTTP {
    public struct Response {
        public var status: Int
        /// Header names lower-cased; the last value wins for repeated headers.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public struct Failure: Error, CustomStringConvertible {
        public var code: Int
        public var message: String
        public var description: String { "curl error \(code): \(message)" }
    }

    private let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    private static let globalInit: Void = {
        // Plain HTTP to the Runtime API needs no TLS set-up at start; libcurl initializes its TLS
        // backend on the first https transfer, which keeps cold starts short.
        curl_global_init(Int(CURL_GLOBAL_NOTHING))
    }()

    public init() {
        _ = CurlHTTP.globalInit
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs one request. `timeoutMilliseconds == 0` waits forever, as the Runtime API's
    /// `next` call requires.
    /// - Parameter bodySink: receives a 2xx response's body in chunks as it arrives, instead of
    ///   `Response.body` collecting it (a large download then never sits in memory). Returning
    ///   false aborts the transfer. Other responses' bodies (error documents) are collected.
    /// - Parameter bodyFile: an open file whose next `length` bytes are the request body, read
    ///   as libcurl sends them (a large upload then never sits in memory); `body` is ignored.
    public func perform(
        method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeoutMilliseconds: Int = 0, bodySink: ((UnsafeRawBufferPointer) -> Bool)? = nil,
        bodyFile: (descriptor: Int32, length: Int)? = nil
    ) throws(Failure) -> Response {
        curl_easy_reset(handle)
        let state = TransferState(body: bodyFile == nil ? body ?? [] : [])
        state.sink = bodySink
        state.bodyDescriptor = bodyFile?.descriptor ?? -1
        let uploadLength = bodyFile?.length ?? body?.count
        let unmanaged = Unmanaged.passRetained(state)
        defer { unmanaged.release() }
        let statePointer = unmanaged.toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        // libcurl adds "Expect: 100-continue" to large POSTs, costing a round trip per response.
        headerList = curl_slist_append(headerList, "Expect:")
        for (name, value) in headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }

        let result: CURLcode = url.withCString { urlPointer in
            method.withCString { methodPointer in
                errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                    errorPointer[0] = 0
                    verdict_curl_setopt_ptr(handle, CURLOPT_URL, urlPointer)
                    verdict_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
                    verdict_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                    verdict_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
                    verdict_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
                    verdict_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList)
                    verdict_curl_setopt_write(handle, curlWrite)
                    verdict_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, statePointer)
                    verdict_curl_setopt_header(handle, curlHeader)
                    verdict_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, statePointer)
                    switch method {
                    case "GET": verdict_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                    case "HEAD": verdict_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                    default:
                        verdict_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, methodPointer)
                    }
                    if let uploadLength {
                        verdict_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
                        verdict_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(uploadLength))
                        verdict_curl_setopt_read(handle, curlRead)
                        verdict_curl_setopt_ptr(handle, CURLOPT_READDATA, statePointer)
                    }
                    return curl_easy_perform(handle)
                }
            }
        }
        guard result == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(code: Int(result.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        }
        var status = 0
        verdict_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: state.responseHeaders, body: state.responseBody)
    }
}

private final class TransferState {
    let body: [UInt8]
    var bodyOffset = 0
    var bodyDescriptor: Int32 = -1
    var responseBody: [UInt8] = []
    var responseHeaders: [String: String] = [:]
    var status = 0
    var sink: ((UnsafeRawBufferPointer) -> Bool)?

    init(body: [UInt8]) { self.body = body }
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if let sink = state.sink, (200..<300).contains(state.status) {
        return sink(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        state.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private func curlRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    if state.bodyDescriptor >= 0 {
        while true {
            let n = read(state.bodyDescriptor, buffer, size * count)
            if n >= 0 { return n }
            if errno != EINTR { return Int(CURL_READFUNC_ABORT) }
        }
    }
    let length = min(size * count, state.body.count - state.bodyOffset)
    if length > 0 {
        state.body.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + state.bodyOffset, byteCount: length)
        }
        state.bodyOffset += length
    }
    return length
}

private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new status line (after a redirect or 100 Continue) starts a fresh header block.
        state.responseHeaders.removeAll()
        let parts = line.split(separator: " ", maxSplits: 2)
        state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        state.responseHeaders[name] = value
    }
    return length
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
