/// The test command after `--`, with its placeholders:
/// - `{}` as a whole argument becomes the batch's unit ids, one argv entry each (no shell, so
///   ids with spaces or `$` stay intact); without a `{}` the ids are appended at the end;
/// - `{report}`, `{worker}` and `{batch}` anywhere inside an argument become the batch's report
///   path, the worker's name and the batch number (1, 2, …).
public struct CommandTemplate: Sendable, Equatable {
    public var arguments: [String]
    /// `--report`: where the tool writes its report, itself with `{worker}` and `{batch}`.
    public var reportPattern: String?

    public init(arguments: [String], reportPattern: String? = nil) {
        self.arguments = arguments
        self.reportPattern = reportPattern
    }

    public func reportPath(worker: String, batch: Int) -> String? {
        reportPattern.map { Self.fill($0, worker: worker, batch: batch, report: nil) }
    }

    public func argv(units: [String], worker: String, batch: Int) -> [String] {
        let report = reportPath(worker: worker, batch: batch)
        var result: [String] = []
        var placed = false
        for argument in arguments {
            if argument == "{}" {
                result += units
                placed = true
            } else {
                result.append(Self.fill(argument, worker: worker, batch: batch, report: report))
            }
        }
        return placed ? result : result + units
    }

    /// A single left-to-right pass, so a worker name that itself holds `{batch}` stays as it is.
    static func fill(_ text: String, worker: String, batch: Int, report: String?) -> String {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return text }
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{worker}") {
                output += worker
                rest = tail.dropFirst(8)
            } else if tail.hasPrefix("{batch}") {
                output += String(batch)
                rest = tail.dropFirst(7)
            } else if let report, tail.hasPrefix("{report}") {
                output += report
                rest = tail.dropFirst(8)
            } else {
                output += "{"
                rest = tail.dropFirst()
            }
        }
        return output + rest
    }
}
