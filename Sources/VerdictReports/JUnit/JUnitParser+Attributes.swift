/// Reading the attributes of the elements the JUnit parser acts on. Attribute names are compared
/// as bytes; Swift strings are only made for values that are kept.
extension JUnitParser {
    mutating func readRootAttributes() {
        var duration = TimeAttribute()
        var timestamp: String?
        reader.forEachAttribute { name, value in
            if name.equals("time") { duration.read(value) } else if name.equals("timestamp") { timestamp = value.string }
        }
        rootDurationMs = milliseconds(duration, what: "<testsuites> time")
        rootTimestamp = timestamp.flatMap(Timestamp.parse)
    }

    mutating func beginSuite() {
        var name = ""
        var file: String?
        var timestamp: String?
        var hostname: String?
        var duration = TimeAttribute()
        reader.forEachAttribute { attribute, value in
            switch attribute[0] {
            case UInt8(ascii: "n") where attribute.equals("name"): name = value.string
            case UInt8(ascii: "f") where attribute.equals("file") || attribute.equals("filepath"): file = value.string
            case UInt8(ascii: "t") where attribute.equals("timestamp"): timestamp = value.string
            case UInt8(ascii: "t") where attribute.equals("time"): duration.read(value)
            case UInt8(ascii: "h") where attribute.equals("hostname"): hostname = value.string
            default: break
            }
        }
        let parentPath = openSuites.last.map { $0.suite.path } ?? []
        let parentFile = openSuites.last.flatMap { $0.suite.file }
        let suite = ParsedSuite(
            name: name, path: name.isEmpty ? parentPath : parentPath + [name], file: Text.nonBlank(file) ?? parentFile,
            timestamp: timestamp, startedAtMs: timestamp.flatMap(Timestamp.parse),
            durationMs: milliseconds(duration, what: "testsuite '\(name)' time"), hostname: hostname)
        if openSuites.isEmpty, let duration = suite.durationMs { topLevelDurationMs = (topLevelDurationMs ?? 0) + duration }
        openSuites.append(OpenSuite(slot: suites.count, suite: suite))
        suites.append(suite)  // reserves the slot, so suites stay in document order
    }

    mutating func readCase() -> ParsedCase {
        // The attributes go to locals and the case is built from them at the end: a case filled
        // in field by field is copied whole (and the original destroyed) on its way out.
        var title = ""
        var classname: String?
        var file: String?
        var line: Int?
        var rawStatus = ""
        var duration = TimeAttribute()
        reader.forEachAttribute { attribute, value in
            switch attribute[0] {
            case UInt8(ascii: "n") where attribute.equals("name"): title = value.string
            case UInt8(ascii: "c") where attribute.equals("classname"): classname = classnames.string(value)
            case UInt8(ascii: "t") where attribute.equals("time"): duration.read(value)
            case UInt8(ascii: "f") where attribute.equals("file"): file = value.string
            case UInt8(ascii: "l") where attribute.equals("line"): line = Numbers.parseInt(value.string)
            case UInt8(ascii: "s") where attribute.equals("status"): rawStatus = value.string
            default: break
            }
        }
        var suitePath: [String] = []
        // Read in place: copying the enclosing ParsedSuite for every case would dominate.
        if let last = openSuites.indices.last {
            suitePath = openSuites[last].suite.path
            if Text.nonBlank(file) == nil { file = openSuites[last].suite.file }
        }
        let durationMs = milliseconds(duration, what: "testcase '\(title)' time")
        return ParsedCase(
            passed: title, classname: classname, file: file, line: line, rawStatus: rawStatus, suitePath: suitePath,
            durationMs: durationMs, attempts: [])
    }

    func readResultAttributes() -> Details {
        var details = Details()
        var duration = TimeAttribute()
        reader.forEachAttribute { attribute, value in
            if attribute.equals("message") {
                details.message = value.string
            } else if attribute.equals("type") {
                details.type = value.string
            } else if attribute.equals("time") {
                duration.read(value)
            }
        }
        details.durationMs = duration.milliseconds.value
        return details
    }

    func readPropertyAttributes() -> Details {
        var details = Details()
        reader.forEachAttribute { attribute, value in
            if attribute.equals("name") { details.name = value.string } else if attribute.equals("value") { details.value = value.string }
        }
        return details
    }

    /// The warning text is only built for the rare invalid value: this runs once per test case.
    mutating func milliseconds(_ duration: TimeAttribute, what: @autoclosure () -> String) -> Double? {
        switch duration.milliseconds {
        case .value(let ms): return ms
        case .absent: return nil
        case .invalid:
            warnings.add("line \(reader.line): \(what()) '\(duration.invalidText ?? "")' is not a number")
            return nil
        }
    }
}

/// A `time` attribute as read, keeping the text only when it could not be understood.
struct TimeAttribute {
    var milliseconds = Numbers.Seconds.absent
    var invalidText: String?

    mutating func read(_ value: UnsafePointer<UInt8>) {
        milliseconds = Numbers.secondsToMs(value)
        if milliseconds == .invalid { invalidText = value.string }
    }
}

extension Numbers.Seconds {
    var value: Double? {
        if case .value(let ms) = self { return ms }
        return nil
    }
}

/// Remembers the last string made from C bytes, so a run of equal values (the classname of
/// consecutive test cases) costs one allocation instead of one per case.
struct RepeatedString {
    private var bytes: [UInt8] = []
    private var last = ""

    mutating func string(_ value: UnsafePointer<UInt8>) -> String {
        var i = 0
        while i < bytes.count, value[i] == bytes[i] { i += 1 }
        if i == bytes.count, value[i] == 0 { return last }
        bytes.removeAll(keepingCapacity: true)
        i = 0
        while value[i] != 0 { bytes.append(value[i]); i += 1 }
        last = String(decoding: bytes, as: UTF8.self)
        return last
    }
}
