import VerdictJSON

/// A file a test produced: a screenshot, a video, a Playwright trace, a log.
public struct ParsedAttachment: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case screenshot, video, trace, log, other
    }

    public var name: String
    public var contentType: String?
    /// Where the tool wrote the file (usually a path on the CI machine, sometimes a URL).
    public var path: String?
    /// The content itself when the report embeds it, base64-encoded as the reports carry it.
    public var inlineBase64: String?
    public var kind: Kind
    /// The attempt that produced it, when the report says (Playwright, CTRF retries).
    public var attempt: Int?

    public init(
        name: String, contentType: String? = nil, path: String? = nil, inlineBase64: String? = nil,
        kind: Kind? = nil, attempt: Int? = nil
    ) {
        self.name = name
        self.contentType = contentType
        self.path = path
        self.inlineBase64 = inlineBase64
        self.kind = kind ?? Kind.classify(name: name, contentType: contentType, path: path)
        self.attempt = attempt
    }
}

extension ParsedAttachment.Kind {
    /// Guesses the kind from what reports reliably carry: Playwright names its attachments
    /// `screenshot`/`video`/`trace`, others only give a content type or a file name.
    public static func classify(name: String, contentType: String?, path: String?) -> Self {
        let file = path ?? name
        // ASCII bytes are lowercased in place; String's Unicode-aware lowercasing and searching
        // cost more than the rest of a JUnit case with an attachment marker.
        guard let lowerName = ASCIILowercase(name), let type = ASCIILowercase(contentType ?? ""), let lowerFile = ASCIILowercase(file)
        else { return classifyUnicode(name: name, contentType: contentType, path: path) }
        if lowerName.equals("trace") || lowerFile.hasSuffix("trace.zip") || (lowerFile.contains("/trace") && lowerFile.hasSuffix(".zip")) {
            return .trace
        }
        if type.hasPrefix("image/") || lowerName.contains("screenshot") || imageExtensions.contains(where: lowerFile.hasSuffix) {
            return .screenshot
        }
        if type.hasPrefix("video/") || lowerName.equals("video") || videoExtensions.contains(where: lowerFile.hasSuffix) {
            return .video
        }
        if type.hasPrefix("text/") || lowerName.equals("stdout") || lowerName.equals("stderr")
            || logExtensions.contains(where: lowerFile.hasSuffix)
        {
            return .log
        }
        return .other
    }

    /// The same rules for names with non-ASCII characters.
    private static func classifyUnicode(name: String, contentType: String?, path: String?) -> Self {
        let lowerName = name.lowercased()
        let type = contentType?.lowercased() ?? ""
        let file = (path ?? name).lowercased()
        if lowerName == "trace" || file.hasSuffix("trace.zip") || (file.containsText("/trace") && file.hasSuffix(".zip")) {
            return .trace
        }
        if type.hasPrefix("image/") || lowerName.containsText("screenshot") || imageExtensions.contains(where: file.hasSuffix) {
            return .screenshot
        }
        if type.hasPrefix("video/") || lowerName == "video" || videoExtensions.contains(where: file.hasSuffix) {
            return .video
        }
        if type.hasPrefix("text/") || lowerName == "stdout" || lowerName == "stderr" || logExtensions.contains(where: file.hasSuffix) {
            return .log
        }
        return .other
    }

    private static let imageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"]
    private static let videoExtensions = [".webm", ".mp4", ".mov", ".avi", ".mkv"]
    private static let logExtensions = [".log", ".txt", ".out", ".err"]
}

/// An all-ASCII string compared case-insensitively in place, without a lowercased copy; nil for
/// text with other characters. The needles are lowercase ASCII.
private struct ASCIILowercase {
    private let text: String

    init?(_ text: String) {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        self.text = text
    }

    func equals(_ needle: String) -> Bool { text.utf8.count == needle.utf8.count && matches(needle, at: 0) }

    func hasPrefix(_ needle: String) -> Bool { matches(needle, at: 0) }

    func hasSuffix(_ needle: String) -> Bool { matches(needle, at: text.utf8.count - needle.utf8.count) }

    func contains(_ needle: String) -> Bool {
        let last = text.utf8.count - needle.utf8.count
        guard last >= 0 else { return false }
        return (0...last).contains { matches(needle, at: $0) }
    }

    private func matches(_ needle: String, at offset: Int) -> Bool {
        guard offset >= 0, offset + needle.utf8.count <= text.utf8.count else { return false }
        return text.withBorrowedUTF8 { haystack in
            needle.withBorrowedUTF8 { needle in
                for i in 0..<needle.count {
                    let byte = haystack[offset + i]
                    if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != needle[i] { return false }
                }
                return true
            }
        }
    }
}
