import VerdictJSON

/// Where S3 (or an S3-compatible server) listens: `scheme://host[:port][/prefix]`,
/// without the bucket, which `S3AddressingStyle` places.
public struct S3Endpoint: Sendable, Hashable {
    /// `http` or `https`, lower-cased.
    public let scheme: String
    /// `host[:port]` exactly as given: botocore copies it into URLs verbatim, case and
    /// explicit default port included.
    public let authority: String
    /// Lower-cased host name; IPv6 literals keep their brackets.
    public let hostName: String
    public let port: Int?
    /// Path the server is mounted under (e.g. `/_s3`), without a trailing slash; empty for root.
    public let pathPrefix: String

    public init(_ url: String) throws(SigV4PresignError) {
        let invalid = SigV4PresignError.invalidEndpoint(url)
        guard let schemeEnd = url.rangeOfText("://") else { throw invalid }
        scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw invalid }
        let rest = url[schemeEnd.upperBound...]
        // Userinfo, queries and fragments have no place in an endpoint and would
        // change what the host or path means.
        guard !rest.contains(where: { "@?#".contains($0) }) else { throw invalid }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        authority = String(rest[..<authorityEnd])

        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid }
            hostName = authority[...close].lowercased()
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            hostName = authority[..<colon].lowercased()
            portText = authority[authority.index(after: colon)...]
        } else {
            hostName = authority.lowercased()
            portText = nil
        }
        guard !hostName.isEmpty, hostName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            hostName.hasPrefix("[") || !hostName.contains(where: { ":[]".contains($0) })
        else { throw invalid }
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let number = Int(portText), number <= 65535
            else { throw invalid }
            port = number
        } else {
            port = nil
        }

        // botocore joins the prefix in two slightly different ways for the two addressing
        // styles; they agree as long as segments are plain, so only plain ones are accepted.
        var path = rest[authorityEnd...]
        if path.hasSuffix("/") { path = path.dropLast() }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard !segment.isEmpty, segment != ".", segment != "..",
                segment.utf8.allSatisfy(PercentEncoding.isUnreserved)
            else { throw invalid }
        }
        pathPrefix = String(path)
    }

    /// The value a client sends (and signs) as `Host`: lower-cased, without a default port.
    public var hostHeader: String {
        Self.hostHeader(hostName: hostName, port: port, scheme: scheme)
    }

    static func hostHeader(hostName: String, port: Int?, scheme: String) -> String {
        guard let port, port != defaultPort(scheme) else { return hostName }
        return "\(hostName):\(port)"
    }

    static func defaultPort(_ scheme: String) -> Int? {
        switch scheme {
        case "http": 80
        case "https": 443
        default: nil
        }
    }

    var isIPAddress: Bool {
        hostName.hasPrefix("[") || BucketName.looksLikeIPv4(hostName)
    }
}
