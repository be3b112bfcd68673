/// The S3 error codes request authentication can produce.
public enum S3ErrorCode: String, Sendable, Hashable {
    case accessDenied = "AccessDenied"
    case authorizationQueryParametersError = "AuthorizationQueryParametersError"
    case invalidAccessKeyId = "InvalidAccessKeyId"
    case signatureDoesNotMatch = "SignatureDoesNotMatch"

    /// S3 answers malformed auth parameters with 400 and refused ones with 403.
    public var httpStatus: Int {
        switch self {
        case .authorizationQueryParametersError: 400
        case .accessDenied, .invalidAccessKeyId, .signatureDoesNotMatch: 403
        }
    }
}

/// An S3 error response: code, message and the extra elements S3 adds to help a
/// client see why (e.g. the string to sign when signatures differ).
public struct S3Error: Error, Sendable, Hashable {
    public struct Detail: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var code: S3ErrorCode
    public var message: String
    /// Rendered between `Message` and `RequestId`, in this order, as S3 does.
    public var details: [Detail]

    public init(_ code: S3ErrorCode, _ message: String, details: [Detail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var httpStatus: Int { code.httpStatus }

    /// The body S3 sends with `Content-Type: application/xml`.
    public func xmlBody(requestID: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"#
        xml += "<Error><Code>\(code.rawValue)</Code><Message>\(XMLText.escape(message))</Message>"
        for detail in details {
            xml += "<\(detail.name)>\(XMLText.escape(detail.value))</\(detail.name)>"
        }
        xml += "<RequestId>\(XMLText.escape(requestID))</RequestId></Error>"
        return xml
    }
}

/// Text made safe for XML element content and attribute values.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // XML parsers turn a raw CR into LF; a reference keeps it.
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
