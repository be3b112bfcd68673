import VerdictCrypto

/// The parts of SigV4 that signing and verifying must compute identically; keeping
/// them in one place is what guarantees the verifier accepts what the presigner makes.
enum SigV4Signature {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"
    /// Presigned URLs never cover the body: it does not exist yet when the URL is made.
    static let unsignedPayload = "UNSIGNED-PAYLOAD"

    typealias Header = (name: String, value: String)

    struct Scope: Equatable {
        var dateStamp: String
        var region: String
        var service: String

        var text: String { "\(dateStamp)/\(region)/\(service)/\(SigV4Signature.terminator)" }
    }

    /// Query parameters are signed in their encoded form, sorted by encoded name and then
    /// value; callers pass decoded pairs so both sides encode the same way.
    static func canonicalQuery(_ pairs: [(name: [UInt8], value: [UInt8])]) -> String {
        pairs
            .map { (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value)) }
            .sorted {
                $0.0 != $1.0
                    ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Header values are compared after trimming and collapsing whitespace runs, because
    /// proxies are free to re-space them.
    static func canonicalHeaderValue(_ value: String) -> String {
        // Bytes, not Characters: "\r\n" is a single Character and would escape the comparison.
        let whitespace: [UInt8] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20]
        return value.utf8.split(whereSeparator: whitespace.contains)
            .map { String(decoding: $0, as: UTF8.self) }
            .joined(separator: " ")
    }

    /// `headers` must already be lower-cased and in signed order. `payloadHash` is the body's
    /// hex SHA-256 for services that sign the body (execute-api); S3's presigned URLs never do.
    static func canonicalRequest(
        method: String, canonicalURI: String, canonicalQuery: String, headers: [Header], payloadHash: String = unsignedPayload
    ) -> String {
        let canonicalHeaders = headers.map { "\($0.name):\($0.value)\n" }.joined()
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        return [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(
            separator: "\n")
    }

    static func stringToSign(date: AmzDate, scope: Scope, canonicalRequest: String) -> String {
        [algorithm, date.iso8601Basic, scope.text, Crypto.hex(Crypto.sha256(Array(canonicalRequest.utf8)))].joined(
            separator: "\n")
    }

    static func signature(secretAccessKey: String, scope: Scope, stringToSign: String) -> String {
        var key = Array("AWS4\(secretAccessKey)".utf8)
        for part in [scope.dateStamp, scope.region, scope.service, terminator] {
            key = Crypto.hmacSHA256(key: key, data: Array(part.utf8))
        }
        return Crypto.hex(Crypto.hmacSHA256(key: key, data: Array(stringToSign.utf8)))
    }
}
