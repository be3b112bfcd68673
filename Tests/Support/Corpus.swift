import Foundation
import VerdictJSON
import VerdictReports

/// The shared corpus of real report files and the totals `expected.py` computed for them, as
/// every test target that reads it finds it.
public struct Corpus {
    public struct NotFound: Error, CustomStringConvertible {
        public var root: URL
        public var description: String { "report corpus not found at \(root.path) (set VERDICT_CORPUS)" }
    }

    public let root: URL
    /// Relative path → expected.json entry.
    public let expected: [String: JSON]

    /// `VERDICT_CORPUS`, or `shared/corpus` next to the repository (`/work/shared/corpus` for
    /// `/work/main`). A missing corpus throws, so tests fail rather than skip: a skip would hide
    /// regressions.
    public static func load() throws -> Corpus {
        let root: URL
        if let override = ProcessInfo.processInfo.environment["VERDICT_CORPUS"], !override.isEmpty {
            root = URL(fileURLWithPath: override)
        } else {
            root =
                URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
                .appendingPathComponent("../../../shared/corpus").standardizedFileURL
        }
        let expectedURL = root.appendingPathComponent("expected.json")
        guard FileManager.default.fileExists(atPath: expectedURL.path) else { throw NotFound(root: root) }
        let json = try JSON.parse(Array(try Data(contentsOf: expectedURL)))
        var expected: [String: JSON] = [:]
        for (key, value) in json.objectValue?.pairs ?? [] { expected[key] = value }
        return Corpus(root: root, expected: expected)
    }

    /// Every report file (relative paths), i.e. everything but the corpus' own metadata.
    public func files() -> [String] {
        let skip: Set = ["expected.py", "expected.json", "MANIFEST.md"]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [String] = []
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                !skip.contains(url.lastPathComponent)
            else { continue }
            found.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
        }
        return found.sorted()
    }

    /// Files that parse as reports (expected.json lists the others as parse errors).
    public func reportFiles() -> [String] {
        expected.filter { $0.value["parse_error"] == nil && $0.value["not_a_report"] == nil }.keys.sorted()
    }

    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    public func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }

    public func report(_ relativePath: String) throws -> ParsedReport {
        try ReportParser.parse(try bytes(relativePath))
    }

    /// The directory a file sits in names its format.
    public static func format(of relativePath: String) -> ReportFormat? {
        switch relativePath.split(separator: "/").first {
        case "junit": .junit
        case "ctrf": .ctrf
        case "playwright-json": .playwright
        case "mochawesome": .mochawesome
        case "jest-json": .jest
        default: nil
        }
    }
}

extension JSON {
    public func count(_ key: String) -> Int { Int(self[key]?.intValue ?? 0) }
}
