import VerdictCrypto

/// What a successfully verified presigned request proves.
public struct VerifiedPresignedRequest: Sendable, Hashable {
    public var accessKeyID: String
    /// The request path, percent-decoded (still including any mount prefix and, for
    /// path-style URLs, the bucket).
    public var path: String
    public var signedAt: AmzDate
    public var expiresAt: AmzDate
    public var signedHeaders: [String]
    public var sessionToken: String?
}

/// Checks SigV4 query-string (presigned URL) authentication the way S3 does, so an
/// S3-compatible endpoint accepts exactly what botocore and `SigV4Presigner` produce.
public struct SigV4Verifier: Sendable {
    public typealias SecretLookup = @Sendable (_ accessKeyID: String) -> String?

    /// The region requests must be scoped to; nil accepts whichever the client chose,
    /// which suits an emulator that clients point at with arbitrary settings.
    public var region: String?
    public var service: String
    /// How far in the future X-Amz-Date may be, for clients whose clocks run ahead.
    public var allowedClockSkew: Int
    let secretForAccessKey: SecretLookup

    public init(
        region: String?, service: String = "s3", allowedClockSkew: Int = 900, secretForAccessKey: @escaping SecretLookup
    ) {
        self.region = region
        self.service = service
        self.allowedClockSkew = allowedClockSkew
        self.secretForAccessKey = secretForAccessKey
    }

    /// - Parameter secrets: secret access keys by access key id.
    public init(region: String?, service: String = "s3", allowedClockSkew: Int = 900, secrets: [String: String]) {
        self.init(region: region, service: service, allowedClockSkew: allowedClockSkew) { secrets[$0] }
    }

    public func verify(_ request: IncomingS3Request, now: AmzDate = .now()) throws(S3Error) -> VerifiedPresignedRequest {
        let auth = try QueryAuthorization(rawQuery: request.rawQuery)
        if let region, auth.scope.region != region {
            throw S3Error(
                .authorizationQueryParametersError,
                "Error parsing the X-Amz-Credential parameter; the region '\(auth.scope.region)' is wrong; expecting '\(region)'",
                details: [.init("Region", region)])
        }
        guard auth.scope.service == service else {
            throw S3Error(
                .authorizationQueryParametersError,
                "Error parsing the X-Amz-Credential parameter; incorrect service \"\(auth.scope.service)\". This endpoint belongs to \"\(service)\"."
            )
        }

        let expiresAt = auth.date.adding(seconds: auth.expires)
        guard now <= expiresAt else {
            throw S3Error(
                .accessDenied, "Request has expired",
                details: [
                    .init("X-Amz-Expires", String(auth.expires)),
                    .init("Expires", expiresAt.iso8601Extended),
                    .init("ServerTime", now.iso8601Extended),
                ])
        }
        guard auth.date <= now.adding(seconds: allowedClockSkew) else {
            throw S3Error(.accessDenied, "Request is not valid yet")
        }

        guard let secret = secretForAccessKey(auth.accessKeyID) else {
            throw S3Error(
                .invalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.",
                details: [.init("AWSAccessKeyId", auth.accessKeyID)])
        }

        let decodedPath = PercentEncoding.decode(request.rawPath)
        // Re-encoding the decoded path gives the canonical form whichever optional escapes
        // the client used, exactly as the signer computed it from the key.
        let canonicalRequest = SigV4Signature.canonicalRequest(
            method: request.method,
            canonicalURI: PercentEncoding.encode(decodedPath, keepingSlash: true),
            canonicalQuery: auth.canonicalQuery,
            headers: auth.signedHeaders.map { ($0, headerValue($0, in: request)) })
        let stringToSign = SigV4Signature.stringToSign(
            date: auth.date, scope: auth.scope, canonicalRequest: canonicalRequest)
        let expected = SigV4Signature.signature(secretAccessKey: secret, scope: auth.scope, stringToSign: stringToSign)
        guard Crypto.constantTimeEqual(Array(expected.utf8), Array(auth.signature.utf8)) else {
            throw S3Error(
                .signatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                details: [
                    .init("AWSAccessKeyId", auth.accessKeyID),
                    .init("StringToSign", stringToSign),
                    .init("SignatureProvided", auth.signature),
                    .init("CanonicalRequest", canonicalRequest),
                ])
        }

        return VerifiedPresignedRequest(
            accessKeyID: auth.accessKeyID, path: String(decoding: decodedPath, as: UTF8.self),
            signedAt: auth.date, expiresAt: expiresAt, signedHeaders: auth.signedHeaders,
            sessionToken: auth.securityToken)
    }

    /// Repeated headers are signed as one comma-joined value, in the order received.
    func headerValue(_ name: String, in request: IncomingS3Request) -> String {
        let values = request.headers.filter { $0.name.lowercased() == name }.map {
            SigV4Signature.canonicalHeaderValue($0.value)
        }
        let joined = values.joined(separator: ",")
        return name == "host" ? Self.canonicalHost(joined, scheme: request.scheme.lowercased()) : joined
    }

    /// Signers derive Host from the URL: lower-cased and without a default port, while
    /// HTTP clients may send the URL's spelling (`Example.com:80`) unchanged.
    static func canonicalHost(_ value: String, scheme: String) -> String {
        let host = value.lowercased()
        guard let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") else { return host }
        let name = host[..<colon]
        guard name.hasPrefix("[") || !name.contains(":") else { return host }
        let portText = host[host.index(after: colon)...]
        guard let port = Int(portText), portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return host }
        return S3Endpoint.hostHeader(hostName: String(name), port: port, scheme: scheme)
    }
}
