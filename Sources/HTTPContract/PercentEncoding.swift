import VerdictJSON

/// Percent-encoding for the parts of a URL the gateway and the handlers read, one function per
/// purpose: a query component and a path segment decode differently (`+`), so each has its own.
/// SigV4's canonical forms are AWS's own rules and stay in VerdictS3.
public enum PercentEncoding {
    /// A query-string name or value, as forms and API Gateway's `queryStringParameters` read it:
    /// `%XX` escapes and `+` as a space. Malformed escapes stay as written, so a stray `%` is
    /// not a reason to refuse a request.
    public static func decodeQueryComponent(_ text: some StringProtocol) -> String {
        decode(text, plusIsSpace: true)
    }

    /// A path segment (a route's `{param}`, a function or schedule name): `%XX` escapes only, as
    /// `+` is a literal plus in a path. Malformed escapes stay as written.
    public static func decodePathSegment(_ text: some StringProtocol) -> String {
        decode(text, plusIsSpace: false)
    }

    /// Escapes everything but RFC 3986's unreserved characters, which makes the result safe as
    /// any query component or path segment.
    public static func encodeComponent(_ text: some StringProtocol) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func decode(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        // Most names and values carry no escape; they are returned without a rebuild.
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count, let high = HexDigit.value(bytes[i + 1]),
                let low = HexDigit.value(bytes[i + 2])
            {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
