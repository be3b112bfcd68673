/// JUnit's `time` attributes: seconds with three decimals, so milliseconds survive the trip.
/// Formatted by hand into a reused buffer: a `String` per number would cost an allocation for
/// every case and every run.
struct SecondsFormatter {
    private var digits = [UInt8](repeating: 0, count: 32)

    /// Calls `body` with the text, or not at all for unknown durations.
    mutating func withSeconds(_ milliseconds: Double?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let milliseconds, milliseconds.isFinite, milliseconds >= 0, milliseconds < 1e15 else { return }
        var remaining = UInt64(milliseconds.rounded())
        var end = digits.count
        for _ in 0..<3 {
            end -= 1
            digits[end] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        end -= 1
        digits[end] = UInt8(ascii: ".")
        repeat {
            end -= 1
            digits[end] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        } while remaining > 0
        digits.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[end...])) }
    }

    /// Integers (`line`, counters) the same way, for the same reason.
    mutating func withInteger(_ value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var remaining = value.magnitude
        var end = digits.count
        repeat {
            end -= 1
            digits[end] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        } while remaining > 0
        if value < 0 {
            end -= 1
            digits[end] = UInt8(ascii: "-")
        }
        digits.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[end...])) }
    }
}
