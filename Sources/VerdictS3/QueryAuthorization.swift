/// The SigV4 parameters of a presigned URL, parsed and checked for shape only; whether
/// they are current and genuine is `SigV4Verifier`'s call.
struct QueryAuthorization {
    var accessKeyID: String
    var scope: SigV4Signature.Scope
    var date: AmzDate
    var expires: Int
    var signedHeaders: [String]
    var signature: String
    var securityToken: String?
    /// Every parameter except the signature, in SigV4 canonical form.
    var canonicalQuery: String

    static let required = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires",
    ]
    static let securityTokenParameter = "X-Amz-Security-Token"

    init(rawQuery: String) throws(S3Error) {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for item in rawQuery.split(separator: "&") {
            let equals = item.firstIndex(of: "=")
            let name = PercentEncoding.decode(item[..<(equals ?? item.endIndex)])
            let value = equals.map { PercentEncoding.decode(item[item.index(after: $0)...]) } ?? []
            pairs.append((name, value))
        }

        var auth: [String: String] = [:]
        for pair in pairs {
            let name = String(decoding: pair.name, as: UTF8.self)
            guard Self.required.contains(name) || name == Self.securityTokenParameter else { continue }
            // Two values for one parameter leave it ambiguous which one was meant.
            guard auth[name] == nil else {
                throw Self.malformed("Query-string authentication version 4 requires exactly one \(name) parameter.")
            }
            auth[name] = String(decoding: pair.value, as: UTF8.self)
        }
        guard let algorithm = auth["X-Amz-Algorithm"], let credential = auth["X-Amz-Credential"],
            let signature = auth["X-Amz-Signature"], let dateText = auth["X-Amz-Date"],
            let signedHeaders = auth["X-Amz-SignedHeaders"], let expiresText = auth["X-Amz-Expires"]
        else {
            throw Self.malformed(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
            )
        }

        guard algorithm == SigV4Signature.algorithm else {
            throw Self.malformed("X-Amz-Algorithm only supports \"\(SigV4Signature.algorithm)\"")
        }
        guard let date = AmzDate(iso8601Basic: dateText) else {
            throw Self.malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        self.date = date
        self.expires = try Self.parseExpires(expiresText)

        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty else {
            throw Self.malformed(
                "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
            )
        }
        guard parts[1] == date.dateStamp else {
            throw Self.malformed(
                "Error parsing the X-Amz-Credential parameter; incorrect date \"\(parts[1])\". It must match the date in X-Amz-Date, \"\(date.dateStamp)\"."
            )
        }
        guard parts[4] == SigV4Signature.terminator else {
            throw Self.malformed(
                "Error parsing the X-Amz-Credential parameter; incorrect terminal \"\(parts[4])\". This endpoint uses \"\(SigV4Signature.terminator)\"."
            )
        }
        accessKeyID = parts[0]
        scope = SigV4Signature.Scope(dateStamp: parts[1], region: parts[2], service: parts[3])

        self.signedHeaders = signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard self.signedHeaders.allSatisfy({ HTTPToken.isValid($0) && $0.lowercased() == $0 }) else {
            throw Self.malformed("X-Amz-SignedHeaders must be a ';'-separated list of lower-case header names.")
        }
        // Without Host in the signature a URL could be replayed against any bucket that
        // shares the path.
        guard self.signedHeaders.contains("host") else {
            throw Self.malformed("X-Amz-SignedHeaders must include the host header.")
        }

        self.signature = signature
        securityToken = auth[Self.securityTokenParameter]
        canonicalQuery = SigV4Signature.canonicalQuery(pairs.filter { $0.name != Array("X-Amz-Signature".utf8) })
    }

    private static func parseExpires(_ text: String) throws(S3Error) -> Int {
        let isDigits = { (s: Substring) in !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        if text.hasPrefix("-"), isDigits(text.dropFirst()) {
            throw malformed("X-Amz-Expires must be non-negative")
        }
        guard isDigits(text[...]) else { throw malformed("X-Amz-Expires should be a number") }
        let seconds = Int(text) ?? Int.max
        guard seconds <= SigV4Presigner.maximumExpiry else {
            throw malformed(
                "X-Amz-Expires must be less than a week (in seconds) that is; \(SigV4Presigner.maximumExpiry)")
        }
        return seconds
    }

    static func malformed(_ message: String) -> S3Error {
        S3Error(.authorizationQueryParametersError, message)
    }
}
