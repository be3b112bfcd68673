/// A frame's file as the fingerprint keeps it: the same on every machine and checkout.
///
/// CI checkouts differ in their prefix (`/home/runner/work/app/app/`, `C:\a\1\s\`, `/builds/x/`,
/// a developer's home), so the path is cut at the first well-known source root (`src`, `lib`,
/// `test(s)`, `spec`, `__tests__`, `e2e`, `packages`, `cypress`, `cmd`, `pkg`, `internal`); a
/// path with none of them keeps only its file name. URLs (`webpack://app/./src/x.ts`,
/// `http://localhost:6006/__cypress/tests?p=cypress/e2e/a.js`) lose scheme, host and query, and
/// Windows separators become `/`.
enum SourceLocation {
    static func normalise(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var path = raw
        if let scheme = findSubsequence(path, Array("://".utf8)) {
            let afterScheme = scheme + 3
            // Cypress serves specs as `…/__cypress/tests?p=<spec path>`.
            if let p = findSubsequence(path, Array("?p=".utf8)) ?? findSubsequence(path, Array("&p=".utf8)) {
                path = path[(p + 3)...]
                if let amp = path.firstIndex(of: 0x26) { path = path[..<amp] }
            } else {
                let slash = path[afterScheme...].firstIndex(of: 0x2F) ?? path.endIndex
                path = path[slash...]
            }
        }
        if let query = path.firstIndex(where: { $0 == 0x3F || $0 == 0x23 }) { path = path[..<query] }
        var segments: [ArraySlice<UInt8>] = []
        var start = path.startIndex
        for index in path.indices where path[index] == 0x2F || path[index] == 0x5C {
            segments.append(path[start..<index])
            start = index + 1
        }
        segments.append(path[start...])
        segments.removeAll { $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) }
        guard let last = segments.last else { return [] }
        if let root = segments.firstIndex(where: { segment in markers.contains { segment.elementsEqual($0) } }) {
            let kept = segments[max(root, segments.count - 6)...]
            var out: [UInt8] = []
            for (offset, segment) in kept.enumerated() {
                if offset > 0 { out.append(0x2F) }
                out.append(contentsOf: segment)
            }
            return out
        }
        return Array(last)
    }

    private static let markers: [[UInt8]] = [
        "src", "lib", "test", "tests", "spec", "specs", "__tests__", "e2e", "packages", "cypress", "cmd", "pkg", "internal",
        "Sources", "Tests",
    ].map { Array($0.utf8) }

    static func findSubsequence(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == needle[0], haystack[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
