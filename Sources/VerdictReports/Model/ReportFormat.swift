/// The report formats Verdict can ingest. The raw values are the names the API accepts as an
/// explicit `format` override.
public enum ReportFormat: String, Sendable, CaseIterable, Equatable {
    case junit
    case playwright
    case mochawesome
    case jest
    case ctrf

    /// Resolves a user-supplied format name. Aliases cover the names people reach for first
    /// (`cypress` uploads are mochawesome files, `detox` writes Jest's JSON).
    public static func named(_ name: String) throws(ReportParseError) -> ReportFormat {
        switch name.lowercased() {
        case "junit", "junit-xml", "xunit", "xml": return .junit
        case "playwright", "playwright-json": return .playwright
        case "mochawesome", "cypress", "mocha": return .mochawesome
        case "jest", "jest-json", "detox": return .jest
        case "ctrf": return .ctrf
        default:
            throw ReportParseError(
                .unsupportedFormat,
                "unsupported report format '\(name)'; expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
