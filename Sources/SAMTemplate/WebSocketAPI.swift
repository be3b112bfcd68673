import Yams

/// An API Gateway WebSocket API as the template declares it (`AWS::ApiGatewayV2::Api` with
/// `ProtocolType: WEBSOCKET`), reduced to what routing a message needs: which function each
/// route key reaches, and how a message picks its route key.
public struct WebSocketAPIDefinition: Sendable, Equatable {
    public var logicalID: String
    /// `RouteSelectionExpression`, e.g. `$request.body.action`.
    public var routeSelectionExpression: String
    /// Function logical ids by route key (`$connect`, `$disconnect`, `$default`, `echo`, …).
    public var routes: [String: String]
    /// The first `AWS::ApiGatewayV2::Stage` of the API, else `$default`.
    public var stageName: String

    public init(logicalID: String, routeSelectionExpression: String, routes: [String: String], stageName: String = "$default") {
        self.logicalID = logicalID
        self.routeSelectionExpression = routeSelectionExpression
        self.routes = routes
        self.stageName = stageName
    }

    public func function(forRoute routeKey: String) -> String? { routes[routeKey] }

    /// The JSON member path of a `$request.body.a.b` expression (`["a", "b"]`); nil for a
    /// constant expression, which sends every message to `$default`.
    public var bodyPath: [String]? {
        let prefix = "$request.body."
        guard routeSelectionExpression.hasPrefix(prefix) else { return nil }
        let path = routeSelectionExpression.dropFirst(prefix.count).split(separator: ".").map(String.init)
        return path.isEmpty ? nil : path
    }
}

extension Template {
    /// The WebSocket API with this logical id, or the only one when nil.
    public func webSocketAPI(named logicalID: String? = nil) -> WebSocketAPIDefinition? {
        guard let logicalID else { return webSocketAPIs.count == 1 ? webSocketAPIs[0] : nil }
        return webSocketAPIs.first { $0.logicalID == logicalID }
    }

    /// Joins Api, Route and Integration resources into route → function. Stages, deployments
    /// and Lambda permissions only matter on AWS (cfn-lint wants them) and are read for the
    /// stage name at most.
    static func parseWebSocketAPIs(resources allResources: Node.Mapping, functions: [FunctionDefinition], resolver: IntrinsicResolver)
        throws
        -> [WebSocketAPIDefinition]
    {
        func resources(ofType type: String) -> [(id: String, properties: Node?)] {
            allResources.compactMap { key, value in
                guard value["Type"]?.string == type, let id = key.string else { return nil }
                return (id, value["Properties"])
            }.sorted { $0.id < $1.id }
        }
        func apiID(_ properties: Node?, of id: String) throws -> String {
            guard let node = properties?["ApiId"] else { throw TemplateError("\(id) has no ApiId") }
            return try resolver.resolve(node, at: "\(id).ApiId")
        }

        var apis: [String: WebSocketAPIDefinition] = [:]
        for (id, properties) in resources(ofType: "AWS::ApiGatewayV2::Api") {
            guard properties?["ProtocolType"]?.string == "WEBSOCKET" else { continue }
            guard let expression = properties?["RouteSelectionExpression"]?.string, !expression.isEmpty else {
                throw TemplateError("\(id) is a WebSocket API without a RouteSelectionExpression")
            }
            guard expression.hasPrefix("$request.body.") || !expression.contains("$request") else {
                throw TemplateError(
                    "\(id).RouteSelectionExpression \(expression) is not $request.body.<member>, which the emulator evaluates")
            }
            apis[id] = WebSocketAPIDefinition(logicalID: id, routeSelectionExpression: expression, routes: [:])
        }
        guard !apis.isEmpty else { return [] }

        var integrationFunctions: [String: String] = [:]
        for (id, properties) in resources(ofType: "AWS::ApiGatewayV2::Integration") {
            guard apis[try apiID(properties, of: id)] != nil else { continue }
            let type = properties?["IntegrationType"]?.string ?? ""
            guard type == "AWS_PROXY" else {
                throw TemplateError(
                    "\(id) has IntegrationType \(type.isEmpty ? "(none)" : type); the emulator serves AWS_PROXY (Lambda) only")
            }
            guard let uriNode = properties?["IntegrationUri"] else { throw TemplateError("\(id) has no IntegrationUri") }
            let uri = try resolver.resolve(uriNode, at: "\(id).IntegrationUri")
            guard let name = lambdaFunctionName(inIntegrationURI: uri),
                let function = functions.first(where: { $0.logicalID == name || $0.functionName == name })
            else {
                throw TemplateError("\(id).IntegrationUri \(uri) names no function of the template")
            }
            integrationFunctions[id] = function.logicalID
        }

        for (id, properties) in resources(ofType: "AWS::ApiGatewayV2::Route") {
            let api = try apiID(properties, of: id)
            guard apis[api] != nil else { continue }
            guard let routeKey = properties?["RouteKey"]?.string, !routeKey.isEmpty else { throw TemplateError("\(id) has no RouteKey") }
            guard let targetNode = properties?["Target"] else {
                throw TemplateError("\(id) (route \(routeKey)) has no Target: the emulator has nothing to invoke")
            }
            let target = try resolver.resolve(targetNode, at: "\(id).Target")
            let prefix = "integrations/"
            guard target.hasPrefix(prefix), let function = integrationFunctions[String(target.dropFirst(prefix.count))] else {
                throw TemplateError("\(id).Target \(target) is not integrations/<an AWS_PROXY integration of \(api)>")
            }
            if let other = apis[api]!.routes[routeKey] {
                throw TemplateError("\(api) declares route \(routeKey) twice (\(other) and \(function))")
            }
            apis[api]!.routes[routeKey] = function
        }

        for (id, properties) in resources(ofType: "AWS::ApiGatewayV2::Stage") {
            let api = try apiID(properties, of: id)
            guard apis[api]?.stageName == "$default", let name = properties?["StageName"] else { continue }
            apis[api]!.stageName = try resolver.resolve(name, at: "\(id).StageName")
        }
        return apis.values.sorted { $0.logicalID < $1.logicalID }
    }

    /// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`
    /// → the function's name (the ARN's seventh field), or a bare function ARN's.
    static func lambdaFunctionName(inIntegrationURI uri: String) -> String? {
        var arn = Substring(uri)
        if let functions = uri.range(of: "/functions/") {
            arn = uri[functions.upperBound...]
            if let end = arn.range(of: "/invocations") { arn = arn[..<end.lowerBound] }
        }
        let fields = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 7, fields[2] == "lambda", fields[5] == "function", !fields[6].isEmpty else { return nil }
        return String(fields[6])
    }
}
