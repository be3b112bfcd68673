import VerdictJSON

/// What kind of file an attachment is, for the browser that downloads it: the type a file's
/// extension implies when nobody declared one, whether a browser may show it in place, and a
/// file name that keeps (or regains) its extension.
public enum MediaType {
    static let byExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "avif": "image/avif", "bmp": "image/bmp", "svg": "image/svg+xml", "mp4": "video/mp4", "webm": "video/webm",
        "mov": "video/quicktime", "txt": "text/plain", "log": "text/plain", "json": "application/json",
        "xml": "application/xml", "html": "text/html", "htm": "text/html", "zip": "application/zip",
        "har": "application/json", "gz": "application/gzip", "pdf": "application/pdf", "csv": "text/csv",
    ]

    /// The usual extension of a type, where several share it.
    static let extensionForType: [String: String] = [
        "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "video/mp4": "mp4",
        "video/webm": "webm", "text/plain": "txt", "application/json": "json", "application/zip": "zip",
        "application/xml": "xml", "application/pdf": "pdf", "application/gzip": "gz",
    ]

    /// The type a file's name implies, if its extension is a common one.
    public static func guess(fileName: String) -> String? {
        guard let ext = fileExtension(fileName) else { return nil }
        return byExtension[ext]
    }

    /// Whether a browser may show the file in place. Only types that cannot run script: an SVG
    /// or HTML attachment is somebody's upload and is always downloaded, never rendered.
    public static func showsInline(_ type: String?) -> Bool {
        guard let type = type.map(essence) else { return false }
        return ["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "video/mp4", "video/webm", "text/plain"]
            .contains(type)
    }

    /// The `Content-Type` a download answers with: text is declared UTF-8 so logs read right.
    public static func forDownload(_ type: String?) -> String {
        guard let type, !type.isEmpty else { return "application/octet-stream" }
        return essence(type).hasPrefix("text/") && !type.lowercased().containsText("charset") ? "\(type); charset=utf-8" : type
    }

    /// The name a download is saved under: the attachment's name when it has an extension, else
    /// the last part of the path the tool wrote it to (Playwright calls a trace "trace" and
    /// writes "…/trace.zip"), else the name with the extension its type implies.
    public static func downloadName(name: String, path: String?, type: String?) -> String {
        let base = lastComponent(name)
        if fileExtension(base) != nil { return base }
        if let path, fileExtension(lastComponent(path)) != nil { return lastComponent(path) }
        if let type = type.map(essence), let ext = extensionForType[type] { return "\(base).\(ext)" }
        return base
    }

    static func essence(_ type: String) -> String {
        String(type.split(separator: ";", maxSplits: 1).first ?? "").trimmed().lowercased()
    }

    static func lastComponent(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(path))
    }

    static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        return ext.isEmpty || ext.count > 5 ? nil : ext
    }
}
