import VerdictJSON
import VerdictCrypto

/// SigV4 with the `Authorization` header, as AWS SDKs sign calls to services other than S3
/// (API Gateway's `@connections` management API among them): the body is hashed into the
/// signature, and the canonical URI is the request path percent-encoded once more, which is
/// botocore's `SigV4Auth` (S3 alone skips that second encoding).
public struct SigV4RequestSigner: Sendable, Hashable {
    public var credentials: SigV4Credentials
    public var region: String
    public var service: String

    public init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request for `url` so that it is signed: `X-Amz-Date`, the
    /// session token when the credentials have one, and `Authorization`. `headers` are signed
    /// too and must be sent exactly as given; `Host` is derived from the URL, as signers do.
    public func authorizationHeaders(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8], signedAt date: AmzDate = .now()
    ) throws(SigV4PresignError) -> [(name: String, value: String)] {
        guard let parts = RequestURL(url) else { throw .invalidEndpoint(url) }
        var added: [(name: String, value: String)] = [("X-Amz-Date", date.iso8601Basic)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }

        var signed: [String: String] = ["host": SigV4Verifier.canonicalHost(parts.authority, scheme: parts.scheme)]
        for (name, value) in headers + added {
            let lower = name.lowercased()
            guard lower != "host", lower != "authorization", HTTPToken.isValid(lower), signed[lower] == nil else {
                throw .invalidHeader(name)
            }
            signed[lower] = SigV4Signature.canonicalHeaderValue(value)
        }
        let ordered = signed.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { (name: $0.key, value: $0.value) }
        let scope = SigV4Signature.Scope(dateStamp: date.dateStamp, region: region, service: service)
        let canonicalRequest = SigV4Signature.canonicalRequest(
            method: method, canonicalURI: SigV4Verifier.canonicalURI(rawPath: parts.path, service: service),
            canonicalQuery: SigV4Verifier.canonicalQuery(rawQuery: parts.query), headers: ordered,
            payloadHash: Crypto.hex(Crypto.sha256(body)))
        let stringToSign = SigV4Signature.stringToSign(date: date, scope: scope, canonicalRequest: canonicalRequest)
        let signature = SigV4Signature.signature(secretAccessKey: credentials.secretAccessKey, scope: scope, stringToSign: stringToSign)
        added.append(
            (
                "Authorization",
                "\(SigV4Signature.algorithm) Credential=\(credentials.accessKeyID)/\(scope.text), "
                    + "SignedHeaders=\(ordered.map(\.name).joined(separator: ";")), Signature=\(signature)"
            ))
        return added
    }

    /// `scheme://authority/path?query`, split without decoding anything: the signature covers
    /// the bytes that go on the wire.
    struct RequestURL {
        var scheme: String
        var authority: String
        var path: String
        var query: String

        init?(_ url: String) {
            guard let schemeEnd = url.rangeOfText("://") else { return nil }
            scheme = url[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            let rest = url[schemeEnd.upperBound...]
            let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            authority = String(rest[..<pathStart])
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
            let target = rest[pathStart...]
            let question = target.firstIndex(of: "?")
            path = String(target[..<(question ?? target.endIndex)])
            if path.isEmpty { path = "/" }
            query = question.map { String(target[target.index(after: $0)...]) } ?? ""
        }
    }
}

extension SigV4Verifier {
    /// Verifies a request to a non-S3 service (`service` other than s3): signed with the
    /// `Authorization` header, or presigned in the query, either way over the body's SHA-256.
    /// Header-signed requests are accepted within `allowedClockSkew` of their `X-Amz-Date`,
    /// either side, as AWS does.
    public func verifyServiceRequest(_ request: IncomingS3Request, body: [UInt8], now: AmzDate = .now()) throws(S3Error)
        -> VerifiedPresignedRequest
    {
        let authorization = request.headers.first { $0.name.lowercased() == "authorization" }?.value
        let parsed: HeaderAuthorization
        if let authorization {
            parsed = try HeaderAuthorization(authorization: authorization, request: request)
        } else if request.rawQuery.containsText("X-Amz-Signature=") {
            let query = try QueryAuthorization(rawQuery: request.rawQuery)
            parsed = HeaderAuthorization(
                accessKeyID: query.accessKeyID, scope: query.scope, date: query.date, signedHeaders: query.signedHeaders,
                signature: query.signature, canonicalQuery: query.canonicalQuery, expiresAt: query.date.adding(seconds: query.expires),
                securityToken: query.securityToken)
        } else {
            throw S3Error(.accessDenied, "Missing Authentication Token")
        }

        if let region, parsed.scope.region != region {
            throw S3Error(.signatureDoesNotMatch, "Credential should be scoped to a valid region, not '\(parsed.scope.region)'.")
        }
        guard parsed.scope.service == service else {
            throw S3Error(.signatureDoesNotMatch, "Credential should be scoped to correct service: '\(service)'.")
        }
        let expiresAt = parsed.expiresAt ?? parsed.date.adding(seconds: allowedClockSkew)
        guard now <= expiresAt else {
            throw S3Error(
                .accessDenied,
                "Signature expired: \(parsed.date.iso8601Basic) is now earlier than \(now.adding(seconds: -allowedClockSkew).iso8601Basic)")
        }
        guard parsed.date <= now.adding(seconds: allowedClockSkew) else {
            throw S3Error(.accessDenied, "Signature not yet current: \(parsed.date.iso8601Basic) is still later than \(now.iso8601Basic)")
        }
        guard let secret = secretForAccessKey(parsed.accessKeyID) else {
            throw S3Error(.invalidAccessKeyId, "The security token included in the request is invalid.")
        }

        let payloadHash =
            request.headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value ?? Crypto.hex(Crypto.sha256(body))
        let canonicalRequest = SigV4Signature.canonicalRequest(
            method: request.method, canonicalURI: Self.canonicalURI(rawPath: request.rawPath, service: service),
            canonicalQuery: parsed.canonicalQuery, headers: parsed.signedHeaders.map { ($0, headerValue($0, in: request)) },
            payloadHash: payloadHash)
        let stringToSign = SigV4Signature.stringToSign(date: parsed.date, scope: parsed.scope, canonicalRequest: canonicalRequest)
        let expected = SigV4Signature.signature(secretAccessKey: secret, scope: parsed.scope, stringToSign: stringToSign)
        guard Crypto.constantTimeEqual(Array(expected.utf8), Array(parsed.signature.utf8)) else {
            throw S3Error(
                .signatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
                details: [.init("CanonicalRequest", canonicalRequest), .init("StringToSign", stringToSign)])
        }
        return VerifiedPresignedRequest(
            accessKeyID: parsed.accessKeyID, path: String(decoding: PercentEncoding.decode(request.rawPath), as: UTF8.self),
            signedAt: parsed.date, expiresAt: expiresAt, signedHeaders: parsed.signedHeaders, sessionToken: parsed.securityToken)
    }

    /// S3 signs the path as the key reads (decoded, encoded once); every other service signs
    /// the path as sent, encoded again.
    static func canonicalURI(rawPath: String, service: String) -> String {
        let path = rawPath.isEmpty ? "/" : rawPath
        if service == "s3" { return PercentEncoding.encode(PercentEncoding.decode(path), keepingSlash: true) }
        return PercentEncoding.encode(path, keepingSlash: true)
    }

    /// Every query parameter, decoded and re-encoded in SigV4's sorted form.
    static func canonicalQuery(rawQuery: String) -> String {
        SigV4Signature.canonicalQuery(
            rawQuery.split(separator: "&").map { item in
                let equals = item.firstIndex(of: "=")
                return (
                    PercentEncoding.decode(item[..<(equals ?? item.endIndex)]),
                    equals.map { PercentEncoding.decode(item[item.index(after: $0)...]) } ?? []
                )
            })
    }
}

/// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` with the
/// request's `X-Amz-Date`, parsed for shape only.
struct HeaderAuthorization {
    var accessKeyID: String
    var scope: SigV4Signature.Scope
    var date: AmzDate
    var signedHeaders: [String]
    var signature: String
    var canonicalQuery: String
    /// Presigned requests carry their own expiry; header-signed ones live within the skew.
    var expiresAt: AmzDate?
    var securityToken: String?

    init(
        accessKeyID: String, scope: SigV4Signature.Scope, date: AmzDate, signedHeaders: [String], signature: String,
        canonicalQuery: String, expiresAt: AmzDate?, securityToken: String?
    ) {
        self.accessKeyID = accessKeyID
        self.scope = scope
        self.date = date
        self.signedHeaders = signedHeaders
        self.signature = signature
        self.canonicalQuery = canonicalQuery
        self.expiresAt = expiresAt
        self.securityToken = securityToken
    }

    init(authorization: String, request: IncomingS3Request) throws(S3Error) {
        func malformed(_ why: String) -> S3Error { S3Error(.accessDenied, "Authorization header requires \(why).") }
        let prefix = SigV4Signature.algorithm + " "
        guard authorization.hasPrefix(prefix) else { throw malformed("the \(SigV4Signature.algorithm) algorithm") }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(prefix.count).split(separator: ",") {
            let trimmed = part.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...]).trimmingTrailingSpaces()
        }
        guard let credential = fields["Credential"] else { throw malformed("'Credential' parameter") }
        guard let signedHeaders = fields["SignedHeaders"] else { throw malformed("'SignedHeaders' parameter") }
        guard let signature = fields["Signature"] else { throw malformed("'Signature' parameter") }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty, parts[4] == SigV4Signature.terminator else {
            throw malformed("a Credential of the form <access key>/<date>/<region>/<service>/aws4_request")
        }
        guard let dateText = request.headers.first(where: { $0.name.lowercased() == "x-amz-date" })?.value,
            let date = AmzDate(iso8601Basic: dateText)
        else { throw malformed("an X-Amz-Date header") }
        guard parts[1] == date.dateStamp else {
            throw S3Error(.signatureDoesNotMatch, "Credential should be scoped to a valid date: '\(date.dateStamp)', not '\(parts[1])'.")
        }
        let names = signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy({ HTTPToken.isValid($0) && $0.lowercased() == $0 }), names.contains("host"), names.contains("x-amz-date")
        else {
            throw malformed("SignedHeaders to be lower-case names including host and x-amz-date")
        }
        self.init(
            accessKeyID: parts[0], scope: SigV4Signature.Scope(dateStamp: parts[1], region: parts[2], service: parts[3]), date: date,
            signedHeaders: names, signature: signature, canonicalQuery: SigV4Verifier.canonicalQuery(rawQuery: request.rawQuery),
            expiresAt: nil, securityToken: request.headers.first { $0.name.lowercased() == "x-amz-security-token" }?.value)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
