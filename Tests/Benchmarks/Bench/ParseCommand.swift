#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import VerdictReports

/// Counts what streams past and keeps nothing, the way the ingest's COPY would not.
struct CountingSink: ReportSink {
    var cases = 0
    var attempts = 0
    var suitesAnnounced = 0

    mutating func suiteStarted(_ suite: ParsedSuite, index: Int) throws(ReportSinkError) { suitesAnnounced += 1 }

    mutating func accept(_ testCase: ParsedCase) throws(ReportSinkError) {
        cases += 1
        attempts += testCase.attempts.count
    }
}

enum ParseCommand {
    /// One line of `key=value` pairs, for people and for run.sh alike.
    static func run(path: String, format: ReportFormat?) throws(BenchError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw BenchError("cannot stat \(path)") }
        var sink = CountingSink()
        let clock = ContinuousClock()
        let start = clock.now
        let summary: ReportSummary
        do {
            summary = try ReportParser.parse(file: path, format: format, into: &sink)
        } catch {
            throw BenchError("\(path): \(error)")
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(info.st_size) / 1_048_576
        Console.print(
            "format=\(summary.format.rawValue) cases=\(sink.cases) attempts=\(sink.attempts) suites=\(summary.suites.count) "
                + "\(summary.totals) size_mb=\(fixed(megabytes)) seconds=\(fixed(seconds, 3)) "
                + "mb_per_s=\(fixed(megabytes / seconds)) peak_rss_mb=\(fixed(Double(peakRSSBytes()) / 1_048_576))")
    }

    static func fixed(_ value: Double, _ digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
