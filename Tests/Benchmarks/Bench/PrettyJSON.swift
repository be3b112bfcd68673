import VerdictJSON

/// Two-space indented JSON, as Playwright's reporter writes it (`JSON.stringify(report, null, 2)`).
enum PrettyJSON {
    static func write(_ value: JSON, indent: Int = 0, to out: inout [UInt8]) {
        switch value {
        case .array(let elements):
            guard !elements.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(contentsOf: "[\n".utf8)
            for (index, element) in elements.enumerated() {
                pad(indent + 2, &out)
                write(element, indent: indent + 2, to: &out)
                out.append(contentsOf: (index == elements.count - 1 ? "\n" : ",\n").utf8)
            }
            pad(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(contentsOf: "{\n".utf8)
            for (index, pair) in object.pairs.enumerated() {
                pad(indent + 2, &out)
                JSON.writeString(pair.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                write(pair.value, indent: indent + 2, to: &out)
                out.append(contentsOf: (index == object.count - 1 ? "\n" : ",\n").utf8)
            }
            pad(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            value.write(to: &out)
        }
    }

    private static func pad(_ count: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }
}
