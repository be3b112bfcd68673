import Foundation
import VerdictJSON
import XCTest

/// Python's own parsers, as an independent reading of what the builder emits: `html.parser` for
/// HTML (the tokens a browser-like tokenizer sees) and `xml.etree` for SVG, which must be XML.
enum Python {
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    static func run(_ script: String, input: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Written from another thread so a large input cannot deadlock against a full stdout pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PythonError.failed(status: process.terminationStatus) }
        return String(decoding: output, as: UTF8.self)
    }

    enum PythonError: Error { case failed(status: Int32) }

    /// One HTML token as `html.parser` reports it, character references resolved.
    enum Token: Equatable {
        case start(String, [(name: String, value: String?)])
        case end(String)
        case text(String)
        case comment(String)

        static func == (l: Token, r: Token) -> Bool {
            switch (l, r) {
            case (.start(let a, let x), .start(let b, let y)):
                return a == b && x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            case (.end(let a), .end(let b)), (.text(let a), .text(let b)), (.comment(let a), .comment(let b)): return a == b
            default: return false
            }
        }
    }

    static func htmlTokens(_ html: [UInt8]) throws -> [Token] {
        let script = """
            import sys, json
            from html.parser import HTMLParser
            class P(HTMLParser):
                def __init__(self):
                    super().__init__(convert_charrefs=True)
                    self.out = []
                def handle_starttag(self, tag, attrs): self.out.append(["start", tag, [[k, v] for k, v in attrs]])
                def handle_startendtag(self, tag, attrs):
                    self.handle_starttag(tag, attrs)
                    self.out.append(["end", tag])
                def handle_endtag(self, tag): self.out.append(["end", tag])
                def handle_data(self, data):
                    if self.out and self.out[-1][0] == "text": self.out[-1][1] += data
                    else: self.out.append(["text", data])
                def handle_comment(self, data): self.out.append(["comment", data])
            p = P()
            p.feed(sys.stdin.buffer.read().decode("utf-8"))
            p.close()
            print(json.dumps(p.out))
            """
        let json = try JSON.parse(try run(script, input: html))
        return (json.arrayValue ?? []).map { event in
            let kind = event[0]?.stringValue ?? ""
            let value = event[1]?.stringValue ?? ""
            switch kind {
            case "start":
                let attributes = (event[2]?.arrayValue ?? []).map { (name: $0[0]?.stringValue ?? "", value: $0[1]?.stringValue) }
                return .start(value, attributes)
            case "end": return .end(value)
            case "comment": return .comment(value)
            default: return .text(value)
            }
        }
    }

    /// Parses `xml` as XML; the error message when it is not well-formed, else nil.
    static func xmlError(_ xml: [UInt8]) throws -> String? {
        let script = """
            import sys
            import xml.etree.ElementTree as ET
            try:
                ET.fromstring(sys.stdin.buffer.read())
                print("ok")
            except ET.ParseError as e:
                print(e)
            """
        let result = try run(script, input: xml).trimmingCharacters(in: .whitespacesAndNewlines)
        return result == "ok" ? nil : result
    }
}
