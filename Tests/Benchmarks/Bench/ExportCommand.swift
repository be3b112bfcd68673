#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import VerdictExport
import VerdictReports

/// Times the JUnit and CTRF writers alone on a parsed report (no database, no upload): the
/// document-writing share of an export, best of three.
enum ExportCommand {
    static func run(path: String) throws(BenchError) {
        let report: ParsedReport
        do {
            report = try ReportParser.parse(try readFile(path))
        } catch {
            throw BenchError("\(path): \(error)")
        }
        for kind in ["junit", "ctrf"] {
            var best = Double.infinity
            var size = 0
            for _ in 0..<3 {
                var written = 0
                let sink: ExportSink = { written += $0.count }
                let clock = ContinuousClock()
                let start = clock.now
                do {
                    if kind == "junit" {
                        try JUnitExporter.export(report, to: sink)
                    } else {
                        try CTRFExporter.export(report, to: sink)
                    }
                } catch {
                    throw BenchError("export \(kind): \(error)")
                }
                let elapsed = clock.now - start
                best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                size = written
            }
            Console.print(
                "export=\(kind) cases=\(report.cases.count) size_mb=\(ParseCommand.fixed(Double(size) / 1_048_576)) "
                    + "seconds=\(ParseCommand.fixed(best, 3)) cases_per_s=\(Int(Double(report.cases.count) / best))")
        }
    }

    static func readFile(_ path: String) throws(BenchError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw BenchError("cannot read \(path)") }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}
