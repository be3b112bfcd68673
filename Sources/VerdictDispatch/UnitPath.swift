/// How a unit's id maps onto files and folders. Ids look like pytest node ids:
/// `pkg/tests/test_x.py::TestClass::test_name[param]`, or a bare file path for file units.
public enum UnitPath {
    /// The part before the first `::`: the file a test lives in, or the id itself for a file unit.
    /// Parameters may contain `/` (`test[a/b]`), so the folder is only ever taken from this part.
    public static func file(of id: String) -> Substring {
        var utf8 = id.utf8[...]
        while let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
            let next = utf8.index(after: colon)
            if next < utf8.endIndex, utf8[next] == UInt8(ascii: ":") { return id[..<colon] }
            utf8 = utf8[next...]
        }
        return id[...]
    }

    /// The folder of a unit: its file's path up to the last `/`, or nil for a file at the root
    /// (such a unit has no folder to borrow an estimate from).
    public static func folder(of id: String) -> Substring? {
        let path = file(of: id)
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return path[..<slash]
    }

    /// The unit's folder, then each parent up to the top-level folder (nearest first). The root
    /// itself is not listed: its "median" would be the global median, which has its own place in
    /// the estimator's order of fallbacks.
    public static func folders(of id: String) -> [Substring] {
        var result: [Substring] = []
        var current = folder(of: id)
        while let folder = current, !folder.isEmpty {
            result.append(folder)
            current = folder.utf8.lastIndex(of: UInt8(ascii: "/")).map { folder[..<$0] }
        }
        return result
    }

    /// Byte order of UTF-8, the order `COLLATE "C"` gives in PostgreSQL and Python's `sorted` on
    /// `str` gives: unlike `String.<` it does not depend on Unicode normalisation, so every job
    /// and the database agree on ties.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
