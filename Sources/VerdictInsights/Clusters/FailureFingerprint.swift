/// What identifies a failure across runs: its error type, its message with the run-specific
/// values masked (the `template`, which pages show as the reason failures were grouped) and the
/// few stack frames of the project's own code nearest to where it was raised.
///
/// `id` is a content hash of those three, so the same failure gets the same id in every run, on
/// every branch and machine and in every week, and a gate can ask whether a run brought a
/// cluster no earlier run had. Line and column numbers are never part of it: editing a file
/// above the failing line must not make a known failure look new.
public struct FailureFingerprint: Sendable, Hashable {
    /// The error's type: the report's own, else the `SomeError:` its message or stack starts
    /// with; nil when neither says, or says only `Error` / `failure` (see `isPlaceholder`).
    public let errorType: String?
    /// The masked message, one line: `expect(received).toBe(expected) // Object.is equality
    /// Expected: <num> Received: <num>`.
    public let template: String
    /// The project frames used, nearest to the error first: `src/cart/total.ts:computeTotal`,
    /// `org.acme.CartTest.total`. Empty when the stack has none (only runner/library frames, or
    /// no stack); the template and type alone identify the failure then.
    public let frames: [String]
    public let id: FingerprintID

    /// Reads one failed attempt as a report gives it. Each input is read up to
    /// `FingerprintLimits.inputBytes`, so the work is bounded whatever the report holds.
    public init(errorType: String?, message: String?, stack: String?) {
        let message = ANSIEscapes.strip(ByteText.bounded(message))
        let stack = ANSIEscapes.strip(ByteText.bounded(stack))
        let messageLines = ByteText.lines(message)
        let stackLines = ByteText.lines(stack)
        // A type is a class name; a longer one is not a type (and would be stored with every cluster).
        let givenType = Array(ByteText.bounded(errorType).trimmedBytes().prefix(FingerprintLimits.typeBytes))

        // The template's text: the message, unless it says nothing ("Failed"), is only the test's
        // title (Playwright's and Jest's JUnit output put the title in the message and the error
        // under the same title in the stack), or the stack starts with the same error and carries
        // the fuller version of it (Jest's JSON keeps only the first line in the message, its
        // JUnit output the whole text in the stack).
        var fromStack = false
        if let stackHead = Self.firstContentLine(stack, stackLines) {
            if TemplateLines.hasPytestErrors(stack, stackLines) && !TemplateLines.hasPytestErrors(message, messageLines) {
                fromStack = true
            } else if let first = stackLines.first(where: { !ByteText.trimmed(stack, $0).isEmpty }),
                TemplateLines.isTitle(stack, ByteText.trimmed(stack, first))
            {
                fromStack = true
            } else if let messageHead = Self.firstContentLine(message, messageLines) {
                let messageText = message[messageHead]
                let oneLine = messageLines.filter({ !ByteText.trimmed(message, $0).isEmpty }).count == 1
                fromStack = (Self.isPlaceholder(messageText) && oneLine) || ByteText.contains(stack[stackHead], messageText)
            } else {
                fromStack = true
            }
        }
        var chosen = fromStack ? TemplateLines.select(stack, stackLines) : []
        if chosen.isEmpty {
            fromStack = false
            chosen = TemplateLines.select(message, messageLines)
        }
        let source = fromStack ? stack : message

        // A leading `SomeError:` is the type, not part of the template.
        var type: [UInt8] = givenType
        if let first = chosen.first, let header = ErrorTypeHeader.parse(source, first, given: givenType) {
            if type.isEmpty { type = Array(source[header.type].prefix(FingerprintLimits.typeBytes)) }
            chosen[0] = header.rest..<first.upperBound
        }
        var template: [UInt8] = []
        for line in chosen {
            let masked = MessageMasker.mask(source, line)
            guard !masked.isEmpty else { continue }
            if !template.isEmpty { template.append(0x20) }
            template.append(contentsOf: masked)
            if template.count >= FingerprintLimits.templateBytes { break }
        }
        if template.count > FingerprintLimits.templateBytes {
            var cut = FingerprintLimits.templateBytes
            while cut > 0, template[cut] & 0xC0 == 0x80 { cut -= 1 }
            template.removeSubrange(cut...)
        }

        if Self.isPlaceholder(type[...]) { type = [] }

        // Frames come from the stack; from the message only when it is the failure's text (which
        // Playwright and Cypress end with the stack), not a title or a placeholder.
        var frames = ProjectFrames.extract(stack, stackLines)
        if frames == nil, !fromStack { frames = ProjectFrames.extract(message, messageLines) }

        self.errorType = type.isEmpty ? nil : String(decoding: type, as: UTF8.self)
        self.template = String(decoding: template, as: UTF8.self)
        self.frames = (frames ?? []).map { String(decoding: $0, as: UTF8.self) }
        id = FingerprintID(content: Self.canonical(type: type, template: template, frames: frames ?? []))
    }

    /// The bytes the id hashes: a version tag, then type, template and frames, separated by
    /// control bytes that none of them contains.
    private static func canonical(type: [UInt8], template: [UInt8], frames: [[UInt8]]) -> [UInt8] {
        var bytes = Array("verdict-fingerprint-v1".utf8)
        bytes.append(0x1E)
        bytes.append(contentsOf: type)
        bytes.append(0x1E)
        bytes.append(contentsOf: template)
        for frame in frames {
            bytes.append(0x1F)
            bytes.append(contentsOf: frame)
        }
        return bytes
    }

    private static func firstContentLine(_ b: [UInt8], _ lines: [Range<Int>]) -> Range<Int>? {
        for line in lines {
            let t = ByteText.trimmed(b, line)
            if !t.isEmpty && !TemplateLines.isChatter(b, t) { return t }
        }
        return nil
    }

    /// Words reporters write when they have no message (go-junit-report's `Failed`, bazel's
    /// `error`): the stack, if any, says more. As a type (`type="failure"`, JavaScript's bare
    /// `Error:`) they say nothing either and are dropped, so one failure reported as `Error: x`
    /// by one tool and as `x` with `type="FAILURE"` by another is one fingerprint.
    private static func isPlaceholder(_ text: ArraySlice<UInt8>) -> Bool {
        let lowered = text.map(ByteText.lower)
        return placeholders.contains { $0 == lowered }
    }

    private static let placeholders: [[UInt8]] = [
        "failed", "failure", "fail", "error", "errored", "build error", "test failure", "test failed",
    ]
    .map { Array($0.utf8) }
}

extension Array where Element == UInt8 {
    fileprivate func trimmedBytes() -> [UInt8] { Array(self[ByteText.trimmed(self, 0..<count)]) }
}
