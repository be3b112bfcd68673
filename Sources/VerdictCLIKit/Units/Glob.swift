/// Shell-style path patterns: `*` and `?` within one path segment, `[a-z]` and `[!a-z]` classes,
/// `**` as a whole segment for any number of directories (none included), `{a,b}` alternatives,
/// and `\` to take the next character literally.
///
/// As in shells, `*`, `?` and classes do not match a name's leading `.` (spell it out:
/// `.storybook/*.ts`), and `**` never enters hidden directories or `node_modules`, where test
/// files of dependencies live.
public struct Glob: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case pattern([UInt8])
        case anyDirectories
    }

    let segments: [Segment]
    let absolute: Bool

    /// One pattern without braces; `Glob.compile` expands braces first.
    init(braceFree pattern: String) {
        absolute = pattern.hasPrefix("/")
        segments = pattern.split(separator: "/").filter { $0 != "." }.map { text -> Segment in
            if text == "**" { return .anyDirectories }
            let bytes = Array(text.utf8)
            if bytes.contains(where: {
                $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "\\")
            }) {
                return .pattern(bytes)
            }
            return .literal(String(text))
        }
    }

    /// The globs a pattern stands for once its `{a,b}` alternatives are expanded.
    public static func compile(_ pattern: String) -> [Glob] {
        expandBraces(pattern).map(Glob.init(braceFree:))
    }

    /// Whether the pattern has anything to expand (else it names one path, which is used as given).
    public var isLiteral: Bool {
        segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// Whether `path` (relative, `/`-separated) matches.
    public func matches(_ path: String) -> Bool {
        let components = path.split(separator: "/").filter { $0 != "." }.map { Array($0.utf8) }
        return Self.match(segments[...], components[...])
    }

    private static func match(_ segments: ArraySlice<Segment>, _ components: ArraySlice<[UInt8]>) -> Bool {
        guard let segment = segments.first else { return components.isEmpty }
        switch segment {
        case .anyDirectories:
            if match(segments.dropFirst(), components) { return true }
            guard let first = components.first, Self.mayDescend(into: first) else { return false }
            return match(segments, components.dropFirst())
        case .literal(let name):
            guard let first = components.first, first.elementsEqual(name.utf8) else { return false }
            return match(segments.dropFirst(), components.dropFirst())
        case .pattern(let pattern):
            guard let first = components.first, Self.matchName(pattern[...], first[...], atStart: true) else { return false }
            return match(segments.dropFirst(), components.dropFirst())
        }
    }

    static func mayDescend<C: Collection<UInt8>>(into name: C) -> Bool {
        name.first != UInt8(ascii: ".") && !name.elementsEqual("node_modules".utf8)
    }

    /// Matches one name against one segment's pattern (backtracking over `*`, which is fine
    /// for the few stars a test glob has).
    static func matchName(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>, atStart: Bool) -> Bool {
        guard let p = pattern.first else { return name.isEmpty }
        let wildcard = p == UInt8(ascii: "*") || p == UInt8(ascii: "?") || p == UInt8(ascii: "[")
        if atStart, wildcard, name.first == UInt8(ascii: ".") { return false }
        switch p {
        case UInt8(ascii: "*"):
            var rest = name
            while true {
                if matchName(pattern.dropFirst(), rest, atStart: false) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case UInt8(ascii: "?"):
            guard !name.isEmpty else { return false }
            return matchName(pattern.dropFirst(), name.dropFirst(), atStart: false)
        case UInt8(ascii: "["):
            guard let c = name.first, let (matched, after) = matchClass(pattern, c) else {
                // An unclosed `[` is a literal bracket, as in shells.
                guard name.first == p else { return false }
                return matchName(pattern.dropFirst(), name.dropFirst(), atStart: false)
            }
            return matched && matchName(pattern[after...], name.dropFirst(), atStart: false)
        case UInt8(ascii: "\\"):
            let literal = pattern.dropFirst().first ?? p
            guard name.first == literal else { return false }
            return matchName(pattern.dropFirst(pattern.count > 1 ? 2 : 1), name.dropFirst(), atStart: false)
        default:
            guard name.first == p else { return false }
            return matchName(pattern.dropFirst(), name.dropFirst(), atStart: false)
        }
    }

    /// A `[...]` class at the start of `pattern`: whether `c` is in it and where the pattern
    /// continues; nil when the class is not closed.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ c: UInt8) -> (Bool, Int)? {
        var index = pattern.startIndex + 1
        var negated = false
        if index < pattern.endIndex, pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.endIndex {
            let low = pattern[index]
            if low == UInt8(ascii: "]"), !first { return (matched != negated, index + 1) }
            first = false
            if index + 2 < pattern.endIndex, pattern[index + 1] == UInt8(ascii: "-"), pattern[index + 2] != UInt8(ascii: "]") {
                if (low...pattern[index + 2]).contains(c) { matched = true }
                index += 3
            } else {
                if low == c { matched = true }
                index += 1
            }
        }
        return nil
    }

    /// `tests/{unit,e2e}/**/*.{spec,test}.ts` → four patterns. Nested braces expand from the
    /// outside in; a brace without a comma or without its closing brace is literal.
    static func expandBraces(_ pattern: String) -> [String] {
        let bytes = Array(pattern.utf8)
        var depth = 0
        var open: Int?
        var commas: [Int] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 1
            case UInt8(ascii: "{"):
                if depth == 0 { open = index; commas = [] }
                depth += 1
            case UInt8(ascii: ","):
                if depth == 1 { commas.append(index) }
            case UInt8(ascii: "}"):
                guard depth > 0 else { break }
                depth -= 1
                if depth == 0, let start = open {
                    guard !commas.isEmpty else {
                        open = nil
                        break
                    }
                    let prefix = bytes[..<start]
                    let suffix = bytes[(index + 1)...]
                    let bounds = [start] + commas + [index]
                    var result: [String] = []
                    for i in 0..<(bounds.count - 1) {
                        let choice = bytes[(bounds[i] + 1)..<bounds[i + 1]]
                        let joined = String(decoding: prefix + choice + suffix, as: UTF8.self)
                        result += expandBraces(joined)
                    }
                    return result
                }
            default: break
            }
            index += 1
        }
        return [pattern]
    }
}
