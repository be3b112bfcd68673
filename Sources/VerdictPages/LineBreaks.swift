#if canImport(Glibc)
    import Glibc
#endif

/// Line breaks in UTF-8 text, found with memchr: a run page cuts twenty stacks into a head and
/// a disclosure, and a byte loop in Swift over them showed up in its profile.
enum LineBreaks {
    /// The byte offset of the `number`th line break (1-based), if the text has that many.
    static func offset(ofBreak number: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard number > 0, let start = bytes.baseAddress else { return nil }
        let end = start + bytes.count
        var cursor = start
        for seen in 1...number {
            guard cursor < end, let found = memchr(cursor, 0x0A, end - cursor) else { return nil }
            let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
            if seen == number { return newline - start }
            cursor = newline + 1
        }
        return nil
    }

    static func count(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let start = bytes.baseAddress else { return 0 }
        let end = start + bytes.count
        var cursor = start
        var count = 0
        while cursor < end, let found = memchr(cursor, 0x0A, end - cursor) {
            count += 1
            cursor = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count
    }
}
