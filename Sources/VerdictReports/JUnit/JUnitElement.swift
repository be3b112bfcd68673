/// The JUnit elements the parser acts on. Everything else is walked through and ignored.
enum JUnitElement: Equatable {
    case testsuites, testsuite, testcase
    /// Outcomes of the (last) run: `<failure>`, `<error>`, `<skipped>`.
    case failure, error, skipped
    /// Surefire's earlier runs: flaky* runs failed before the test passed, rerun* runs failed again.
    case flakyFailure, flakyError, rerunFailure, rerunError
    case systemOut, systemErr, stackTrace
    case properties, property
    case other

    /// Classifies a libxml2 local name by its bytes: no Swift string is made per element.
    init(_ name: UnsafePointer<UInt8>) {
        switch name[0] {
        case UInt8(ascii: "t"):
            if name.equals("testcase") {
                self = .testcase
            } else if name.equals("testsuite") {
                self = .testsuite
            } else if name.equals("testsuites") {
                self = .testsuites
            } else {
                self = .other
            }
        case UInt8(ascii: "f"):
            if name.equals("failure") {
                self = .failure
            } else if name.equals("flakyFailure") {
                self = .flakyFailure
            } else if name.equals("flakyError") {
                self = .flakyError
            } else {
                self = .other
            }
        case UInt8(ascii: "e"):
            self = name.equals("error") ? .error : .other
        case UInt8(ascii: "s"):
            if name.equals("skipped") {
                self = .skipped
            } else if name.equals("system-out") {
                self = .systemOut
            } else if name.equals("system-err") {
                self = .systemErr
            } else if name.equals("stackTrace") {
                self = .stackTrace
            } else {
                self = .other
            }
        case UInt8(ascii: "p"):
            if name.equals("property") { self = .property } else if name.equals("properties") { self = .properties } else { self = .other }
        case UInt8(ascii: "r"):
            if name.equals("rerunFailure") {
                self = .rerunFailure
            } else if name.equals("rerunError") {
                self = .rerunError
            } else {
                self = .other
            }
        default:
            self = .other
        }
    }

    /// The element's name, for messages.
    var tagName: String? {
        switch self {
        case .testsuites: "testsuites"
        case .testsuite: "testsuite"
        case .testcase: "testcase"
        case .failure: "failure"
        case .error: "error"
        case .skipped: "skipped"
        case .flakyFailure: "flakyFailure"
        case .flakyError: "flakyError"
        case .rerunFailure: "rerunFailure"
        case .rerunError: "rerunError"
        case .systemOut: "system-out"
        case .systemErr: "system-err"
        case .stackTrace: "stackTrace"
        case .properties: "properties"
        case .property: "property"
        case .other: nil
        }
    }

    /// Elements whose text content the parser keeps.
    var capturesText: Bool {
        switch self {
        case .failure, .error, .skipped, .flakyFailure, .flakyError, .rerunFailure, .rerunError,
            .systemOut, .systemErr, .stackTrace, .property:
            return true
        case .testsuites, .testsuite, .testcase, .properties, .other:
            return false
        }
    }

    var isEarlierRun: Bool {
        switch self {
        case .flakyFailure, .flakyError, .rerunFailure, .rerunError: return true
        default: return false
        }
    }
}
