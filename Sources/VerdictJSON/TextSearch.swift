/// Finding text in text with the standard library alone. `String.contains(_:)` and
/// `firstRange(of:)` for strings live in `_StringProcessing`, whose regex engine adds about
/// 900 KB to every statically linked handler; these byte searches do the same job for ASCII
/// needles (and any UTF-8 needle, compared byte for byte).
extension StringProtocol {
    /// The byte offsets of the first occurrence of `needle` in the UTF-8 of `self`.
    public func utf8Offsets(of needle: String) -> Range<Int>? {
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= haystack.count else { return pattern.isEmpty ? 0..<0 : nil }
        outer: for start in 0...(haystack.count - pattern.count) {
            for (offset, byte) in pattern.enumerated() where haystack[start + offset] != byte { continue outer }
            return start..<(start + pattern.count)
        }
        return nil
    }

    public func containsText(_ needle: String) -> Bool { utf8Offsets(of: needle) != nil }
}

extension String {
    /// The first occurrence of `needle`, as a range of this string's indices.
    public func rangeOfText(_ needle: String) -> Range<String.Index>? {
        guard let offsets = utf8Offsets(of: needle) else { return nil }
        let lower = utf8.index(utf8.startIndex, offsetBy: offsets.lowerBound)
        return lower..<utf8.index(lower, offsetBy: offsets.count)
    }
}
