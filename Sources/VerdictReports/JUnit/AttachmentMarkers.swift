#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Jenkins' JUnit Attachments convention: a line `[[ATTACHMENT|/path/to/file]]` in a test's (or
/// suite's) system-out or system-err attaches that file. Playwright's JUnit reporter writes it too.
enum AttachmentMarkers {
    private static let open = Array("[[ATTACHMENT|".utf8)
    private static let close = Array("]]".utf8)

    /// Searches bytes rather than characters: system-out can be megabytes of log.
    static func extract(from texts: String?...) -> [ParsedAttachment] {
        var found: [ParsedAttachment] = []
        for case var text? in texts {
            text.withUTF8 { bytes in
                var from = 0
                while let start = find(open, in: bytes, from: from) {
                    let pathStart = start + open.count
                    guard let end = find(close, in: bytes, from: pathStart) else { break }
                    from = end + close.count
                    let path = trimmed(UnsafeBufferPointer(rebasing: bytes[pathStart..<end]))
                    guard !path.isEmpty, !found.contains(where: { $0.path == path }) else { continue }
                    let name = fileName(path)
                    found.append(ParsedAttachment(name: name, path: path))
                }
            }
        }
        return found
    }

    /// `Text.trimmed` for the common path with nothing to trim, without walking Characters.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 else {
            return Text.trimmed(text)
        }
        return text
    }

    /// What follows the last `/`; the whole path when that is empty.
    private static func fileName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        let name = path.utf8[path.utf8.index(after: slash)...]
        return name.isEmpty ? (path.split(separator: "/").last.map(String.init) ?? path) : String(Substring(name))
    }

    /// memchr for the first byte, then a compare: Glibc's memmem is not visible from Swift.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first else { return nil }
        var i = from
        while bytes.count - i >= needle.count, let hit = memchr(base + i, Int32(first), bytes.count - i - needle.count + 1) {
            i = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if needle.withUnsafeBytes({ memcmp(hit, $0.baseAddress!, needle.count) }) == 0 { return i }
            i += 1
        }
        return nil
    }
}
