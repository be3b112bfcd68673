import Foundation
import VerdictJSON
import VerdictReports
import XCTest

/// The shared corpus of real report files and the totals `expected.py` computed for them.
struct Corpus {
    let root: URL
    /// Relative path → expected.json entry.
    let expected: [String: JSON]

    /// `VERDICT_CORPUS`, or `shared/corpus` next to the repository (`/work/shared/corpus` for
    /// `/work/main`). Missing corpus is a test failure, not a skip: it would hide regressions.
    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> Corpus {
        let root: URL
        if let override = ProcessInfo.processInfo.environment["VERDICT_CORPUS"], !override.isEmpty {
            root = URL(fileURLWithPath: override)
        } else {
            root =
                URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
                .appendingPathComponent("../../../shared/corpus").standardizedFileURL
        }
        let expectedURL = root.appendingPathComponent("expected.json")
        guard FileManager.default.fileExists(atPath: expectedURL.path) else {
            XCTFail("report corpus not found at \(root.path) (set VERDICT_CORPUS)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        let json = try JSON.parse(Array(try Data(contentsOf: expectedURL)))
        var expected: [String: JSON] = [:]
        for (key, value) in json.objectValue?.pairs ?? [] { expected[key] = value }
        return Corpus(root: root, expected: expected)
    }

    /// Every report file (relative paths), i.e. everything but the corpus' own metadata.
    func files() -> [String] {
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

    func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// The directory a file sits in names its format.
    static func format(of relativePath: String) -> ReportFormat? {
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
    func count(_ key: String) -> Int { Int(self[key]?.intValue ?? 0) }
}
