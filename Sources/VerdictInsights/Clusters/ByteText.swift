/// Byte-level text helpers the fingerprint uses instead of `String` searching: the input is
/// untrusted UTF-8 read once, and scanning bytes keeps 10,000 failures well under a second.
enum ByteText {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66) }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Line ranges of `bytes` (without the newline): all of them up to `limit`, else the first
    /// three quarters of `limit` and the last quarter (where a long message keeps its stack).
    static func lines(_ bytes: [UInt8], limit: Int = FingerprintLimits.scannedLines) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            result.append(start..<index)
            start = index + 1
        }
        if start < bytes.count { result.append(start..<bytes.count) }
        guard result.count > limit else { return result }
        let tail = limit / 4
        return Array(result[..<(limit - tail)]) + result[(result.count - tail)...]
    }

    /// The range without leading and trailing whitespace.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Leading spaces (a tab counts as four), for telling a line's detail block from its level.
    static func indent(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        var width = 0
        for index in range {
            switch bytes[index] {
            case 0x20: width += 1
            case 0x09: width += 4
            default: return width
            }
        }
        return width
    }

    static func hasPrefix(_ bytes: [UInt8], _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard range.count >= count else { return false }
        return prefix.withUTF8Buffer { p in
            for i in 0..<count where bytes[range.lowerBound + i] != p[i] { return false }
            return true
        }
    }

    static func hasPrefixIgnoringCase(_ bytes: [UInt8], _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard range.count >= count else { return false }
        return prefix.withUTF8Buffer { p in
            for i in 0..<count where lower(bytes[range.lowerBound + i]) != p[i] { return false }
            return true
        }
    }

    /// Whether `needle` (lowercase ASCII) occurs in the range, compared case-insensitively.
    static func containsIgnoringCase(_ bytes: [UInt8], _ range: Range<Int>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, range.count >= count else { return count == 0 }
        return needle.withUTF8Buffer { n in
            let first = n[0]
            var start = range.lowerBound
            let last = range.upperBound - count
            while start <= last {
                if lower(bytes[start]) == first {
                    var i = 1
                    while i < count, lower(bytes[start + i]) == n[i] { i += 1 }
                    if i == count { return true }
                }
                start += 1
            }
            return false
        }
    }

    /// Whether the bytes of `needle` occur in `haystack` (exact).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: ArraySlice<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[needle.startIndex]
        var start = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while start <= last {
            if haystack[start] == first && haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    /// The bytes of a string: all of them up to `FingerprintLimits.inputBytes`, else that many
    /// from the start and `FingerprintLimits.tailBytes` from the end (from a line start), joined
    /// by a newline. A report's text can be megabytes; what identifies the failure is its
    /// headline at the start and, in Playwright's and Cypress' messages, the stack at the end.
    static func bounded(_ text: String?) -> [UInt8] {
        guard let text else { return [] }
        let utf8 = text.utf8
        let head = FingerprintLimits.inputBytes
        let tail = FingerprintLimits.tailBytes
        guard utf8.count > head + tail else { return Array(utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head + tail + 1)
        bytes.append(contentsOf: utf8.prefix(head))
        bytes.append(0x0A)
        var end = utf8.suffix(tail)[...]
        if let newline = end.firstIndex(of: 0x0A) { end = end[end.index(after: newline)...] }
        bytes.append(contentsOf: end)
        return bytes
    }
}
