import VerdictJSON

/// A JSON report as the format parsers see it: the top level as a value, and the long arrays of
/// tests walked element by element.
struct JSONDocument {
    /// The document. The arrays that `forEachElement` walks must be read through it, not here.
    var root: JSON

    /// Calls `body` with each element of the array at `path` (object keys from the top), with its
    /// index; nothing when there is no array there.
    func forEachElement(
        at path: [String], _ body: (Int, JSON) throws(ReportStreamError) -> Void
    ) throws(ReportStreamError) {
        var node: JSON? = root
        for key in path { node = node?[key] }
        guard let elements = node?.arrayValue else { return }
        for (index, element) in elements.enumerated() { try body(index, element) }
    }
}
