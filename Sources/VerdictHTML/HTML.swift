import VerdictJSON

/// Markup that is safe to send: every page of Verdict's dashboard is built of these.
///
/// An `HTML` is written as a string literal with interpolations. The literal text is trusted —
/// it is source code — and every interpolated value is escaped for the place it lands in, which
/// a small HTML tokenizer (`HTMLContext`) works out from the literal text before it, in the
/// manner of Go's `html/template`:
///
/// ```swift
/// let row: HTML = """
///     <tr class="status-\(result.status.rawValue)">
///       <td><a href="\(URLPath("/runs/\(run.id)/cases/\(result.id)"))">\(result.title)</a></td>
///       <td>\(Format.duration(milliseconds: result.durationMs))</td>
///     </tr>
///     """
/// ```
///
/// Every value shown comes from an uploaded report, so the rules assume it is hostile:
///
/// | where the value lands | `String`, `Substring` | numbers | `URLPath` | `JSON` (`json:`) | `HTML` |
/// |---|---|---|---|---|---|
/// | text between tags (also `<title>`, `<textarea>`) | `& < > " '` become entities, NUL becomes U+FFFD | as is | escaped | serialized, escaped | as is |
/// | a quoted attribute value (`"` or `'`) | the same entities, so it cannot close its quote | as is | escaped | serialized, escaped | refused |
/// | a URL attribute (`href`, `src`, `action`, …) at the start of its value | a URL: only `http:`, `https:`, `mailto:` or no scheme passes; anything else becomes `about:invalid#blocked`; then escaped | as is | escaped | refused | refused |
/// | a URL attribute after the start (`href="/runs/\(id)"`) | percent-encoded as one component | as is | escaped | refused | refused |
/// | `<script type="application/json">` (or `ld+json`) | refused | refused | refused | serialized; `<`, `>`, `&`, U+2028, U+2029 as `\uXXXX` | refused |
///
/// URL attributes are `href`, `src`, `action`, `formaction`, `poster`, `cite`, `srcset`, `data`,
/// `xlink:href` and the rest of HTML's URL-valued attributes, plus SVG animation's `to`, `from`,
/// `values` and `by`, which can set an `href`.
///
/// Everywhere else an interpolation is a programming error and stops the process with a message
/// naming the context and the template's line: any other `<script>` (or one whose literal text
/// holds `<!--`), `<style>` and the raw-text elements, comments and declarations, a tag or
/// attribute name, an unquoted attribute value, an `on…=` event handler, `style=` and `srcdoc=`.
/// Templates are code, and their tests reach every such mistake.
///
/// An `HTML` always ends back in text, so fragments compose: a literal that leaves a tag, an
/// attribute or a `<script>` open stops the process too. Boolean attributes are the one
/// interpolation allowed between attributes: `\(attribute: "selected", if: isCurrent)`.
///
/// Values are appended to one growing byte buffer as the template is read: no node objects, no
/// `String` concatenation. A page reserves its size once (`HTML(reservingCapacity:)`) and takes
/// its fragments with `append(_:)`.
public struct HTML: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public typealias StringLiteralType = StaticString
    public typealias ExtendedGraphemeClusterLiteralType = StaticString
    public typealias UnicodeScalarLiteralType = StaticString

    /// UTF-8 markup.
    public private(set) var bytes: [UInt8]

    public init() { bytes = [] }

    /// An empty page that will hold about `capacity` bytes without growing.
    public init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public static let empty = HTML()

    public init(stringLiteral literal: StaticString) {
        var interpolation = StringInterpolation(literalCapacity: literal.utf8CodeUnitCount, interpolationCount: 0)
        interpolation.appendLiteral(literal)
        self.init(stringInterpolation: interpolation)
    }

    public init(unicodeScalarLiteral literal: StaticString) { self.init(stringLiteral: literal) }
    public init(extendedGraphemeClusterLiteral literal: StaticString) { self.init(stringLiteral: literal) }

    public init(stringInterpolation: StringInterpolation) {
        if stringInterpolation.context.kind != .text {
            preconditionFailure(
                "VerdictHTML: a template ends inside \(stringInterpolation.context.name), not in text: "
                    + stringInterpolation.tail)
        }
        bytes = stringInterpolation.bytes
    }

    public mutating func append(_ html: HTML) {
        bytes.append(contentsOf: html.bytes)
    }

    public mutating func append(contentsOf fragments: some Sequence<HTML>) {
        for fragment in fragments { bytes.append(contentsOf: fragment.bytes) }
    }

    public static func join(_ fragments: some Sequence<HTML>, separator: HTML = .empty) -> HTML {
        var result = HTML()
        var first = true
        for fragment in fragments {
            if !first { result.append(separator) }
            first = false
            result.append(fragment)
        }
        return result
    }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString

        var bytes: [UInt8]
        var context = HTMLContext()

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            bytes.reserveCapacity(literalCapacity + interpolationCount * 24)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { buffer in
                context.advance(over: buffer)
                bytes.append(contentsOf: buffer)
            }
        }

        // MARK: text

        public mutating func appendInterpolation(_ value: String, file: StaticString = #fileID, line: UInt = #line) {
            var value = value
            value.withUTF8 { appendText($0, what: "a String", file: file, line: line) }
        }

        public mutating func appendInterpolation(_ value: Substring, file: StaticString = #fileID, line: UInt = #line) {
            appendInterpolation(String(value), file: file, line: line)
        }

        /// An optional shows as nothing when it is `nil`, which is how a missing field reads on a page.
        public mutating func appendInterpolation(_ value: String?, file: StaticString = #fileID, line: UInt = #line) {
            appendInterpolation(value ?? "", file: file, line: line)
        }

        private mutating func appendText(_ value: UnsafeBufferPointer<UInt8>, what: String, file: StaticString, line: UInt) {
            switch context.kind {
            case .text, .attribute:
                Escape.html(value, into: &bytes)
            case .urlAttribute(atStart: true):
                if Escape.isSafeURL(value) {
                    Escape.html(value, into: &bytes)
                } else {
                    bytes.append(contentsOf: Escape.blockedURL)
                }
            case .urlAttribute(atStart: false):
                URLComponent.encode(value, into: &bytes)
            default:
                refuse(what, file: file, line: line)
            }
            context.noteInterpolation(wroteBytes: !value.isEmpty)
        }

        // MARK: numbers

        public mutating func appendInterpolation(_ value: Int, file: StaticString = #fileID, line: UInt = #line) {
            requireValueContext("an integer", file: file, line: line)
            Digits.append(value, to: &bytes)
            context.noteInterpolation(wroteBytes: true)
        }

        public mutating func appendInterpolation<I: BinaryInteger>(_ value: I, file: StaticString = #fileID, line: UInt = #line) {
            requireValueContext("an integer", file: file, line: line)
            bytes.append(contentsOf: String(value).utf8)
            context.noteInterpolation(wroteBytes: true)
        }

        /// At most two decimals, trailing zeros dropped (`12.5`, `3`): enough for SVG coordinates
        /// and plain figures; `Format` has the display forms.
        public mutating func appendInterpolation(_ value: Double, file: StaticString = #fileID, line: UInt = #line) {
            requireValueContext("a number", file: file, line: line)
            Digits.append(value, maxFractionDigits: 2, to: &bytes)
            context.noteInterpolation(wroteBytes: true)
        }

        private func requireValueContext(_ what: String, file: StaticString, line: UInt) {
            switch context.kind {
            case .text, .attribute, .urlAttribute: return
            default: refuse(what, file: file, line: line)
            }
        }

        // MARK: URLs

        /// A path built by `URLPath` is trusted as far as its scheme goes (its literal parts are
        /// code, its interpolated parts are percent-encoded) and is only entity-escaped.
        public mutating func appendInterpolation(_ url: URLPath, file: StaticString = #fileID, line: UInt = #line) {
            switch context.kind {
            case .text, .attribute, .urlAttribute:
                url.bytes.withUnsafeBufferPointer { Escape.html($0, into: &bytes) }
            default:
                refuse("a URLPath", file: file, line: line)
            }
            context.noteInterpolation(wroteBytes: !url.bytes.isEmpty)
        }

        // MARK: JSON

        public mutating func appendInterpolation(json value: JSON, file: StaticString = #fileID, line: UInt = #line) {
            var serialized: [UInt8] = []
            serialized.reserveCapacity(64)
            value.write(to: &serialized)
            switch context.kind {
            case .jsonScript:
                Escape.jsonInScript(serialized, into: &bytes)
            case .text, .attribute:
                serialized.withUnsafeBufferPointer { Escape.html($0, into: &bytes) }
            default:
                refuse("JSON", file: file, line: line)
            }
            context.noteInterpolation(wroteBytes: true)
        }

        // MARK: markup

        public mutating func appendInterpolation(_ html: HTML, file: StaticString = #fileID, line: UInt = #line) {
            requireText("HTML", file: file, line: line)
            bytes.append(contentsOf: html.bytes)
        }

        public mutating func appendInterpolation(_ fragments: some Sequence<HTML>, file: StaticString = #fileID, line: UInt = #line) {
            requireText("a sequence of HTML", file: file, line: line)
            for fragment in fragments { bytes.append(contentsOf: fragment.bytes) }
        }

        /// `\(each: runs, { run in "<li>\(run.name)</li>" })`: one fragment per element, appended
        /// as it is made, with no array of fragments in between.
        public mutating func appendInterpolation<S: Sequence>(
            each items: S, _ render: (S.Element) -> HTML, file: StaticString = #fileID, line: UInt = #line
        ) {
            requireText("a loop", file: file, line: line)
            for item in items { bytes.append(contentsOf: render(item).bytes) }
        }

        public mutating func appendInterpolation(
            if condition: Bool, _ then: @autoclosure () -> HTML, else otherwise: @autoclosure () -> HTML = .empty,
            file: StaticString = #fileID, line: UInt = #line
        ) {
            requireText("a conditional", file: file, line: line)
            bytes.append(contentsOf: (condition ? then() : otherwise()).bytes)
        }

        /// A boolean attribute (`selected`, `checked`, `open`, `disabled`) where a condition holds;
        /// its name is a literal, so it is code like the rest of the tag.
        public mutating func appendInterpolation(
            attribute name: StaticString, if condition: Bool, file: StaticString = #fileID, line: UInt = #line
        ) {
            guard context.kind == .attributeName else { refuse("a boolean attribute", file: file, line: line) }
            guard condition else { return }
            appendLiteral(" ")
            appendLiteral(name)
        }

        private func requireText(_ what: String, file: StaticString, line: UInt) {
            if context.kind != .text { refuse(what, file: file, line: line) }
        }

        // MARK: refusals

        private func refuse(_ what: String, file: StaticString, line: UInt) -> Never {
            preconditionFailure("VerdictHTML: \(what) cannot be interpolated into \(context.name): \(tail)", file: file, line: line)
        }

        /// The end of the template so far, for the message of a refused one.
        var tail: String {
            "…" + String(decoding: bytes.suffix(60), as: UTF8.self)
        }
    }
}
