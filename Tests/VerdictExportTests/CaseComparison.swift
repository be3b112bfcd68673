import VerdictReports

/// Field-by-field differences between a case and its round-tripped copy, as readable lines.
/// Durations may differ by the export's rounding (whole milliseconds); nothing else may.
struct CaseComparison {
    var differences: [String] = []

    mutating func check<T: Equatable>(_ what: String, _ original: T, _ copy: T) {
        if original != copy { differences.append("\(what): \(original) → \(copy)") }
    }

    mutating func checkDuration(_ what: String, _ original: Double?, _ copy: Double?) {
        switch (original, copy) {
        case (nil, nil): break
        case let (a?, b?) where abs(a - b) <= 0.5 + 1e-6: break
        default: differences.append("\(what): \(String(describing: original)) → \(String(describing: copy))")
        }
    }

    mutating func checkAttempts(_ original: [ParsedAttempt], _ copy: [ParsedAttempt], errors: (ParsedError) -> ParsedError = { $0 }) {
        check("attempt count", original.count, copy.count)
        for (i, (a, b)) in zip(original, copy).enumerated() {
            check("attempt \(i) index", a.index, b.index)
            check("attempt \(i) status", a.status, b.status)
            checkDuration("attempt \(i) duration", a.durationMs, b.durationMs)
            check("attempt \(i) errors", a.errors.map(errors), b.errors)
            check("attempt \(i) stdout", a.stdout, b.stdout)
            check("attempt \(i) stderr", a.stderr, b.stderr)
            check("attempt \(i) start", a.startedAtMs, b.startedAtMs)
        }
    }
}
