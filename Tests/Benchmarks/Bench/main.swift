#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import VerdictReports

/// `verdict-bench`: makes large reports and times the parsers and writers on them (see
/// Tests/Benchmarks/run.sh).
let usage = """
    usage: verdict-bench generate-junit <path> [--cases 100000] [--failure-rate 0.05] [--suites 20]
           verdict-bench generate-playwright <path> [--tests 20000]
           verdict-bench parse <path> [--format junit|playwright|mochawesome|jest|ctrf]
           verdict-bench export <path>     (times the JUnit and CTRF writers on the parsed report)
           verdict-bench shard-sim --durations FILE [--workers 2,4,8,16,32] [--sigma 0.4] [--seeds 20] [--first-seed 1]
                                   [--latency-ms 50] [--granularity test|file] [--candidates 1024]
                                   [--batch-divisor 2] [--min-batch-pulls 10] [--spread-weight 2]
                                   [--trace-seed S]
             Verdict's dispatch on a simulated clock; one JSON line per N: file, workers,
             lower_bound_s (mean over seeds of the per-seed bound max(realised total / N, longest
             realised unit), latency excluded), mean_ratio and worst_ratio (realised makespan /
             that seed's bound), pulls_mean (every checkout call, the final empty ones included).
           verdict-bench flaky [--tests 4000] [--seed 1] [--explain N]
                               [--change-rate R] [--prior-flaky P] [--prior-beta B] [--activation A]
                               [--rerun-rate 0.15] [--retry-share 0.3] [--burst-rate 0.04] [--list-corpus 1]
             The flakiness classifier: precision, recall and confusion matrix on the labelled
             benchmark (synthetic histories + the corpus' retries), then the time to classify
             5,000 tests x 200 runs. --explain prints N misclassified histories to stderr;
             the other options override the classifier's defaults and the
             generator's share of same-commit reruns, tests with retries and outage runs;
             --list-corpus 1 lists the corpus' retried cases to stderr.
           verdict-bench clusters [--failures 10000] [--runs 5]
             Times fingerprinting and clustering that many failures (best run), then the pairwise
             precision/recall on the labelled set (Tests/Fixtures/clusters); two JSON lines.
    """

func runCommand(_ arguments: [String]) throws(BenchError) {
    guard let command = arguments.first else { throw BenchError(usage) }
    let options = try Options(arguments.dropFirst())
    if command == "shard-sim" { return try ShardSim.run(options) }
    if command == "flaky" { return try FlakyCommand.run(options) }
    if command == "clusters" { return try ClusterCommand.run(options) }
    guard let path = options.positional.first else { throw BenchError(usage) }
    switch command {
    case "generate-junit":
        let generator = JUnitGenerator(
            cases: try options.int("cases", default: 100_000), suites: max(1, try options.int("suites", default: 20)),
            failureRate: try options.double("failure-rate", default: 0.05))
        let out = try FileWriter(path: path)
        generator.write(to: out)
        Console.print("wrote \(path): \(generator.cases) cases, \(out.bytesWritten / 1_048_576) MB")
    case "generate-playwright":
        let generator = PlaywrightGenerator(tests: try options.int("tests", default: 20_000))
        let out = try FileWriter(path: path)
        generator.write(to: out)
        Console.print("wrote \(path): \(generator.tests) tests, \(out.bytesWritten / 1_048_576) MB")
    case "parse":
        var format: ReportFormat?
        if let name = options.string("format") {
            do { format = try ReportFormat.named(name) } catch { throw BenchError(error.description) }
        }
        try ParseCommand.run(path: path, format: format)
    case "export":
        try ExportCommand.run(path: path)
    default:
        throw BenchError(usage)
    }
}

do {
    try runCommand(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.error("verdict-bench: \(error)")
    exit(1)
}
