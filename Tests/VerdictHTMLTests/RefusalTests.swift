import Foundation
import VerdictJSON
import XCTest

@testable import VerdictHTML

/// A template that interpolates where no escaping is safe stops the process. XCTest cannot catch
/// that, so each such template runs in a child copy of this test binary, and the parent checks
/// that it died naming the context and the template's line.
final class RefusalTests: XCTestCase {
    static let value = "x"
    static let fragment: HTML = "<b>x</b>"

    static let templates: [(context: String, render: @Sendable () -> HTML)] = [
        ("into a <script>", { "<script>var a = \(value);</script>" }),
        ("into a <script>", { "<script>var a = \(json: ["a": 1]);</script>" }),
        ("into a <script>", { "<script><!--<script></script><p>\(value)</p>" }),
        ("into a JSON <script>", { "<script type=\"application/json\">\(value)</script>" }),
        ("into a raw-text element", { "<style>p { color: \(value) }</style>" }),
        ("into a raw-text element", { "<noscript>\(value)</noscript>" }),
        ("into an unquoted attribute value", { "<a href=\(value)>x</a>" }),
        ("into an unquoted attribute value", { "<td colspan=\(3)>x</td>" }),
        ("into an on… event-handler attribute", { "<a onclick=\"go('\(value)')\">x</a>" }),
        ("into a style attribute", { "<p style=\"color: \(value)\">x</p>" }),
        ("into a srcdoc attribute", { "<iframe srcdoc=\"\(value)\"></iframe>" }),
        ("into a tag name", { "<\(value)>x</p>" }),
        ("into an attribute name", { "<p \(value)=\"1\">x</p>" }),
        ("into a comment or declaration", { "<!-- \(value) -->" }),
        ("into a quoted attribute value", { "<p title=\"\(fragment)\">x</p>" }),
        ("into a URL attribute value", { "<a href=\"\(json: "x")\">x</a>" }),
        ("into a quoted attribute value", { "<p title=\"\(if: true, fragment)\">x</p>" }),
        ("a boolean attribute cannot be interpolated into text", { "<p>\(attribute: "hidden", if: true)</p>" }),
        ("ends inside an attribute name", { "<p class=\"a\"" }),
        ("ends inside a quoted attribute value", { "<p class=\"\(value)" }),
        ("ends inside a <script>", { "<script>" }),
    ]

    func testRefusedTemplatesStopTheProcessNamingTheContext() throws {
        if let which = ProcessInfo.processInfo.environment["VERDICT_HTML_REFUSAL"], let index = Int(which) {
            _ = Self.templates[index].render()
            return  // reaching here means the template was accepted; the parent sees a clean exit
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0])
        try XCTSkipUnless(binary.lastPathComponent.hasSuffix(".xctest"), "not running from an .xctest binary")
        for (index, template) in Self.templates.enumerated() {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["VerdictHTMLTests.RefusalTests/testRefusedTemplatesStopTheProcessNamingTheContext"]
            var environment = ProcessInfo.processInfo.environment
            environment["VERDICT_HTML_REFUSAL"] = String(index)
            environment["SWIFT_BACKTRACE"] = "enable=no"  // a backtrace per child only slows the test down
            process.environment = environment
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertNotEqual(process.terminationStatus, 0, "template \(index) was accepted")
            XCTAssertTrue(output.contains("VerdictHTML: "), "template \(index): \(output)")
            XCTAssertTrue(output.contains(template.context), "template \(index) should name \(template.context): \(output)")
            if !template.context.hasPrefix("ends") {
                XCTAssertTrue(output.contains("RefusalTests.swift"), "template \(index) names its line: \(output)")
            }
        }
    }
}
