import VerdictJSON

/// Lenient readers for report JSON, where the same field is a number in one reporter version
/// and a string in the next.
extension JSON {
    /// A string, or a number/bool written as text.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// Non-empty text after trimming.
    var nonEmptyText: String? {
        guard let text else { return nil }
        let trimmed = Text.trimmed(text)
        return trimmed.isEmpty ? nil : text
    }

    /// A number, or a string holding one.
    var number: Double? {
        if let value = doubleValue { return value }
        if case .string(let s) = self { return Numbers.parseDouble(Text.trimmed(s)) }
        return nil
    }

    var int: Int? { number.flatMap { $0.isFinite && abs($0) < 1e15 ? Int($0) : nil } }

    /// Truthy the way JavaScript reporters mean it (`true`, `"true"`, `1`).
    var isTrue: Bool {
        switch self {
        case .bool(let b): return b
        case .string(let s): return s == "true"
        case .int(let i): return i != 0
        default: return false
        }
    }

    var array: [JSON] { arrayValue ?? [] }

    /// Any value as display text: strings as they are, everything else as compact JSON.
    var displayText: String {
        if case .string(let s) = self { return s }
        return String(decoding: serialized(), as: UTF8.self)
    }

    /// Strings of an array (or a lone string), skipping anything else.
    var strings: [String] {
        if case .string(let s) = self { return [s] }
        return array.compactMap(\.stringValue)
    }

    /// A duration in milliseconds; negative or absurd values are dropped.
    var durationMs: Double? {
        guard let value = number, value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// Epoch milliseconds from an ISO string or an epoch number (seconds or milliseconds).
    var epochMs: Int64? {
        if case .string(let s) = self { return Timestamp.parse(s) ?? Numbers.parseDouble(s).flatMap(Timestamp.epochMs) }
        return number.flatMap(Timestamp.epochMs)
    }
}

/// A JSON node's location for warnings: `suites[0].specs[2].tests[1]`.
struct JSONPath: CustomStringConvertible {
    private var parts: [String] = []

    func appending(_ key: String) -> JSONPath {
        var copy = self
        copy.parts.append(parts.isEmpty ? key : ".\(key)")
        return copy
    }

    func appending(_ index: Int) -> JSONPath {
        var copy = self
        copy.parts.append("[\(index)]")
        return copy
    }

    var description: String { parts.joined() }
}
