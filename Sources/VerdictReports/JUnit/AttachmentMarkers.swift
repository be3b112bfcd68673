/// Jenkins' JUnit Attachments convention: a line `[[ATTACHMENT|/path/to/file]]` in a test's (or
/// suite's) system-out or system-err attaches that file. Playwright's JUnit reporter writes it too.
enum AttachmentMarkers {
    private static let open = Array("[[ATTACHMENT|".utf8)
    private static let close = Array("]]".utf8)

    /// Searches bytes rather than characters: system-out can be megabytes of log.
    static func extract(from texts: String?...) -> [ParsedAttachment] {
        var found: [ParsedAttachment] = []
        for case let text? in texts {
            let bytes = Array(text.utf8)
            var from = 0
            while let start = find(open, in: bytes, from: from) {
                let pathStart = start + open.count
                guard let end = find(close, in: bytes, from: pathStart) else { break }
                from = end + close.count
                let path = Text.trimmed(String(decoding: bytes[pathStart..<end], as: UTF8.self))
                guard !path.isEmpty, !found.contains(where: { $0.path == path }) else { continue }
                let name = path.split(separator: "/").last.map(String.init) ?? path
                found.append(ParsedAttachment(name: name, path: path))
            }
        }
        return found
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] {
                var j = 1
                while j < needle.count, bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
