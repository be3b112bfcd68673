import VerdictJSON

/// Last known durations, from a file:
/// - pytest-split's `.test_durations`: `{"tests/test_a.py::test_x": 0.53, …}`, seconds per test id;
/// - Verdict's form: `{"units": [{"id": "tests/login.spec.ts", "duration_ms": 5300}, …]}` (or the
///   array alone; `mean_ms` is read as `duration_ms`).
///
/// A unit's duration sums every known id that belongs to it: the id itself, the tests of a file
/// (`file::test`), and everything below a directory.
public struct Durations: Sendable, Equatable {
    /// Milliseconds per unit or directory, summed as described.
    private(set) var totals: [String: Double] = [:]
    public private(set) var count = 0

    public init(milliseconds: [String: Double]) {
        for (id, ms) in milliseconds.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) where ms.isFinite && ms >= 0 {
            add(id, ms)
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(UsageError) -> Durations {
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw UsageError("the durations file is not JSON: \(error)") }
        var milliseconds: [String: Double] = [:]
        let entries = json["units"]?.arrayValue ?? json.arrayValue
        if let entries {
            for entry in entries {
                guard let id = entry["id"]?.stringValue, let ms = (entry["duration_ms"] ?? entry["mean_ms"])?.doubleValue else {
                    throw UsageError("the durations file's entries need \"id\" and \"duration_ms\"")
                }
                milliseconds[id, default: 0] += ms
            }
        } else if let object = json.objectValue {
            for (id, value) in object.pairs {
                guard let seconds = value.doubleValue else {
                    throw UsageError("the durations file maps '\(id)' to something other than seconds")
                }
                milliseconds[id, default: 0] += seconds * 1000
            }
        } else {
            throw UsageError("the durations file is neither pytest-split's {\"id\": seconds} nor {\"units\": [{\"id\", \"duration_ms\"}]}")
        }
        return Durations(milliseconds: milliseconds)
    }

    /// The unit's known duration in milliseconds, or nil when nothing of it is known.
    public func milliseconds(of unit: String) -> Double? {
        totals[Self.normalize(unit)]
    }

    private mutating func add(_ rawID: String, _ ms: Double) {
        count += 1
        let id = Self.normalize(rawID)
        var keys = [id]
        let file = id.rangeOfText("::").map { String(id[..<$0.lowerBound]) } ?? id
        if file != id { keys.append(file) }
        var directory = Substring(file)
        while let slash = directory.lastIndex(of: "/") {
            directory = directory[..<slash]
            if !directory.isEmpty { keys.append(String(directory)) }
        }
        for key in keys { totals[key, default: 0] += ms }
    }

    static func normalize(_ id: String) -> String {
        var text = Substring(id)
        while text.hasPrefix("./") { text = text.dropFirst(2) }
        while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
