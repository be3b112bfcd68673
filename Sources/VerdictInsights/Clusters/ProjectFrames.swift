/// The stack frames of the project's own code, nearest to the error first, normalised so that
/// they read the same on every machine: `src/cart/total.ts:computeTotal`, `tests/test_x.py:test_y`,
/// `org.acme.CartTest.total` (no line or column numbers).
enum ProjectFrames {
    /// The first `FingerprintLimits.frames` project frames; nil when no line of `b` is a frame at
    /// all (so the caller can look in the message instead), empty when every frame is a library's.
    static func extract(_ b: [UInt8], _ lines: [Range<Int>]) -> [[UInt8]]? {
        var sawFrame = false
        var frames: [[UInt8]] = []
        for line in lines {
            guard let frame = StackFrameLine.parse(b, line) else { continue }
            sawFrame = true
            let key: [UInt8]
            if frame.isQualifiedName {
                if LibraryFrames.isLibraryName(b, frame.function) { continue }
                key = maskGeneratedNumbers(b[frame.function])
            } else {
                if LibraryFrames.isLibraryPath(b, frame.location) { continue }
                var path = SourceLocation.normalise(b[frame.location])
                guard !path.isEmpty else { continue }
                if !frame.function.isEmpty {
                    path.append(0x3A)
                    path.append(contentsOf: b[frame.function])
                }
                key = path
            }
            // A recursive or re-entered function is one frame.
            if frames.last == key { continue }
            frames.append(key)
            if frames.count == FingerprintLimits.frames { break }
        }
        return sawFrame ? frames : nil
    }

    /// `lambda$submit$3`, `access$200`, `TestResult$1`: the numbers compilers give anonymous
    /// and synthetic members change when unrelated code is added.
    private static func maskGeneratedNumbers(_ name: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.count)
        var i = name.startIndex
        while i < name.endIndex {
            let c = name[i]
            out.append(c)
            i += 1
            if c == 0x24, i < name.endIndex, ByteText.isDigit(name[i]) {
                while i < name.endIndex, ByteText.isDigit(name[i]) { i += 1 }
                out.append(contentsOf: Array("<num>".utf8))
            }
        }
        return out
    }
}
