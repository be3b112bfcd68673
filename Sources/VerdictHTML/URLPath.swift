/// Percent-encoding of one path segment, query name or query value.
///
/// Only RFC 3986's unreserved bytes (`A–Z a–z 0–9 - . _ ~`) stay as they are, so an encoded
/// component is the same in a path, a query or a fragment, cannot add a segment (`/`), a
/// parameter (`&`, `=`) or a scheme (`:`), and needs no entity escaping.
public enum URLComponent {
    public static func encode(_ component: String) -> String {
        var copy = component
        var out: [UInt8] = []
        out.reserveCapacity(copy.utf8.count)
        copy.withUTF8 { encode($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex: StaticString = "0123456789ABCDEF"

    static func encode(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // A typed pointer rather than the buffer: its subscript is inlined even in debug builds.
        guard let component = buffer.baseAddress else { return }
        hex.withUTF8Buffer { hex in
            var runStart = 0
            let count = buffer.count
            for i in 0..<count {
                let byte = component[i]
                // Unreserved: a-z, A-Z, 0-9, - . _ ~ (written out: this runs for every byte of every id).
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
                    || byte == 0x2E || byte == 0x5F || byte == 0x7E
                {
                    continue
                }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(start: component + runStart, count: i - runStart)) }
                runStart = i + 1
                out.append(0x25 /* % */)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
            if runStart < count { out.append(contentsOf: UnsafeBufferPointer(start: component + runStart, count: count - runStart)) }
        }
    }
}

/// A link into Verdict, written like the path it is: `URLPath("/runs/\(run.id)?status=\(status)")`
/// or, where the type is known, just `"/runs/\(run.id)"`.
///
/// The literal parts are code and are kept as written; every interpolated `String` or number is
/// one percent-encoded component, so a test name cannot add segments, parameters or a scheme.
/// `HTML` puts a `URLPath` into `href` without the scheme check a `String` gets.
public struct URLPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public typealias StringLiteralType = StaticString
    public typealias ExtendedGraphemeClusterLiteralType = StaticString
    public typealias UnicodeScalarLiteralType = StaticString

    /// The encoded URL, ASCII only.
    public private(set) var bytes: [UInt8]

    public init(_ path: URLPath) { self = path }

    public init(stringLiteral literal: StaticString) {
        bytes = literal.withUTF8Buffer { Array($0) }
    }

    public init(unicodeScalarLiteral literal: StaticString) { self.init(stringLiteral: literal) }
    public init(extendedGraphemeClusterLiteral literal: StaticString) { self.init(stringLiteral: literal) }

    public init(stringInterpolation: StringInterpolation) {
        bytes = stringInterpolation.bytes
    }

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// This URL with `name=value` added to its query; a `nil` value adds nothing, which is how
    /// optional filters read.
    public func appendingQuery(_ name: String, _ value: String?) -> URLPath {
        guard let value else { return self }
        var copy = self
        let hasQuery = bytes.contains(0x3F /* ? */)
        copy.bytes.append(hasQuery ? 0x26 /* & */ : 0x3F /* ? */)
        var name = name
        var text = value
        name.withUTF8 { URLComponent.encode($0, into: &copy.bytes) }
        copy.bytes.append(0x3D /* = */)
        text.withUTF8 { URLComponent.encode($0, into: &copy.bytes) }
        return copy
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var bytes: [UInt8]

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            bytes.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        public mutating func appendInterpolation(_ component: String) {
            var component = component
            component.withUTF8 { URLComponent.encode($0, into: &bytes) }
        }

        public mutating func appendInterpolation(_ component: Substring) {
            appendInterpolation(String(component))
        }

        public mutating func appendInterpolation(_ value: Int) {
            Digits.append(value, to: &bytes)
        }

        public mutating func appendInterpolation<I: BinaryInteger>(_ value: I) {
            bytes.append(contentsOf: String(value).utf8)
        }

        /// Another path, as it is: a base to build on.
        public mutating func appendInterpolation(_ path: URLPath) {
            bytes.append(contentsOf: path.bytes)
        }
    }
}
