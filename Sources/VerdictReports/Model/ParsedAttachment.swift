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
        let lowerName = name.lowercased()
        let type = contentType?.lowercased() ?? ""
        let file = (path ?? name).lowercased()
        if lowerName == "trace" || file.hasSuffix("trace.zip") || (file.contains("/trace") && file.hasSuffix(".zip")) {
            return .trace
        }
        if type.hasPrefix("image/") || lowerName.contains("screenshot") || hasExtension(file, imageExtensions) {
            return .screenshot
        }
        if type.hasPrefix("video/") || lowerName == "video" || hasExtension(file, videoExtensions) {
            return .video
        }
        if type.hasPrefix("text/") || lowerName == "stdout" || lowerName == "stderr" || hasExtension(file, logExtensions) {
            return .log
        }
        return .other
    }

    private static let imageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"]
    private static let videoExtensions = [".webm", ".mp4", ".mov", ".avi", ".mkv"]
    private static let logExtensions = [".log", ".txt", ".out", ".err"]

    private static func hasExtension(_ file: String, _ extensions: [String]) -> Bool {
        extensions.contains { file.hasSuffix($0) }
    }
}
