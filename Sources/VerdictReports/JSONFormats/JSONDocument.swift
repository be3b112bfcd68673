import VerdictJSON

/// A JSON report as the format parsers see it: the top level as a value, and the long arrays of
/// tests walked element by element.
///
/// Read in two passes, so that memory is bounded by the largest element rather than by the
/// document: the first builds `root` with every `streamedPaths` array left empty (enough to
/// detect the format and read the run's metadata), the second (`forEachElement`) parses the
/// elements of one such array one at a time. Every byte is parsed in one of the two passes, so
/// malformed JSON anywhere is still an error.
struct JSONDocument {
    /// The arrays that hold a report's tests: Playwright's file suites, Jest's test files,
    /// mochawesome's root suites, CTRF's tests.
    static let streamedPaths: [[String]] = [["suites"], ["testResults"], ["results"], ["results", "tests"]]

    /// The document, with the arrays at `streamedPaths` empty: read them with `forEachElement`.
    let root: JSON
    private let source: ReportSource

    init(_ source: ReportSource) throws(ReportStreamError) {
        self.source = source
        let window = try source.jsonWindow()
        try JSONDocument.skipPreamble(window)
        guard try window.peek() == UInt8(ascii: "{") else {
            // Not an object, so not a report: read it whole for the detection's message.
            root = try window.parseValue()
            try JSONDocument.expectEnd(window)
            return
        }
        var walker = Walker(window: window)
        root = try walker.skeleton(at: [])
        try JSONDocument.expectEnd(window)
    }

    /// Calls `body` with each element of the array at `path` (one of `streamedPaths`), with its
    /// index; nothing when there is no array there. The other streamed arrays are parsed on the
    /// way, to be validated, and dropped.
    func forEachElement(
        at path: [String], _ body: (Int, JSON) throws(ReportStreamError) -> Void
    ) throws(ReportStreamError) {
        guard root.objectValue != nil else { return }
        let window = try source.jsonWindow()
        try JSONDocument.skipPreamble(window)
        var walker = Walker(window: window)
        try walker.elements(at: [], target: path, body)
    }

    private static func skipPreamble(_ window: JSONWindow) throws(ReportStreamError) {
        // A UTF-8 byte order mark is tolerated, as JSON.parse does.
        if try window.peek() == 0xEF {
            for _ in 0..<3 where try window.peek() != nil { window.position += 1 }
        }
        try window.skipWhitespace()
        guard try window.peek() != nil else { throw window.error("empty document") }
    }

    private static func expectEnd(_ window: JSONWindow) throws(ReportStreamError) {
        try window.skipWhitespace()
        if try window.peek() != nil { throw window.error("unexpected data after the JSON value") }
    }
}

/// Walks objects along the streamed paths; everything else is framed and parsed (or skipped).
private struct Walker {
    let window: JSONWindow

    private static func isStreamed(_ path: [String]) -> Bool { JSONDocument.streamedPaths.contains(path) }

    private static func leadsToStreamed(_ path: [String]) -> Bool {
        JSONDocument.streamedPaths.contains { $0.count > path.count && Array($0.prefix(path.count)) == path }
    }

    /// The object at the window's position with streamed arrays left empty.
    mutating func skeleton(at path: [String]) throws(ReportStreamError) -> JSON {
        var pairs: [(key: String, value: JSON)] = []
        try forEachMember { key throws(ReportStreamError) in
            let childPath = path + [key]
            let next = try window.peek()
            if next == UInt8(ascii: "["), Walker.isStreamed(childPath) {
                try window.skipValue()
                pairs.append((key, .array([])))
            } else if next == UInt8(ascii: "{"), Walker.leadsToStreamed(childPath) {
                pairs.append((key, try skeleton(at: childPath)))
            } else {
                pairs.append((key, try window.parseValue()))
            }
        }
        return .object(JSONObject(pairs))
    }

    /// Hands out the elements of the first array at `target`; other streamed arrays are parsed
    /// element by element (validated) and dropped, everything else was parsed by `skeleton`.
    mutating func elements(
        at path: [String], target: [String], _ body: (Int, JSON) throws(ReportStreamError) -> Void
    ) throws(ReportStreamError) {
        var delivered = false
        try forEachMember { key throws(ReportStreamError) in
            let childPath = path + [key]
            let next = try window.peek()
            if next == UInt8(ascii: "["), Walker.isStreamed(childPath) {
                let deliver = childPath == target && !delivered
                delivered = delivered || deliver
                try forEachElement { index, element throws(ReportStreamError) in
                    if deliver { try body(index, element) }
                }
            } else if next == UInt8(ascii: "{"), Walker.leadsToStreamed(childPath) {
                try elements(at: childPath, target: target, body)
            } else {
                try window.skipValue()
            }
        }
    }

    /// Calls `body` with each key, the window positioned at its value; `body` must consume it.
    private func forEachMember(_ body: (String) throws(ReportStreamError) -> Void) throws(ReportStreamError) {
        try window.expect(UInt8(ascii: "{"), "'{'")
        try window.skipWhitespace()
        if try window.peek() == UInt8(ascii: "}") {
            window.position += 1
            return
        }
        while true {
            try window.skipWhitespace()
            guard try window.peek() == UInt8(ascii: "\"") else { throw window.error("expected a string key") }
            guard case .string(let key) = try window.parseValue() else { throw window.error("expected a string key") }
            try window.expect(UInt8(ascii: ":"), "':' after key")
            try window.skipWhitespace()
            try body(key)
            try window.skipWhitespace()
            switch try window.peek() {
            case UInt8(ascii: ","): window.position += 1
            case UInt8(ascii: "}"):
                window.position += 1
                return
            case nil: throw window.error("unexpected end of input in object")
            default: throw window.error("expected ',' or '}' in object")
            }
        }
    }

    private func forEachElement(_ body: (Int, JSON) throws(ReportStreamError) -> Void) throws(ReportStreamError) {
        try window.expect(UInt8(ascii: "["), "'['")
        try window.skipWhitespace()
        if try window.peek() == UInt8(ascii: "]") {
            window.position += 1
            return
        }
        var index = 0
        while true {
            try window.skipWhitespace()
            try body(index, try window.parseValue())
            index += 1
            try window.skipWhitespace()
            switch try window.peek() {
            case UInt8(ascii: ","): window.position += 1
            case UInt8(ascii: "]"):
                window.position += 1
                return
            case nil: throw window.error("unexpected end of input in array")
            default: throw window.error("expected ',' or ']' in array")
            }
        }
    }
}
