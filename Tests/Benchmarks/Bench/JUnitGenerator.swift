import VerdictTestSupport

/// A large Surefire-style JUnit file: `cases` test cases over `suites` suites, `failureRate` of
/// them failing with long stack traces, a little output. Deterministic for given arguments.
struct JUnitGenerator {
    var cases: Int
    var suites: Int
    var failureRate: Double

    private static let verbs = ["should", "must", "can", "does", "will"]
    private static let actions = [
        "ApplyDiscount", "RejectExpiredToken", "RoundToCents", "RetryOnTimeout", "ReserveStock", "EmitAuditEvent",
        "ConvertCurrency", "ParseRateTable", "IndexDocument", "MergeCarts", "SplitShipment", "RefundPartially",
    ]
    private static let conditions = [
        "WhenCustomerIsPremium", "ForEmptyCart", "AfterSessionRenewal", "WithConcurrentWriters", "OnLeapDay", "GivenStaleCache",
    ]

    func write(to out: FileWriter) {
        var random = SeededRandom(seed: 0x5EED_0001)
        let perSuite = max(1, (cases + suites - 1) / max(suites, 1))
        out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.write("<testsuites name=\"acme-backend\" tests=\"\(cases)\" time=\"\(cases / 20).5\" timestamp=\"2026-03-14T09:26:53Z\">\n")
        var written = 0
        var suiteNumber = 0
        while written < cases {
            let count = min(perSuite, cases - written)
            let package = StackTraces.packages[suiteNumber % StackTraces.packages.count]
            out.write(
                "  <testsuite name=\"\(package).Module\(suiteNumber)Test\" tests=\"\(count)\" time=\"\(count / 15).25\" "
                    + "timestamp=\"2026-03-14T09:\(10 + suiteNumber % 50):00Z\" hostname=\"ci-runner-\(suiteNumber % 7)\">\n")
            out.write("    <properties>\n")
            out.write("      <property name=\"java.version\" value=\"21.0.2\"/>\n")
            out.write(
                "      <property name=\"surefire.test.class.path\" value=\"/builds/acme/target/test-classes:/builds/acme/target/classes\"/>\n"
            )
            out.write("    </properties>\n")
            for index in 0..<count {
                writeCase(number: written + index, package: package, random: &random, to: out)
            }
            out.write("    <system-out><![CDATA[")
            for line in 0..<40 {
                out.write(
                    "09:\(10 + suiteNumber % 50):\(line % 60) INFO  [main] \(package).Bootstrap - started component \(line) in \(line * 7) ms\n"
                )
            }
            out.write("]]></system-out>\n  </testsuite>\n")
            written += count
            suiteNumber += 1
        }
        out.write("</testsuites>\n")
        out.flush()
    }

    private func writeCase(number: Int, package: String, random: inout SeededRandom, to out: FileWriter) {
        // A class per 25 cases, as a real module has many test classes.
        let type = StackTraces.classes[(number / 25) % StackTraces.classes.count]
        let classname = "\(package).\(type)Test"
        let method = "\(random.pick(Self.verbs))\(random.pick(Self.actions))\(random.pick(Self.conditions))_\(number)"
        let time = "\(random.int(0..<3)).\(random.int(0..<1000))"
        let open = "    <testcase name=\"\(method)\" classname=\"\(classname)\" time=\"\(time)\""
        if random.chance(failureRate) {
            let trace = StackTraces.make(&random, testClass: classname, testMethod: method, frames: random.int(50..<120))
            let isError = random.chance(0.2)
            let element = isError ? "error" : "failure"
            let message = trace.prefix { $0 != "\n" }
            out.write(
                "\(open)>\n      <\(element) message=\"\(xmlEscaped(String(message)))\" type=\"org.opentest4j.AssertionFailedError\">")
            out.write(xmlEscaped(trace))
            out.write("</\(element)>\n")
            out.write("      <system-out><![CDATA[[[ATTACHMENT|/builds/acme/target/screenshots/\(method).png]]\n")
            out.write("request id=\(random.next() % 1_000_000) retrying once after 250 ms\n]]></system-out>\n    </testcase>\n")
        } else if random.chance(0.01) {
            out.write("\(open)>\n      <skipped message=\"disabled until ACME-\(random.int(100..<9999)) is fixed\"/>\n    </testcase>\n")
        } else if random.chance(0.02) {
            out.write(
                "\(open)>\n      <system-out>cache warm-up took \(random.int(1..<900)) ms; 0 entries evicted</system-out>\n    </testcase>\n"
            )
        } else {
            out.write("\(open)/>\n")
        }
    }
}

func xmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
