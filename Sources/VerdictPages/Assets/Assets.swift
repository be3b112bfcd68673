import VerdictCrypto
import VerdictHTML
import VerdictHTTP

/// The stylesheet and the script, served under names that carry a hash of their content: a
/// page names the current ones, browsers keep them for a year, and a new build's pages name
/// new files instead of waiting for caches to expire.
public enum Assets {
    public struct Asset: Sendable {
        public let name: String
        public let contentType: String
        public let bytes: [UInt8]

        init(base: String, ext: String, contentType: String, text: String) {
            bytes = Array(text.utf8)
            name = "\(base).\(Crypto.hex(Crypto.sha256(bytes)).prefix(12)).\(ext)"
            self.contentType = contentType
        }

        public var path: String { "/assets/\(name)" }
    }

    public static let stylesheet = Asset(
        base: "verdict", ext: "css", contentType: "text/css; charset=utf-8", text: Stylesheet.text + ChartStyle.css + TrendChart.css)
    public static let script = Asset(base: "verdict", ext: "js", contentType: "text/javascript; charset=utf-8", text: Script.text)
    static let all = [stylesheet, script]

    public static func named(_ name: String) -> Asset? { all.first { $0.name == name } }
}

/// `GET /assets/{name}`: the dashboard's stylesheet and script, by their content-hashed names.
public struct ServeAsset: Endpoint {
    public typealias Access = Anyone

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        guard let asset = Assets.named(try request.requiredPathParameter("name")) else {
            return HTTPResponse(
                status: 404, headers: [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")],
                body: Array("no such asset (names change with every build; reload the page)".utf8))
        }
        return HTTPResponse(
            status: 200,
            headers: [
                ("content-type", asset.contentType), ("cache-control", "public, max-age=31536000, immutable"),
                ("x-content-type-options", "nosniff"),
            ], body: asset.bytes)
    }
}
