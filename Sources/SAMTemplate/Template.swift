import Foundation
import Yams

/// The parts of an AWS SAM template that decide how Verdict runs: its functions, their HTTP
/// routes and schedules, and their settings. The emulator runs exactly what this describes, so
/// local and cloud cannot drift apart.
public struct Template: Sendable {
    public var description: String?
    public var parameters: [String: TemplateParameter]
    public var functions: [FunctionDefinition]
    /// Resolved `AWS::S3::Bucket` names by logical id.
    public var buckets: [String: String]
    /// `AWS::ApiGatewayV2::Api`s with `ProtocolType: WEBSOCKET`, by logical id order.
    public var webSocketAPIs: [WebSocketAPIDefinition] = []

    public func function(named name: String) -> FunctionDefinition? {
        functions.first { $0.logicalID == name || $0.functionName == name }
    }
}

public struct TemplateParameter: Sendable {
    public var name: String
    public var type: String
    public var defaultValue: String?
    public var noEcho: Bool
}

public struct FunctionDefinition: Sendable {
    public var logicalID: String
    /// `FunctionName` when the template sets one, else the logical id.
    public var functionName: String
    public var codeURI: String
    public var handler: String
    public var runtime: String
    public var memoryMB: Int
    public var timeoutSeconds: Int
    public var environment: [String: String]
    /// `ReservedConcurrentExecutions`, which caps how many instances may run at once.
    public var reservedConcurrency: Int?
    public var routes: [RouteDefinition]
    public var schedules: [ScheduleDefinition]
    /// `Metadata.VerdictStartupOrder`: functions invoked once, in this order, when the stack
    /// starts (migrations, seeding) before any traffic is served.
    public var startupOrder: Int?

    /// The SwiftPM executable that implements the function: the last component of `CodeUri`.
    public var executableName: String {
        URL(fileURLWithPath: codeURI).lastPathComponent
    }
}

public struct RouteDefinition: Sendable, Equatable {
    /// Upper-case HTTP method, or `ANY`.
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method.uppercased()
        self.path = path
    }

    public var routeKey: String { "\(method) \(path)" }
}

public struct ScheduleDefinition: Sendable {
    public var name: String
    public var expression: ScheduleExpression
    public var input: String?
    public var enabled: Bool
}

public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "template: \(message)" }
}

extension Template {
    /// Loads a template. `parameters` override the template's parameter defaults, as
    /// `sam deploy --parameter-overrides` does.
    public static func load(path: String, parameters overrides: [String: String] = [:]) throws -> Template {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TemplateError("cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, parameters: overrides)
    }

    public static func parse(_ text: String, parameters overrides: [String: String] = [:]) throws -> Template {
        guard let root = try Yams.compose(yaml: text), let rootMap = root.mapping else {
            throw TemplateError("the document is not a YAML mapping")
        }
        var parameters: [String: TemplateParameter] = [:]
        for (key, value) in rootMap["Parameters"]?.mapping ?? [:] {
            guard let name = key.string else { continue }
            parameters[name] = TemplateParameter(
                name: name, type: value["Type"]?.string ?? "String", defaultValue: value["Default"]?.string,
                noEcho: value["NoEcho"]?.string.map { $0.lowercased() == "true" } ?? false)
        }
        for name in overrides.keys where parameters[name] == nil {
            throw TemplateError("parameter override \(name) names no parameter of the template")
        }
        let resources = rootMap["Resources"]?.mapping ?? [:]
        var resolver = IntrinsicResolver(
            parameters: parameters.mapValues { overrides[$0.name] ?? $0.defaultValue }, resourceNames: [:])

        // Buckets first: functions refer to them by !Ref.
        var buckets: [String: String] = [:]
        for (key, value) in resources where value["Type"]?.string == "AWS::S3::Bucket" {
            guard let id = key.string else { continue }
            let name = try value["Properties"]?["BucketName"].map { try resolver.resolve($0, at: "\(id).BucketName") } ?? id.lowercased()
            buckets[id] = name
            resolver.resourceNames[id] = name
        }
        for (key, value) in resources where value["Type"]?.string != "AWS::S3::Bucket" {
            if let id = key.string { resolver.resourceNames[id] = id }
        }
        for (key, value) in resources {
            if let id = key.string, let type = value["Type"]?.string { resolver.resourceTypes[id] = type }
        }

        let globals = rootMap["Globals"]?["Function"]
        var functions: [FunctionDefinition] = []
        for (key, value) in resources where value["Type"]?.string == "AWS::Serverless::Function" {
            guard let id = key.string else { continue }
            functions.append(try parseFunction(id: id, node: value, globals: globals, resolver: resolver))
        }
        functions.sort { $0.logicalID < $1.logicalID }
        var seenRoutes: [String: String] = [:]
        for function in functions {
            for route in function.routes {
                if let other = seenRoutes[route.routeKey] {
                    throw TemplateError("route \(route.routeKey) is declared by both \(other) and \(function.logicalID)")
                }
                seenRoutes[route.routeKey] = function.logicalID
            }
        }
        let webSocketAPIs = try parseWebSocketAPIs(resources: resources, functions: functions, resolver: resolver)
        return Template(
            description: rootMap["Description"]?.string, parameters: parameters, functions: functions, buckets: buckets,
            webSocketAPIs: webSocketAPIs)
    }

    static func parseFunction(id: String, node: Node, globals: Node?, resolver: IntrinsicResolver) throws -> FunctionDefinition {
        let properties = node["Properties"]
        func setting(_ name: String) -> Node? { properties?[name] ?? globals?[name] }
        func int(_ name: String, default value: Int) throws -> Int {
            guard let node = setting(name) else { return value }
            guard let text = node.string, let number = Int(text) else { throw TemplateError("\(id).\(name) must be a number") }
            return number
        }
        guard let codeURINode = properties?["CodeUri"] ?? globals?["CodeUri"] else {
            throw TemplateError("\(id) has no CodeUri")
        }
        var environment: [String: String] = [:]
        for source in [globals?["Environment"]?["Variables"], properties?["Environment"]?["Variables"]] {
            for (key, value) in source?.mapping ?? [:] {
                guard let name = key.string else { continue }
                environment[name] = try resolver.resolve(value, at: "\(id).Environment.\(name)")
            }
        }
        var routes: [RouteDefinition] = []
        var schedules: [ScheduleDefinition] = []
        for (key, event) in properties?["Events"]?.mapping ?? [:] {
            let eventName = key.string ?? "?"
            let eventProperties = event["Properties"]
            switch event["Type"]?.string {
            case "HttpApi":
                let path = eventProperties?["Path"]?.string ?? "$default"
                let method = eventProperties?["Method"]?.string ?? "ANY"
                if path != "$default" {
                    try RoutePattern.validate(path)
                }
                routes.append(RouteDefinition(method: method == "*" ? "ANY" : method, path: path))
            case "Schedule", "ScheduleV2":
                guard let expressionText = eventProperties?["Schedule"]?.string ?? eventProperties?["ScheduleExpression"]?.string else {
                    throw TemplateError("\(id).Events.\(eventName) has no schedule expression")
                }
                let expression: ScheduleExpression
                do {
                    expression = try ScheduleExpression(expressionText)
                } catch {
                    throw TemplateError("\(id).Events.\(eventName): \(error)")
                }
                let enabled: Bool
                if let state = eventProperties?["State"]?.string {
                    enabled = state.uppercased() == "ENABLED"
                } else {
                    enabled = eventProperties?["Enabled"]?.string.map { $0.lowercased() != "false" } ?? true
                }
                schedules.append(
                    ScheduleDefinition(
                        name: "\(id).\(eventName)", expression: expression, input: eventProperties?["Input"]?.string, enabled: enabled))
            case let other:
                throw TemplateError("\(id).Events.\(eventName) has event type \(other ?? "(none)"), which Verdict does not use")
            }
        }
        routes.sort { $0.routeKey < $1.routeKey }
        schedules.sort { $0.name < $1.name }
        return FunctionDefinition(
            logicalID: id,
            functionName: try properties?["FunctionName"].map { try resolver.resolve($0, at: "\(id).FunctionName") } ?? id,
            codeURI: try resolver.resolve(codeURINode, at: "\(id).CodeUri"),
            handler: setting("Handler")?.string ?? "bootstrap",
            runtime: setting("Runtime")?.string ?? "provided.al2023",
            memoryMB: try int("MemorySize", default: 128),
            timeoutSeconds: try int("Timeout", default: 3),
            environment: environment,
            reservedConcurrency: try properties?["ReservedConcurrentExecutions"].map { _ in
                try int("ReservedConcurrentExecutions", default: 0)
            },
            routes: routes,
            schedules: schedules,
            startupOrder: node["Metadata"]?["VerdictStartupOrder"]?.string.flatMap(Int.init))
    }
}

/// Resolves the intrinsic functions Verdict's template uses (`!Ref`, `!Sub`, `!Join`) to the
/// values they would have once deployed locally.
struct IntrinsicResolver {
    var parameters: [String: String?]
    var resourceNames: [String: String]
    /// `Type` by logical id, for what `Fn::GetAtt` (and `${Resource.Attribute}`) resolve to.
    var resourceTypes: [String: String] = [:]

    func resolve(_ node: Node, at location: String) throws -> String {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case "!Ref": return try ref(scalar.string, at: location)
            case "!Sub": return try sub(scalar.string, at: location)
            case "!GetAtt": return try ref(scalar.string, at: location)
            default: return scalar.string
            }
        case .mapping(let mapping):
            guard mapping.count == 1, let (key, value) = mapping.first, let name = key.string else {
                throw TemplateError("\(location) must be a string")
            }
            switch name {
            case "Ref": return try ref(value.string ?? "", at: location)
            case "Fn::Sub": return try sub(value.string ?? "", at: location)
            case "Fn::GetAtt":
                let parts = value.sequence?.compactMap(\.string) ?? value.string.map { [$0] } ?? []
                return try ref(parts.joined(separator: "."), at: location)
            case "Fn::Join":
                guard let sequence = value.sequence, sequence.count == 2, let separator = sequence[0].string,
                    let parts = sequence[1].sequence
                else { throw TemplateError("\(location) has a malformed Fn::Join") }
                return try parts.map { try resolve($0, at: location) }.joined(separator: separator)
            default: throw TemplateError("\(location) uses \(name), which the emulator cannot resolve")
            }
        case .sequence(let sequence):
            if node.tag.description == "!Join", sequence.count == 2, let separator = sequence[0].string,
                let parts = sequence[1].sequence
            {
                return try parts.map { try resolve($0, at: location) }.joined(separator: separator)
            }
            throw TemplateError("\(location) must be a string")
        case .alias:
            throw TemplateError("\(location) uses a YAML alias")
        }
    }

    func ref(_ name: String, at location: String) throws -> String {
        if let parameter = parameters[name] {
            guard let value = parameter else {
                throw TemplateError("parameter \(name) (used by \(location)) has no value: pass it as an override")
            }
            return value
        }
        if let resource = resourceNames[name] { return resource }
        if let dot = name.firstIndex(of: "."), let resource = resourceNames[String(name[..<dot])] {
            return attribute(String(name[name.index(after: dot)...]), of: String(name[..<dot]), named: resource)
        }
        switch name {
        case "AWS::Region": return region
        case "AWS::AccountId": return "000000000000"
        case "AWS::StackName": return "verdict"
        case "AWS::Partition": return "aws"
        case "AWS::URLSuffix": return "amazonaws.com"
        default: throw TemplateError("\(location) refers to \(name), which the template does not define")
        }
    }

    var region: String { ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1" }

    /// A resource attribute as it would read once deployed; only a function's `Arn` is looked
    /// into (integrations name their function by it), others are stable placeholders.
    func attribute(_ attribute: String, of logicalID: String, named name: String) -> String {
        switch (resourceTypes[logicalID], attribute) {
        case ("AWS::Serverless::Function", "Arn"), ("AWS::Lambda::Function", "Arn"):
            return "arn:aws:lambda:\(region):000000000000:function:\(name)"
        default:
            return "\(name).\(attribute)"
        }
    }

    func sub(_ text: String, at location: String) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw TemplateError("\(location) has an unterminated ${ in !Sub")
            }
            out += try ref(String(rest[open.upperBound..<close]), at: location)
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
