#if canImport(Glibc)
    import Glibc
#endif

/// Output without Foundation. Standard output carries results (what a script reads: a URL, a
/// plan, `--json`); standard error carries progress and diagnostics. Both are written straight
/// to their descriptors, unbuffered, so they never reorder against the test command's own output.
public enum Console {
    public static func out(_ line: String) { write(1, line + "\n") }

    /// A diagnostic or progress line, prefixed so it stands out among the test tool's output.
    public static func note(_ line: String) { write(2, "verdict: " + line + "\n") }

    static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
