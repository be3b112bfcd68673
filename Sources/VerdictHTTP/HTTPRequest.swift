import VerdictJSON

/// An HTTP request as API Gateway's HTTP API (payload format 2.0) and Lambda function URLs
/// deliver it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var rawPath: String
    public var rawQueryString: String
    /// Lower-cased names; repeated headers arrive comma-joined, as API Gateway sends them.
    public var headers: [String: String]
    public var cookies: [String]
    public var pathParameters: [String: String]
    public var body: [UInt8]
    public var routeKey: String
    public var requestID: String
    public var sourceIP: String

    public init(
        method: String, rawPath: String, rawQueryString: String = "", headers: [String: String] = [:],
        cookies: [String] = [], pathParameters: [String: String] = [:], body: [UInt8] = [],
        routeKey: String = "$default", requestID: String = "", sourceIP: String = ""
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQueryString = rawQueryString
        self.headers = headers
        self.cookies = cookies
        self.pathParameters = pathParameters
        self.body = body
        self.routeKey = routeKey
        self.requestID = requestID
        self.sourceIP = sourceIP
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Query parameters in order, percent-decoded; a name may repeat.
    public var queryItems: [(name: String, value: String)] {
        guard !rawQueryString.isEmpty else { return [] }
        return rawQueryString.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let equals = part.firstIndex(of: "=") {
                return (PercentEncoding.decode(part[..<equals]), PercentEncoding.decode(part[part.index(after: equals)...]))
            }
            return (PercentEncoding.decode(part), "")
        }
    }

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    public func pathParameter(_ name: String) -> String? { pathParameters[name] }
}

extension HTTPRequest {
    public enum DecodingError: Error, CustomStringConvertible {
        case notAnHTTPEvent(String)

        public var description: String {
            switch self {
            case .notAnHTTPEvent(let why): return "payload is not an API Gateway HTTP API (2.0) event: \(why)"
            }
        }
    }

    /// Decodes an API Gateway HTTP API payload-format-2.0 event.
    public init(event: JSON) throws(DecodingError) {
        guard case .object = event else { throw .notAnHTTPEvent("not a JSON object") }
        guard let http = event["requestContext"]?["http"], let method = http["method"]?.stringValue else {
            throw .notAnHTTPEvent("requestContext.http.method is missing")
        }
        var headers: [String: String] = [:]
        for pair in event["headers"]?.objectValue?.pairs ?? [] {
            if let value = pair.value.stringValue { headers[pair.key.lowercased()] = value }
        }
        var pathParameters: [String: String] = [:]
        for pair in event["pathParameters"]?.objectValue?.pairs ?? [] {
            if let value = pair.value.stringValue { pathParameters[pair.key] = value }
        }
        var body: [UInt8] = []
        if let text = event["body"]?.stringValue {
            if event["isBase64Encoded"]?.boolValue == true {
                guard let decoded = Base64.decode(text) else { throw .notAnHTTPEvent("body is not valid base64") }
                body = decoded
            } else {
                body = Array(text.utf8)
            }
        }
        self.init(
            method: method.uppercased(),
            rawPath: event["rawPath"]?.stringValue ?? http["path"]?.stringValue ?? "/",
            rawQueryString: event["rawQueryString"]?.stringValue ?? "",
            headers: headers,
            cookies: event["cookies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            pathParameters: pathParameters,
            body: body,
            routeKey: event["routeKey"]?.stringValue ?? "$default",
            requestID: event["requestContext"]?["requestId"]?.stringValue ?? "",
            sourceIP: http["sourceIp"]?.stringValue ?? ""
        )
    }
}

public enum PercentEncoding {
    /// Decodes `%XX` escapes and `+` (form encoding's space); malformed escapes stay as written.
    public static func decode(_ text: some StringProtocol) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes everything but RFC 3986's unreserved characters.
    public static func encode(_ text: some StringProtocol) -> String {
        var out: [UInt8] = []
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
