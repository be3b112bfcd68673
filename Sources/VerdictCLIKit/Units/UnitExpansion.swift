/// Turns `--units` globs (and `--exclude` globs) into the sorted list of unit ids every worker
/// of a run must agree on, by walking the file tree from the current directory.
public struct UnitExpansion {
    public struct Outcome: Sendable, Equatable {
        public var units: [String]
        /// Patterns that matched nothing (worth a warning: usually a typo or the wrong directory).
        public var unmatched: [String]
    }

    /// Where relative patterns are walked from; `.` is the current directory, and ids stay
    /// relative to it.
    public var root: String

    public init(root: String = ".") {
        self.root = root
    }

    public func expand(_ patterns: [String], excluding exclusions: [String] = []) throws(FileError) -> Outcome {
        let excluded = exclusions.flatMap(Glob.compile)
        var found = Set<String>()
        var unmatched: [String] = []
        for pattern in patterns {
            var matches = Set<String>()
            for glob in Glob.compile(pattern) {
                if glob.isLiteral {
                    // A plain path names a unit as it is, file or directory (a Go package, a
                    // pytest folder), so long as it exists.
                    let id = Self.normalize(pattern: glob)
                    if FileSystem.kind(of: path(of: id, absolute: glob.absolute)) != nil { matches.insert(id) }
                } else {
                    try walk(glob.segments[...], directory: glob.absolute ? "/" : nil, into: &matches)
                }
            }
            if matches.isEmpty { unmatched.append(pattern) }
            found.formUnion(matches)
        }
        let units = found.filter { id in !excluded.contains { $0.matches(id) } }
        return Outcome(units: units.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, unmatched: unmatched)
    }

    /// `directory` is the id prefix walked so far (nil at the root).
    private func walk(_ segments: ArraySlice<Glob.Segment>, directory: String?, into matches: inout Set<String>) throws(FileError) {
        guard let segment = segments.first else { return }
        let isLast = segments.count == 1
        switch segment {
        case .literal(let name):
            let id = join(directory, name)
            switch FileSystem.kind(of: path(of: id, absolute: false)) {
            case .file? where isLast: matches.insert(id)
            case .directory? where !isLast: try walk(segments.dropFirst(), directory: id, into: &matches)
            default: break
            }
        case .anyDirectories:
            if isLast {
                try walkEverything(directory, into: &matches)
                return
            }
            try walk(segments.dropFirst(), directory: directory, into: &matches)
            for entry in try entries(directory) where entry.kind == .directory && Glob.mayDescend(into: entry.name.utf8) {
                try walk(segments, directory: join(directory, entry.name), into: &matches)
            }
        case .pattern(let pattern):
            for entry in try entries(directory) where Glob.matchName(pattern[...], Array(entry.name.utf8)[...], atStart: true) {
                let id = join(directory, entry.name)
                if isLast {
                    if entry.kind == .file { matches.insert(id) }
                } else if entry.kind == .directory {
                    try walk(segments.dropFirst(), directory: id, into: &matches)
                }
            }
        }
    }

    /// A trailing `**` takes every file below.
    private func walkEverything(_ directory: String?, into matches: inout Set<String>) throws(FileError) {
        for entry in try entries(directory) {
            let id = join(directory, entry.name)
            if entry.kind == .file, entry.name.first != "." { matches.insert(id) }
            if entry.kind == .directory, Glob.mayDescend(into: entry.name.utf8) { try walkEverything(id, into: &matches) }
        }
    }

    private func entries(_ directory: String?) throws(FileError) -> [(name: String, kind: FileSystem.Kind?)] {
        let path = path(of: directory ?? "", absolute: false)
        // A directory that vanished or cannot be read mid-walk has no units; only the root
        // itself must be readable.
        guard directory == nil || FileSystem.kind(of: path) == .directory else { return [] }
        return try FileSystem.entries(of: path.isEmpty ? "." : path)
    }

    private func join(_ directory: String?, _ name: String) -> String {
        guard let directory else { return name }
        return directory == "/" ? "/" + name : directory + "/" + name
    }

    private func path(of id: String, absolute: Bool) -> String {
        if absolute || id.hasPrefix("/") || root == "." { return id.isEmpty ? root : id }
        return id.isEmpty ? root : root + "/" + id
    }

    static func normalize(pattern glob: Glob) -> String {
        let names = glob.segments.map { segment -> String in
            if case .literal(let name) = segment { return name }
            return ""
        }
        return (glob.absolute ? "/" : "") + names.joined(separator: "/")
    }
}

/// `--units-from FILE|-`: one unit id per line, as `pytest --collect-only -q`, `go list ./...`
/// or `find` print them.
public enum UnitList {
    /// Blank lines and lines starting with `#` are skipped. The list ends at a line starting
    /// with `=` or at pytest's `N tests collected` / `no tests collected` footer, so pytest's
    /// summary and warnings sections are never taken for ids. Surrounding spaces are trimmed.
    public static func parse(_ text: String) -> [String] {
        var ids: [String] = []
        var seen = Set<String>()
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("=") || isPytestFooter(line) { break }
            if seen.insert(line).inserted { ids.append(line) }
        }
        return ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func isPytestFooter(_ line: String) -> Bool {
        if line.hasPrefix("no tests collected") || line.hasPrefix("no tests ran") { return true }
        // `12 tests collected in 0.03s`, `1 test collected`, `3/40 tests collected (37 deselected)`.
        let words = line.split(separator: " ")
        guard words.count >= 3, words[0].allSatisfy({ $0.isNumber || $0 == "/" }) else { return false }
        return (words[1] == "tests" || words[1] == "test") && words[2] == "collected"
    }

    private static func trimmed(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
