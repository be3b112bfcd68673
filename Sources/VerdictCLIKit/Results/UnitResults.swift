import VerdictReports

/// A unit's outcome as the orchestration API takes it.
public enum UnitStatus: String, Sendable, Equatable {
    case passed, failed, skipped, errored
}

public struct UnitResult: Sendable, Equatable {
    public var unit: String
    public var status: UnitStatus
    public var durationMs: Int
    public var error: String?

    public init(unit: String, status: UnitStatus, durationMs: Int, error: String? = nil) {
        self.unit = unit
        self.status = status
        self.durationMs = durationMs
        self.error = error
    }
}

/// What became of the batch's report file.
public enum ReportReading: Sendable, Equatable {
    /// No `--report`: the exit status is all there is.
    case notRequested
    /// `--report` was given but the command wrote nothing there.
    case missing(path: String)
    /// The file is there but is not a report the parsers take.
    case unreadable(path: String, reason: String)
    case parsed(cases: [ParsedCase], runErrors: [ParsedError])
}

/// Maps a batch's report to per-unit results.
///
/// Each parsed case is given to the unit that names it most precisely (see `UnitMatcher`). A
/// unit with cases is:
/// - `failed` when any of its cases failed or errored (a flaky case, passed on retry, counts as
///   passed), with the first failing case's title and message as its error;
/// - `skipped` when every case was skipped;
/// - `passed` otherwise.
///
/// A unit the report says nothing about is `skipped` when the command exited 0 (it ran and found
/// no tests) and `errored` when it did not (it crashed, failed to load, was killed); without a
/// usable report every unit is decided that way by the exit status alone: 0 is `passed`, another
/// status `failed`, death by a signal `errored`. A missing or unparseable `--report` makes every
/// unit `errored`, with the reason. Durations are the sum of the unit's case durations, else an
/// even share of the batch's wall time.
public enum UnitResults {
    static let maximumErrorLength = 2_000

    public static func map(units: [String], exit: ChildExit, wallMs: Int, report: ReportReading) -> [UnitResult] {
        let share = units.isEmpty ? 0 : wallMs / units.count
        switch report {
        case .notRequested:
            return units.map { unit in
                switch exit {
                case .exited(0): UnitResult(unit: unit, status: .passed, durationMs: share)
                case .exited: UnitResult(unit: unit, status: .failed, durationMs: share, error: "the command ended with \(exit)")
                case .signaled: UnitResult(unit: unit, status: .errored, durationMs: share, error: "the command was \(exit)")
                }
            }
        case .missing(let path):
            return units.map {
                UnitResult(unit: $0, status: .errored, durationMs: share, error: "no report at \(path); the command ended with \(exit)")
            }
        case .unreadable(let path, let reason):
            return units.map {
                UnitResult(
                    unit: $0, status: .errored, durationMs: share,
                    error: clip("the report \(path) could not be read (\(reason)); the command ended with \(exit)"))
            }
        case .parsed(let cases, let runErrors):
            let owners = UnitMatcher(units: units).assign(cases)
            var byUnit = [[Int]](repeating: [], count: units.count)
            for (caseIndex, unitIndices) in owners.enumerated() {
                for unitIndex in unitIndices { byUnit[unitIndex].append(caseIndex) }
            }
            let runError = runErrors.first.flatMap { $0.message ?? $0.type }
            return units.indices.map { index in
                summarize(units[index], cases: byUnit[index].map { cases[$0] }, exit: exit, share: share, runError: runError)
            }
        }
    }

    static func summarize(_ unit: String, cases: [ParsedCase], exit: ChildExit, share: Int, runError: String?) -> UnitResult {
        guard !cases.isEmpty else {
            if exit.succeeded && runError == nil {
                return UnitResult(unit: unit, status: .skipped, durationMs: share, error: "the report has no test of this unit")
            }
            let why = runError.map { ": \($0)" } ?? ""
            return UnitResult(
                unit: unit, status: .errored, durationMs: share,
                error: clip("the command ended with \(exit) and the report has no test of this unit\(why)"))
        }
        let durations = cases.compactMap(\.durationMs)
        let duration = durations.isEmpty ? share : Int(durations.reduce(0, +).rounded())
        if let failing = cases.first(where: { $0.status == .failed || $0.status == .errored }) {
            let count = cases.count(where: { $0.status == .failed || $0.status == .errored })
            let attempt = failing.attempts.last
            let message = attempt?.error?.message ?? attempt?.error?.type ?? failing.rawStatus
            let more = count > 1 ? " (and \(count - 1) more failed)" : ""
            return UnitResult(unit: unit, status: .failed, durationMs: duration, error: clip("\(failing.fullTitle): \(message)\(more)"))
        }
        if cases.allSatisfy({ $0.status == .skipped }) {
            return UnitResult(unit: unit, status: .skipped, durationMs: duration)
        }
        return UnitResult(unit: unit, status: .passed, durationMs: duration)
    }

    static func clip(_ text: String) -> String {
        guard text.count > maximumErrorLength else { return text }
        return String(text.prefix(maximumErrorLength - 1)) + "…"
    }
}

/// Decides which unit each case belongs to.
///
/// A case's place is its `file` when the report gives one (Playwright, Jest, JUnit with `file`
/// attributes), else its classname: a dotted module (`tests.test_lib.TestLogin` for pytest's
/// JUnit) or a slash path (a Go package in gotestsum's JUnit), else a suite name holding a `/`.
/// Paths are compared by whole components from the end, so a Jest absolute path
/// (`/home/runner/work/app/src/a.test.ts`) meets `src/a.test.ts` and a Playwright path relative
/// to its `testDir` (`login.spec.ts`) meets `tests/login.spec.ts`. Candidates rank:
/// 1. pytest node ids and `file:line` locations of the matching file, when the case's name
///    (`test_x`, `test_x[param]`, classes as in the id) or line fits: a location owns the
///    cases from its line up to the next location of the same file; without line numbers every
///    location of the file owns them all;
/// 2. a path ending with the case's path, or the reverse, the more components in common the
///    better;
/// 3. a directory that contains the case's file.
/// A case goes to every unit with the best rank (two units that the report cannot tell apart
/// share it), and to none when nothing matches.
struct UnitMatcher {
    let keys: [UnitKey]

    init(units: [String]) {
        keys = units.map(UnitKey.init)
    }

    /// For each case, the indices of the units it belongs to.
    func assign(_ cases: [ParsedCase]) -> [[Int]] {
        cases.map(owners)
    }

    struct Rank: Comparable {
        var tier: Int
        var overlap: Int
        var line: Int

        static func < (a: Rank, b: Rank) -> Bool { (a.tier, a.overlap, a.line) < (b.tier, b.overlap, b.line) }
    }

    func owners(of testCase: ParsedCase) -> [Int] {
        let place = CasePlace(testCase)
        var best: Rank?
        var owners: [Int] = []
        for (index, key) in keys.enumerated() {
            guard let rank = rank(key, place, testCase) else { continue }
            if best == nil || rank > best! {
                best = rank
                owners = [index]
            } else if rank == best! {
                owners.append(index)
            }
        }
        return owners
    }

    private func rank(_ key: UnitKey, _ place: CasePlace, _ testCase: ParsedCase) -> Rank? {
        switch key.kind {
        case .path:
            guard let (tier, overlap) = place.pathMatch(key) else { return nil }
            return Rank(tier: tier, overlap: overlap, line: 0)
        case .location(let line):
            guard let (tier, overlap) = place.pathMatch(key), tier == 2 else { return nil }
            guard let caseLine = testCase.line else { return Rank(tier: 3, overlap: overlap, line: 0) }
            guard line <= caseLine else { return nil }
            return Rank(tier: 3, overlap: overlap, line: line)
        case .node(let names):
            guard let (tier, overlap) = place.pathMatch(key), tier == 2, Self.namesMatch(names, testCase) else { return nil }
            return Rank(tier: 3, overlap: overlap, line: 0)
        }
    }

    /// `test_x` takes `test_x` and its parameterizations `test_x[a]`; `test_x[a]` only itself.
    /// Classes in the id (`TestLogin::test_x`) must end the case's classname or suite path.
    static func namesMatch(_ names: [String], _ testCase: ParsedCase) -> Bool {
        guard let name = names.last else { return false }
        let title = testCase.title
        guard title == name || (!name.utf8.contains(UInt8(ascii: "[")) && title.hasPrefix(name + "[")) else { return false }
        let classes = Array(names.dropLast())
        guard !classes.isEmpty else { return true }
        if let classname = testCase.classname, !classname.isEmpty {
            let parts = classname.split(separator: ".").map(String.init)
            if parts.count >= classes.count, Array(parts.suffix(classes.count)) == classes { return true }
        }
        return testCase.suitePath.count >= classes.count && Array(testCase.suitePath.suffix(classes.count)) == classes
    }
}

/// Where a case says it lives, as path components to compare with units.
struct CasePlace {
    /// Real file paths (or package paths), strongest first.
    var paths: [[String]] = []
    /// A dotted classname's prefixes, longest first (`a.b.C` → `a.b.C`, `a.b`, `a`).
    var modules: [[String]] = []

    init(_ testCase: ParsedCase) {
        if let file = testCase.file, !file.isEmpty {
            paths.append(UnitKey.components(of: Substring(file)))
        } else if let classname = testCase.classname, !classname.isEmpty {
            if classname.utf8.contains(UInt8(ascii: "/")) {
                paths.append(UnitKey.components(of: Substring(classname)))
            } else {
                let parts = classname.split(separator: ".").map(String.init)
                modules = (1...parts.count).reversed().map { Array(parts.prefix($0)) }
            }
        }
        for suite in testCase.suitePath where suite.utf8.contains(UInt8(ascii: "/")) {
            paths.append(UnitKey.components(of: Substring(suite)))
        }
    }

    /// The best (tier, overlap) between the unit's path and any of the case's: tier 2 when one
    /// ends with the other, tier 1 when the unit is a directory above the case's file.
    func pathMatch(_ key: UnitKey) -> (Int, Int)? {
        var best: (Int, Int)?
        func consider(_ unit: [String], _ candidate: [String]) {
            guard let found = Self.compare(unit, candidate) else { return }
            if best == nil || found > best! { best = found }
        }
        for path in paths { consider(key.components, path) }
        if !modules.isEmpty {
            let unit = key.moduleComponents
            for module in modules { consider(unit, module) }
        }
        return best
    }

    static func compare(_ unit: [String], _ candidate: [String]) -> (Int, Int)? {
        guard !unit.isEmpty, !candidate.isEmpty else { return nil }
        let overlap = min(unit.count, candidate.count)
        if unit.suffix(overlap).elementsEqual(candidate.suffix(overlap)) { return (2, overlap) }
        // A directory unit: its components appear, in order, before the case's last component.
        let directories = candidate.dropLast()
        guard unit.count <= directories.count else { return nil }
        for start in directories.indices where start + unit.count <= directories.endIndex {
            if directories[start..<(start + unit.count)].elementsEqual(unit) { return (1, unit.count) }
        }
        return nil
    }
}
