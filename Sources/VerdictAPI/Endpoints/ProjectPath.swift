import HTTPContract
import VerdictCore
import VerdictHTTP

extension HTTPRequest {
    /// The project a `/projects/{project}` route names, by id or name.
    public func projectReference() throws(APIError) -> String { try requiredPathParameter("project") }
}

extension InvocationContext where Access == Viewer {
    /// The project the route's `{project}` names, if the caller may see it.
    public func pathProject(_ request: HTTPRequest) throws -> ProjectID {
        try ProjectReference(db: try database()).resolve(try request.projectReference(), as: access)
    }
}

extension InvocationContext where Access == TeamAccess {
    /// The caller's team's project the route's `{project}` names.
    public func pathProject(_ request: HTTPRequest) throws -> ProjectID {
        try ProjectReference(db: try database()).resolve(try request.projectReference(), for: access)
    }
}
