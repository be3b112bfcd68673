import VerdictJSON

/// JSON string escaping that copies unescaped runs in bulk. The same output as
/// `JSON.writeString`, which appends byte by byte: fine for API responses, the bottleneck when
/// a report carries thousands of multi-kilobyte stack traces.
enum JSONStrings {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func append(_ string: String, to out: inout [UInt8]) {
        string.withBorrowedUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            var runStart = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
            out.append(UInt8(ascii: "\""))
        }
    }

    static func append(_ strings: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, string) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(string, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
