/// Figures as the dashboard shows them, without Foundation's formatters. English forms only:
/// the dashboard has no other locale yet. Non-finite values show as an en dash.
public enum Format {
    static let missing = "–"

    /// `1,234,567`.
    public static func count(_ value: Int) -> String {
        var digits: [UInt8] = []
        Digits.append(value.magnitude, to: &digits)
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + digits.count / 3 + 1)
        if value < 0 { out.append(UInt8(ascii: "-")) }
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` rounded to at most `maxFractionDigits` decimals, trailing zeros dropped: `12.5`, `3`.
    public static func decimal(_ value: Double, maxFractionDigits: Int = 2) -> String {
        guard value.isFinite else { return missing }
        var out: [UInt8] = []
        Digits.append(value, maxFractionDigits: maxFractionDigits, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` with exactly `fractionDigits` decimals: `12.50`.
    public static func fixed(_ value: Double, fractionDigits: Int) -> String {
        guard value.isFinite else { return missing }
        var out: [UInt8] = []
        Digits.append(value, maxFractionDigits: fractionDigits, trimZeros: false, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A fraction (0…1) as a percentage: `98.4%`, `100%`.
    ///
    /// A rate that is not exactly 1 never shows as `100%`, nor one that is not exactly 0 as `0%`:
    /// "100% passed" with a failure in it would be a lie the reader acts on.
    public static func percent(_ fraction: Double, maxFractionDigits: Int = 1) -> String {
        guard fraction.isFinite else { return missing }
        let digits = min(max(maxFractionDigits, 0), 6)
        var step = 1.0
        for _ in 0..<digits { step /= 10 }
        var percent = fraction * 100
        let rounded = (percent / step).rounded() * step
        if fraction < 1 && rounded >= 100 { percent = 100 - step }
        if fraction > 0 && rounded <= 0 { percent = step }
        return decimal(percent, maxFractionDigits: digits) + "%"
    }

    /// A duration the way a test report reads: `0.4 ms`, `850 ms`, `12.5 s`, `2 min 5 s`, `1 h 2 min`.
    public static func duration(milliseconds: Double) -> String {
        guard milliseconds.isFinite else { return missing }
        let sign = milliseconds < 0 ? "-" : ""
        let ms = milliseconds.magnitude
        if ms < 10 { return sign + decimal(ms, maxFractionDigits: 1) + " ms" }
        if ms.rounded() < 1000 { return sign + decimal(ms, maxFractionDigits: 0) + " ms" }
        let tenths = (ms / 100).rounded()
        if tenths < 600 { return sign + decimal(tenths / 10, maxFractionDigits: 1) + " s" }
        let seconds = Int((ms / 1000).rounded())
        if seconds < 3600 {
            let rest = seconds % 60
            return sign + "\(seconds / 60) min" + (rest == 0 ? "" : " \(rest) s")
        }
        let minutes = Int((ms / 60_000).rounded())
        let rest = minutes % 60
        return sign + "\(minutes / 60) h" + (rest == 0 ? "" : " \(rest) min")
    }

    public static func duration(milliseconds: Int) -> String {
        duration(milliseconds: Double(milliseconds))
    }
}
