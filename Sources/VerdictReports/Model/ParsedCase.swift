/// The normalized outcome of one test.
public enum TestStatus: String, Sendable, Equatable, CaseIterable {
    case passed
    /// Passed in the end, after at least one failed attempt.
    case flaky
    case failed
    case skipped
    /// Broke outside its assertions (JUnit `<error>`: a crash, a failing fixture).
    case errored
}

/// One test as run in one configuration (a Playwright test runs once per project).
public struct ParsedCase: Sendable, Equatable {
    /// Enclosing suites, outermost first; for JUnit the `<testsuite>` names, then the classname
    /// unless it repeats the last suite. The file is kept apart, in `file`.
    public var suitePath: [String]
    public var file: String?
    public var line: Int?
    public var title: String
    public var classname: String?
    /// Playwright project, browser, or Jest display name: the configuration the test ran in.
    public var project: String?
    public var status: TestStatus
    /// The tool's own word for the outcome (`expected`, `timedOut`, `pending`, `disabled` ...).
    public var rawStatus: String
    public var durationMs: Double?
    /// Every run of the test, in order; the last one decided `status`. Never empty.
    public var attempts: [ParsedAttempt]
    public var attachments: [ParsedAttachment]
    public var tags: [String]
    public var annotations: [ParsedAnnotation]
    public var properties: [ParsedProperty]
    /// Why the test was skipped, when the report says.
    public var skipReason: String?
    /// Index into the report's `suites` of the suite that directly contains the case (the
    /// innermost JUnit `<testsuite>`, the Playwright file or `describe`, the Jest test file, the
    /// mochawesome or CTRF suite); nil when the case belongs to no suite.
    public var suiteIndex: Int?

    /// The title the tool itself shows (suites and title joined its way). When it is just
    /// `classname.title` (JUnit) it is derived on demand rather than stored: a report with
    /// 100,000s of cases would otherwise pay one string allocation per case for it.
    public var fullTitle: String {
        get { storedFullTitle ?? derivedFullTitle }
        set { storedFullTitle = Self.isDerivedFullTitle(newValue, classname: classname, title: title) ? nil : newValue }
    }

    /// Whether `fullTitle` is the derived `classname.title` (or the title), known without
    /// building that string.
    public var hasDerivedFullTitle: Bool {
        storedFullTitle.map { Self.isDerivedFullTitle($0, classname: classname, title: title) } ?? true
    }

    private var storedFullTitle: String?

    /// Makes `fullTitle` the derived one (a reader of rows that left it out).
    public mutating func deriveFullTitle() { storedFullTitle = nil }

    /// Compares `value` with `derivedFullTitle` byte by byte, in place. Static, on the fields
    /// it needs: `hasDerivedFullTitle` passed it as a method of `self` to `map`, which copied
    /// the whole case on every call (once per exported case).
    private static func isDerivedFullTitle(_ value: String, classname: String?, title: String) -> Bool {
        guard var classname, !classname.isEmpty, classname != title else { return value.hasSameUTF8(as: title) }
        var value = value
        var title = title
        return value.withUTF8 { v in
            classname.withUTF8 { c in
                title.withUTF8 { t in
                    v.count == c.count + 1 + t.count && v[c.count] == UInt8(ascii: ".")
                        && sameBytes(UnsafeBufferPointer(rebasing: v[..<c.count]), c)
                        && sameBytes(UnsafeBufferPointer(rebasing: v[(c.count + 1)...]), t)
                }
            }
        }
    }

    private var derivedFullTitle: String {
        guard let classname, !classname.isEmpty, classname != title else { return title }
        return "\(classname).\(title)"
    }

    /// The test's identity across runs; see `TestIdentity`.
    public var identity: String {
        TestIdentity.key(file: file, suitePath: suitePath, title: title, project: project)
    }
}

// The initializers live here, outside the type, so that they can hand the fields to the
// memberwise initializer in one go: built field by field in an initializer's body, a case came
// back through a copy of the whole value and the destruction of the original.
extension ParsedCase {
    public init(
        suitePath: [String], file: String? = nil, line: Int? = nil, title: String, fullTitle: String? = nil,
        classname: String? = nil, project: String? = nil, status: TestStatus, rawStatus: String,
        durationMs: Double? = nil, attempts: [ParsedAttempt] = [], attachments: [ParsedAttachment] = [],
        tags: [String] = [], annotations: [ParsedAnnotation] = [], properties: [ParsedProperty] = [],
        skipReason: String? = nil, suiteIndex: Int? = nil
    ) {
        let fullTitle = fullTitle ?? (suitePath + [title]).joined(separator: " ")
        self.init(
            suitePath: suitePath, file: file, line: line, title: title, classname: classname, project: project, status: status,
            rawStatus: rawStatus, durationMs: durationMs,
            attempts: attempts.isEmpty
                ? [ParsedAttempt(index: 0, status: status == .flaky ? .passed : status, durationMs: durationMs)] : attempts,
            attachments: attachments, tags: tags, annotations: annotations, properties: properties, skipReason: skipReason,
            suiteIndex: suiteIndex,
            storedFullTitle: Self.isDerivedFullTitle(fullTitle, classname: classname, title: title) ? nil : fullTitle)
    }

    /// A passed case with the derived full title and nothing else: what a parser has when a
    /// `<testcase>` opens (no attempt yet, the rest is filled in as it streams past), and what
    /// a `PlainCase` is in full (with its one run).
    init(
        passed title: String, classname: String?, file: String?, line: Int?, rawStatus: String, suitePath: [String],
        durationMs: Double?, attempts: [ParsedAttempt]
    ) {
        self.init(
            suitePath: suitePath, file: file, line: line, title: title, classname: classname, project: nil, status: .passed,
            rawStatus: rawStatus, durationMs: durationMs, attempts: attempts, attachments: [], tags: [], annotations: [],
            properties: [], skipReason: nil, suiteIndex: nil, storedFullTitle: nil)
    }
}

/// A Playwright annotation (`{type: "issue", description: "..."}`) or a similar note.
public struct ParsedAnnotation: Sendable, Equatable {
    public var type: String
    public var description: String?

    public init(type: String, description: String? = nil) {
        self.type = type
        self.description = description
    }
}
