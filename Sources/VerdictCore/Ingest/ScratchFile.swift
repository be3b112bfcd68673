#if canImport(Glibc)
    import Glibc
#endif

/// Files a handler writes for the length of one invocation (Lambda gives each instance /tmp).
enum ScratchFile {
    static func remove(_ path: String) { unlink(path) }
}

/// Where scratch files go: `TMPDIR` when set, else /tmp (Lambda's writable directory).
public enum ScratchDirectory {
    public static var path: String { Environment.string("TMPDIR") ?? "/tmp" }
}
