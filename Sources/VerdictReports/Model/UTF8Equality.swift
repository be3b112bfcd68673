#if canImport(Glibc)
    import Glibc
#endif

extension String {
    /// Byte-for-byte equality. `==` is canonical equivalence ("é" equals "e" + U+0301), but
    /// test ids and stored names keep the bytes the report had, so whatever stands in for
    /// another value (a cached suite path, a reused id prefix) must match it byte for byte.
    /// Parsers hand consecutive cases the very same strings, so storage shared by both
    /// answers without reading the bytes.
    public func hasSameUTF8(as other: String) -> Bool {
        let contiguous = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in sameBytes(a, b) }
        }
        if let contiguous, let same = contiguous { return same }
        return utf8.elementsEqual(other.utf8)
    }

    /// `withUTF8` without its mutable copy of the string, which costs a retain and a release:
    /// the exporters look at every string of every case.
    @inlinable
    public func withBorrowedUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

/// Byte equality of two buffers, the comparison under `hasSameUTF8`; the same memory is equal
/// without reading it.
func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard let x = a.baseAddress, let y = b.baseAddress, x != y else { return true }
    return memcmp(x, y, a.count) == 0
}

extension Array where Element == String {
    /// `hasSameUTF8(as:)` element by element; the same array storage is equal outright.
    public func hasSameUTF8(as other: [String]) -> Bool {
        guard count == other.count else { return false }
        let shared = withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        return shared || zip(self, other).allSatisfy { $0.hasSameUTF8(as: $1) }
    }
}
