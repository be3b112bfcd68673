/// "A unit that is a file sums its tests": per-test history folded into per-file history, for
/// runs that dispatch whole files (Playwright's default, or suites with expensive file set-up).
public enum FileUnits {
    /// Sums the tests of each file (the id part before `::`). Means add; variances add as if the
    /// tests varied independently (a shared slow fixture would make them covary, so this is a
    /// lower bound on the file's spread); `samples` is the fewest any of its tests has, since the
    /// file is only as well known as its least known test.
    public static func history(fromTests tests: [String: DurationStats]) -> [String: DurationStats] {
        var files: [String: DurationStats] = [:]
        for (id, stats) in tests where stats.samples > 0 {
            let file = String(UnitPath.file(of: id))
            if var sum = files[file] {
                sum.meanMs += stats.meanMs
                sum.varianceMs2 += stats.varianceMs2
                sum.samples = min(sum.samples, stats.samples)
                files[file] = sum
            } else {
                files[file] = stats
            }
        }
        return files
    }

    /// Test ids grouped by file, files in first-seen order and tests in the order given.
    public static func group(_ testIDs: [String]) -> [(file: String, tests: [String])] {
        var order: [String] = []
        var tests: [String: [String]] = [:]
        for id in testIDs {
            let file = String(UnitPath.file(of: id))
            if tests[file] == nil { order.append(file) }
            tests[file, default: []].append(id)
        }
        return order.map { ($0, tests[$0]!) }
    }
}
