import HTTPContract

/// One parsed route path: `/api/v1/runs/{id}/cases`, `/files/{proxy+}`.
public struct RoutePattern: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        /// `{name+}`: one or more trailing segments.
        case greedy(String)
    }

    public var segments: [Segment]

    public init(_ path: String) throws {
        try RoutePattern.validate(path)
        segments = path.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{") && part.hasSuffix("+}") { return .greedy(String(part.dropFirst().dropLast(2))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
    }

    static func validate(_ path: String) throws {
        guard path.hasPrefix("/") else { throw TemplateError("route path \(path) must start with /") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in parts.enumerated() where part.contains("{") || part.contains("}") {
            guard part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 else {
                throw TemplateError("route path \(path): a path variable must be a whole segment like {name}")
            }
            if part.hasSuffix("+}") && index != parts.count - 1 {
                throw TemplateError("route path \(path): a greedy variable {name+} must be the last segment")
            }
        }
    }

    var isGreedy: Bool {
        if case .greedy = segments.last { return true }
        return false
    }

    /// Matches percent-encoded path segments; returns the decoded path parameters.
    func match(_ pathSegments: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let literal):
                guard index < pathSegments.count, PercentEncoding.decodePathSegment(pathSegments[index]) == literal else { return nil }
            case .parameter(let name):
                guard index < pathSegments.count, !pathSegments[index].isEmpty else { return nil }
                parameters[name] = PercentEncoding.decodePathSegment(pathSegments[index])
            case .greedy(let name):
                guard index < pathSegments.count else { return nil }
                parameters[name] = pathSegments[index...].map { PercentEncoding.decodePathSegment($0) }.joined(separator: "/")
                return parameters
            }
        }
        return pathSegments.count == segments.count ? parameters : nil
    }
}

/// API Gateway HTTP API route selection: an exact path beats a `{param}` segment, which beats a
/// greedy `{proxy+}` (segments compared left to right); a specific method beats `ANY`; the
/// `$default` route takes what nothing else does.
public struct RouteTable<Target: Sendable>: Sendable {
    struct Entry: Sendable {
        var route: RouteDefinition
        var pattern: RoutePattern?
        var target: Target
    }

    public struct Match: Sendable {
        public var target: Target
        public var route: RouteDefinition
        public var pathParameters: [String: String]
    }

    var entries: [Entry] = []

    public init(_ routes: [(RouteDefinition, Target)]) throws {
        for (route, target) in routes {
            entries.append(Entry(route: route, pattern: route.path == "$default" ? nil : try RoutePattern(route.path), target: target))
        }
        try Self.checkVariableNames(entries.compactMap { entry in entry.pattern.map { (entry.route.path, $0) } })
    }

    /// API Gateway keeps routes as a tree of resources, with at most one variable child under
    /// each: `/projects/{id}` and `/projects/{project}/trends` cannot both be deployed. Refused
    /// here, so the emulator fails where the deployment would.
    static func checkVariableNames(_ patterns: [(path: String, pattern: RoutePattern)]) throws {
        // The tree position of a variable: the segments before it, each variable written `{}`.
        var named: [String: (name: String, path: String)] = [:]
        for (path, pattern) in patterns {
            var position = ""
            for segment in pattern.segments {
                switch segment {
                case .literal(let literal):
                    position += "/" + literal
                case .parameter(let name), .greedy(let name):
                    if let earlier = named[position], earlier.name != name {
                        throw TemplateError(
                            "route path \(path): {\(name)} is {\(earlier.name)} in \(earlier.path); API Gateway needs one variable name at one place"
                        )
                    }
                    named[position] = (name, path)
                    position += "/{}"
                }
            }
        }
    }

    public func match(method: String, path: String) -> Match? {
        let method = method.uppercased()
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: (entry: Entry, parameters: [String: String])?
        for entry in entries {
            guard let pattern = entry.pattern, entry.route.method == method || entry.route.method == "ANY",
                let parameters = pattern.match(segments)
            else { continue }
            if let current = best, !Self.isMoreSpecific(entry, than: current.entry) { continue }
            best = (entry, parameters)
        }
        if let best { return Match(target: best.entry.target, route: best.entry.route, pathParameters: best.parameters) }
        if let fallback = entries.first(where: { $0.pattern == nil && ($0.route.method == method || $0.route.method == "ANY") }) {
            return Match(target: fallback.target, route: fallback.route, pathParameters: [:])
        }
        return nil
    }

    static func isMoreSpecific(_ a: Entry, than b: Entry) -> Bool {
        let pa = a.pattern!
        let pb = b.pattern!
        if pa.isGreedy != pb.isGreedy { return !pa.isGreedy }
        for (sa, sb) in zip(pa.segments, pb.segments) {
            let ra = rank(sa)
            let rb = rank(sb)
            if ra != rb { return ra > rb }
        }
        // Among greedy routes the longer fixed prefix is the more specific one.
        if pa.segments.count != pb.segments.count { return pa.segments.count > pb.segments.count }
        return a.route.method != "ANY" && b.route.method == "ANY"
    }

    static func rank(_ segment: RoutePattern.Segment) -> Int {
        switch segment {
        case .literal: return 2
        case .parameter: return 1
        case .greedy: return 0
        }
    }
}
