import VerdictHTTP

/// `GET /api/v1/openapi.json`: the API's contract, `infra-templates/openapi.yaml` as JSON. It is
/// compiled in (see `make openapi`), so the served copy is always the one this build honours.
public struct GetOpenAPIDocument: Endpoint {
    public typealias Access = Anyone

    let body = Array(OpenAPIDocument.json.utf8)

    public init() {}

    public func handle(_ request: HTTPRequest, context: InvocationContext<Anyone.Granted>) async throws -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("content-type", "application/json"), ("cache-control", "public, max-age=300")], body: body)
    }
}
