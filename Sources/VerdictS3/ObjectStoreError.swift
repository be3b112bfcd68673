/// An error answer from S3 (or an S3-compatible server), as its XML `Error` body tells it.
public struct S3ServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    /// S3's error code, e.g. `NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`. Answers
    /// without a body (HEAD) get the status as their code, as botocore reports them.
    public var code: String
    public var message: String
    public var requestID: String?

    public init(status: Int, code: String, message: String, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Reads an S3 `Error` document; a body that is not one still yields an error named
    /// after the status.
    public init(status: Int, body: [UInt8]) {
        if let root = S3XML.parse(body), root.name == "Error", let code = root.value("Code"), !code.isEmpty {
            self.init(
                status: status, code: code, message: root.value("Message") ?? "", requestID: root.value("RequestId"))
        } else {
            let text = String(decoding: body.prefix(512), as: UTF8.self)
            self.init(status: status, code: String(status), message: text)
        }
    }

    public var description: String {
        "S3 \(status) \(code): \(message)" + (requestID.map { " (request \($0))" } ?? "")
    }
}

/// Why an `ObjectStore` call failed.
public enum ObjectStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment (or configuration) does not say where or how to reach S3.
    case configuration(String)
    /// A key the store refuses before sending: empty, over 1024 bytes, or with segments
    /// HTTP clients would rewrite (`.`, `..`).
    case invalidKey(String)
    case presign(SigV4PresignError)
    /// The request did not get an HTTP answer (connection refused, timeout, TLS).
    case transport(String)
    /// S3 answered with an error status.
    case service(S3ServiceError)
    /// S3 answered, but not in a shape this client understands.
    case unexpectedResponse(status: Int, detail: String)

    /// S3's error code when S3 answered with one.
    public var s3Code: String? {
        if case .service(let error) = self { return error.code }
        return nil
    }

    public var httpStatus: Int? {
        switch self {
        case .service(let error): error.status
        case .unexpectedResponse(let status, _): status
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .configuration(let why): "object store configuration: \(why)"
        case .invalidKey(let why): "invalid object key: \(why)"
        case .presign(let error): "cannot presign the request: \(error)"
        case .transport(let why): "cannot reach the object store: \(why)"
        case .service(let error): error.description
        case .unexpectedResponse(let status, let detail): "unexpected object store response (\(status)): \(detail)"
        }
    }
}
