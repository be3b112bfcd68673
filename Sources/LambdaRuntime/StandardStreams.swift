#if canImport(Glibc)
    import Glibc
#endif

/// Unbuffered writes to the process's standard streams. Lambda (and the emulator) collect a
/// function's logs from these pipes, so a line must leave the process the moment it is written.
public enum StandardStreams {
    public static func log(_ line: String) { write(line, to: 2) }
    public static func out(_ line: String) { write(line, to: 1) }

    static func write(_ line: String, to descriptor: Int32) {
        var bytes = Array(line.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
