import HTTPContract
import Logging
import VerdictJSON

/// A swift-log handler that writes each entry as one JSON line on standard error, which Lambda
/// ships to CloudWatch as it is (CloudWatch Logs Insights reads the fields without a parser).
/// Every line carries the time, level, message and the logger's metadata: the runtime puts the
/// function and request id there, so a line can always be traced to its invocation.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let write: @Sendable (String) -> Void

    public init(level: Logger.Level = .info, write: @escaping @Sendable (String) -> Void = StandardStreams.log) {
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object = JSONObject()
        object["timestamp"] = .string(EpochMilliseconds.rfc3339(WallClock.nowMilliseconds()))
        object["level"] = .string(event.level.rawValue)
        object["message"] = .string(event.message.description)
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        for key in merged.keys.sorted() {
            object[key] = Self.json(merged[key]!)
        }
        write(String(decoding: JSON.object(object).serialized(), as: UTF8.self))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let dictionary):
            return .object(JSONObject(dictionary.keys.sorted().map { ($0, json(dictionary[$0]!)) }))
        }
    }
}

extension Logger.Level {
    /// Lambda's advanced logging controls name the level `AWS_LAMBDA_LOG_LEVEL` (TRACE … FATAL).
    public init?(lambdaName: String) {
        switch lambdaName.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        case "fatal", "critical": self = .critical
        default: return nil
        }
    }
}
