import HTTPContract
import VerdictCore
import VerdictHTML
import VerdictHTTP
import VerdictJSON

/// A rendered page before it becomes a response: what goes in the shell around it.
public struct HTMLPage: Sendable {
    public var title: String
    /// Where the page sits, outermost first; the last crumb is the page itself.
    public var crumbs: [(label: String, href: URLPath?)]
    public var body: HTML
    /// What the script needs to follow the page live (see Script.swift), when it should.
    public var live: JSON?
    public var status: Int

    public init(title: String, crumbs: [(label: String, href: URLPath?)] = [], body: HTML, live: JSON? = nil, status: Int = 200) {
        self.title = title
        self.crumbs = crumbs
        self.body = body
        self.live = live
        self.status = status
    }

    /// Pages are dynamic, framed by nobody, and load script and style only from their own
    /// origin; images and videos may come from the bucket's presigned URLs.
    static let securityHeaders: [(name: String, value: String)] = [
        ("content-type", "text/html; charset=utf-8"), ("cache-control", "no-store"), ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self'; script-src 'self'; "
                + "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
    ]

    public var response: HTTPResponse {
        var html = HTML(reservingCapacity: body.count + 4096)
        html.append(
            """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(title) · Verdict</title>
            <link rel="stylesheet" href="\(URLPath("/assets/\(Assets.stylesheet.name)"))">
            <script src="\(URLPath("/assets/\(Assets.script.name)"))" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top"><a class="brand" href="/">Verdict</a>\
            <nav aria-label="Site"><a href="/">Projects</a><a href="/api/v1/openapi.json">API</a></nav></header>
            <main id="main">
            """)
        if crumbs.count > 1 {
            html.append("<nav class=\"crumbs\" aria-label=\"Breadcrumb\">")
            for crumb in crumbs.dropLast() {
                if let href = crumb.href {
                    html.append("<a href=\"\(href)\">\(crumb.label)</a>")
                } else {
                    html.append("<span>\(crumb.label)</span>")
                }
            }
            html.append("</nav>")
        }
        html.append(body)
        html.append("</main>\n<footer>Verdict \(VerdictVersion.current)</footer>\n")
        if let live { html.append("<script type=\"application/json\" id=\"live-config\">\(json: live)</script>\n") }
        html.append("</body>\n</html>\n")
        return HTTPResponse(status: status, headers: Self.securityHeaders, body: html.bytes)
    }
}

/// A page of the dashboard: rendered for the viewer from the same core services as the JSON API.
public protocol PageRenderer {
    func render(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTMLPage
}

/// Runs a `PageRenderer` as an endpoint. A failure is a page too: an unknown (or hidden) id is
/// the 404 page, a bad filter a 400 page that says which, and a fault of Verdict's own an error
/// page with the request id and never a stack trace.
public struct PageEndpoint<Renderer: PageRenderer>: Endpoint {
    public typealias Access = Reader

    let renderer: Renderer

    public init(_ renderer: Renderer) { self.renderer = renderer }

    public func handle(_ request: HTTPRequest, context: InvocationContext<Viewer>) async throws -> HTTPResponse {
        do {
            return try await renderer.render(request, context: context).response
        } catch {
            let apiError = APIError.answering(error)
            if apiError.status >= 500 {
                context.logger.error("page failed", metadata: ["error": "\(error)", "code": "\(apiError.code.rawValue)"])
            }
            return ErrorPage(apiError, requestID: context.requestID).page.response
        }
    }
}

/// The page for a failed request.
struct ErrorPage {
    let error: APIError
    let requestID: String

    init(_ error: APIError, requestID: String) {
        self.error = error
        self.requestID = requestID
    }

    var page: HTMLPage {
        switch error.status {
        case 404:
            return HTMLPage(
                title: "Not found",
                body: """
                    <h1>Not found</h1>
                    <p>There is nothing here, or it belongs to a project you cannot see.</p>
                    <p><a href="/">All projects</a></p>
                    """, status: 404)
        case 400..<500:
            return HTMLPage(
                title: "Cannot show this",
                body: """
                    <h1>Cannot show this</h1>
                    <p>\(error.message)</p>
                    <p><a href="/">All projects</a></p>
                    """, status: error.status)
        default:
            return HTMLPage(
                title: "Something went wrong",
                body: """
                    <h1>Something went wrong</h1>
                    <p>Verdict could not show this page. It has been logged as request <code>\(requestID)</code>; \
                    trying again in a moment often helps.</p>
                    <p><a href="/">All projects</a></p>
                    """, status: error.status)
        }
    }
}
