import VerdictReports

/// Splits a report's cases into `<testsuite>`s without reordering them: each run of consecutive
/// cases that belong to the same suite becomes one group. A case belongs to the suite whose path
/// is the longest prefix of its own; failing that, to a suite named after its file (Playwright's
/// file suites); failing that, to an unnamed suite, which adds nothing to the path on re-import.
struct SuiteGrouping {
    private var byPath: [[String]: Int] = [:]
    private var byFileName: [String: Int] = [:]
    private let suites: [ParsedSuite]

    init(_ suites: [ParsedSuite]) {
        self.suites = suites
        for (index, suite) in suites.enumerated() {
            if byPath[suite.path] == nil { byPath[suite.path] = index }
            if suite.path.count == 1, byFileName[suite.name] == nil { byFileName[suite.name] = index }
        }
    }

    func groups(_ cases: [ParsedCase]) -> [(suite: ParsedSuite, cases: ArraySlice<ParsedCase>)] {
        var groups: [(suite: ParsedSuite, cases: ArraySlice<ParsedCase>)] = []
        var start = 0
        var current: Int?? = .none
        for (position, testCase) in cases.enumerated() {
            let owner = suiteIndex(of: testCase)
            if let previous = current, previous != owner {
                groups.append((suite(previous), cases[start..<position]))
                start = position
            }
            current = .some(owner)
        }
        if let last = current { groups.append((suite(last), cases[start..<cases.count])) }
        return groups
    }

    private func suite(_ index: Int?) -> ParsedSuite {
        index.map { suites[$0] } ?? ParsedSuite(name: "", path: [])
    }

    private func suiteIndex(of testCase: ParsedCase) -> Int? {
        var length = testCase.suitePath.count
        while length > 0 {
            if let index = byPath[Array(testCase.suitePath.prefix(length))] { return index }
            length -= 1
        }
        return testCase.file.flatMap { byFileName[$0] }
    }
}
