#if canImport(Glibc)
    import Glibc
#endif

/// Files a handler writes for the length of one invocation (Lambda gives each instance /tmp).
enum ScratchFile {
    static func remove(_ path: String) { unlink(path) }
}
