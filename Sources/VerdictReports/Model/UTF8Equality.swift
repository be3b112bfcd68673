#if canImport(Glibc)
    import Glibc
#endif

extension String {
    /// Byte-for-byte equality. `==` is canonical equivalence ("é" equals "e" + U+0301), but
    /// test ids and stored names keep the bytes the report had, so whatever stands in for
    /// another value (a cached suite path, a reused id prefix) must match it byte for byte.
    public func hasSameUTF8(as other: String) -> Bool {
        var a = self
        var b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }
}

extension Array where Element == String {
    /// `hasSameUTF8(as:)` element by element.
    public func hasSameUTF8(as other: [String]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.hasSameUTF8(as: $1) }
    }
}
