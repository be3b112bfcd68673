import VerdictReports

extension JUnitExporter {
    /// Exports a whole parsed report, cases in their order (see `SuiteGrouping`).
    public static func export(_ report: ParsedReport, name: String? = nil, to sink: @escaping ExportSink) throws(ExportError) {
        let exporter = try JUnitExporter(sink: sink)
        try exporter.begin(
            name: name ?? report.toolName ?? "", totals: report.totals, durationMs: report.durationMs,
            timestamp: report.startedAtMs.map(ISOTimestamp.format))
        for group in SuiteGrouping(report.suites).groups(report.cases) {
            try exporter.writeSuite(group.suite, cases: group.cases)
        }
        try exporter.finish()
    }
}

extension CTRFExporter {
    /// Exports a whole parsed report, cases in their order.
    public static func export(_ report: ParsedReport, toolName: String? = nil, to sink: @escaping ExportSink) throws(ExportError) {
        let exporter = CTRFExporter(sink: sink)
        let stop = report.startedAtMs.flatMap { start in report.durationMs.map { start + Int64($0.rounded()) } }
        try exporter.begin(
            toolName: toolName ?? report.toolName ?? "verdict", toolVersion: report.toolVersion, totals: report.totals,
            startedAtMs: report.startedAtMs, stoppedAtMs: stop)
        for testCase in report.cases { try exporter.write(testCase) }
        try exporter.finish()
    }
}
