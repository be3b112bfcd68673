import VerdictTestSupport
import VerdictJSON

/// A large Playwright JSON report: spec files → describes → specs → one test per project →
/// one result per attempt. Some tests retry and pass (flaky), some fail on every retry with
/// stack traces, screenshots and traces. Deterministic for given arguments.
struct PlaywrightGenerator {
    var tests: Int

    private static let projects = ["chromium", "firefox", "webkit"]
    private static let areas = ["checkout", "catalog", "account", "search", "admin", "onboarding", "billing", "support"]
    private static let features = ["cart", "filters", "login", "profile", "invoices", "wizard", "tickets", "exports", "promotions"]
    private static let phrases = [
        "shows the total with tax", "keeps the selection after reload", "rejects an expired card", "paginates results",
        "survives a slow network", "announces errors to screen readers", "restores the draft", "sorts by price",
    ]
    static let startMs: Int64 = 1_773_480_413_000

    func write(to out: FileWriter) {
        var random = SeededRandom(seed: 0x5EED_0002)
        let specsPerFile = 30
        let specs = (tests + Self.projects.count - 1) / Self.projects.count
        let files = max(1, (specs + specsPerFile - 1) / specsPerFile)
        var head: [UInt8] = []
        head.append(contentsOf: "{\n  \"config\": ".utf8)
        PrettyJSON.write(config(), indent: 2, to: &head)
        head.append(contentsOf: ",\n  \"suites\": [\n".utf8)
        out.write(bytes: head)
        var emittedTests = 0
        var counts = (expected: 0, unexpected: 0, flaky: 0, skipped: 0)
        for fileIndex in 0..<files {
            guard emittedTests < tests else { break }
            var state = FileState(remaining: tests - emittedTests)
            let suite = fileSuite(fileIndex, specs: specsPerFile, random: &random, state: &state)
            emittedTests += state.emitted
            counts.expected += state.expected
            counts.unexpected += state.unexpected
            counts.flaky += state.flaky
            counts.skipped += state.skipped
            var bytes: [UInt8] = fileIndex == 0 ? [] : Array(",\n".utf8)
            bytes.append(contentsOf: "    ".utf8)
            PrettyJSON.write(suite, indent: 4, to: &bytes)
            out.write(bytes: bytes)
        }
        var tail: [UInt8] = Array("\n  ],\n  \"errors\": [],\n  \"stats\": ".utf8)
        let stats: JSON = [
            "startTime": .string("2026-03-14T09:26:53.000Z"), "duration": .double(1_843_221.5),
            "expected": .int(Int64(counts.expected)), "skipped": .int(Int64(counts.skipped)),
            "unexpected": .int(Int64(counts.unexpected)), "flaky": .int(Int64(counts.flaky)),
        ]
        PrettyJSON.write(stats, indent: 2, to: &tail)
        tail.append(contentsOf: "\n}\n".utf8)
        out.write(bytes: tail)
        out.flush()
    }

    private struct FileState {
        var remaining: Int
        var emitted = 0
        var expected = 0, unexpected = 0, flaky = 0, skipped = 0
    }

    private func config() -> JSON {
        let projects = Self.projects.map { name -> JSON in
            [
                "outputDir": .string("/builds/web/test-results"), "repeatEach": 1, "retries": 2, "metadata": [:],
                "id": .string(name), "name": .string(name), "testDir": .string("/builds/web/tests"), "testIgnore": [],
                "testMatch": ["**/*.@(spec|test).?(c|m)[jt]s?(x)"], "timeout": 30000,
            ]
        }
        return [
            "configFile": .string("/builds/web/playwright.config.ts"), "rootDir": .string("/builds/web/tests"),
            "forbidOnly": true, "fullyParallel": true, "globalTimeout": 0, "maxFailures": 0,
            "metadata": ["actualWorkers": 4], "preserveOutput": .string("always"),
            "reporter": [["json", ["outputFile": .string("results.json")]]], "projects": .array(projects),
            "shard": .null, "updateSnapshots": .string("missing"), "version": .string("1.52.0"), "workers": 4,
        ]
    }

    private func fileSuite(_ index: Int, specs: Int, random: inout SeededRandom, state: inout FileState) -> JSON {
        let file = "\(Self.areas[index % Self.areas.count])/\(Self.features[(index / 8) % Self.features.count])-\(index).spec.ts"
        var describes: [JSON] = []
        var line = 3
        var left = specs
        var describeIndex = 0
        while left > 0, state.remaining > 0 {
            let count = min(left, random.int(4..<12))
            var describeSpecs: [JSON] = []
            for _ in 0..<count where state.remaining > 0 {
                describeSpecs.append(spec(file: file, line: &line, random: &random, state: &state))
            }
            var nested: [JSON] = []
            if random.chance(0.3), state.remaining > 0 {
                // A nested describe, as grouped tests often are.
                var nestedSpecs: [JSON] = []
                for _ in 0..<random.int(1..<4) where state.remaining > 0 {
                    nestedSpecs.append(spec(file: file, line: &line, random: &random, state: &state))
                }
                nested.append(
                    [
                        "title": .string("when signed out"), "file": .string(file), "line": .int(Int64(line)), "column": 3,
                        "specs": .array(nestedSpecs),
                    ])
            }
            let literal: JSON = [
                "title": .string("\(Self.features[(index + describeIndex) % Self.features.count]) page"), "file": .string(file),
                "line": .int(Int64(line)), "column": 6, "specs": .array(describeSpecs),
            ]
            var describe = literal.objectValue!
            if !nested.isEmpty { describe["suites"] = .array(nested) }
            describes.append(.object(describe))
            left -= count
            describeIndex += 1
        }
        return [
            "title": .string(file), "file": .string(file), "column": 0, "line": 0, "specs": [],
            "suites": .array(describes),
        ]
    }

    private func spec(file: String, line: inout Int, random: inout SeededRandom, state: inout FileState) -> JSON {
        line += random.int(4..<30)
        let title = "\(random.pick(Self.phrases)) #\(state.emitted)"
        var tests: [JSON] = []
        for project in Self.projects where state.remaining > 0 {
            tests.append(test(project: project, file: file, line: line, random: &random, state: &state))
            state.remaining -= 1
            state.emitted += 1
        }
        let id = String(random.next() % 0xFFFF_FFFF, radix: 16)
        return [
            "title": .string(title), "ok": true, "tags": random.chance(0.2) ? ["@smoke"] : [], "tests": .array(tests),
            "id": .string("\(id)-\(String(id.reversed()))"), "file": .string(file), "line": .int(Int64(line)), "column": 5,
        ]
    }

    private func test(project: String, file: String, line: Int, random: inout SeededRandom, state: inout FileState) -> JSON {
        let roll = random.unit()
        let outcome: String
        var results: [JSON] = []
        if roll < 0.03 {
            outcome = "unexpected"
            state.unexpected += 1
            for retry in 0..<3 { results.append(result(retry: retry, passed: false, file: file, line: line, random: &random)) }
        } else if roll < 0.07 {
            outcome = "flaky"
            state.flaky += 1
            results.append(result(retry: 0, passed: false, file: file, line: line, random: &random))
            results.append(result(retry: 1, passed: true, file: file, line: line, random: &random))
        } else if roll < 0.09 {
            outcome = "skipped"
            state.skipped += 1
            results.append(
                [
                    "workerIndex": -1, "parallelIndex": -1, "status": "skipped", "duration": 0, "errors": [], "stdout": [],
                    "stderr": [], "retry": 0, "startTime": .string("2026-03-14T09:27:00.000Z"), "attachments": [],
                ])
        } else {
            outcome = "expected"
            state.expected += 1
            results.append(result(retry: 0, passed: true, file: file, line: line, random: &random))
        }
        let annotations: JSON = outcome == "skipped" ? [["type": "skip", "description": "flaky on CI, see WEB-1234"]] : []
        return [
            "timeout": 30000, "annotations": annotations, "expectedStatus": .string(outcome == "skipped" ? "skipped" : "passed"),
            "projectId": .string(project), "projectName": .string(project), "results": .array(results), "status": .string(outcome),
        ]
    }

    private func result(retry: Int, passed: Bool, file: String, line: Int, random: inout SeededRandom) -> JSON {
        let start = Self.startMs + Int64(random.int(0..<1_800_000))
        let literal: JSON = [
            "workerIndex": .int(Int64(random.int(0..<4))), "parallelIndex": .int(Int64(random.int(0..<4))),
            "status": .string(passed ? "passed" : (random.chance(0.2) ? "timedOut" : "failed")),
            "duration": .int(Int64(random.int(200..<9000))), "errors": [], "stdout": [], "stderr": [], "retry": .int(Int64(retry)),
            "startTime": .string(isoTime(start)), "attachments": [],
        ]
        var result = literal.objectValue!
        if random.chance(0.1) {
            result["stdout"] = [["text": .string("[api] GET /api/v2/cart -> 200 in \(random.int(5..<400))ms\n")]]
        }
        if !passed {
            let error = failure(file: file, line: line, random: &random)
            result["errors"] = [error]
            result["error"] = error
            let base = "/builds/web/test-results/\(file.replacingSlashes())-retry\(retry)"
            result["attachments"] = [
                ["name": "screenshot", "contentType": "image/png", "path": .string("\(base)/test-failed-1.png")],
                ["name": "trace", "contentType": "application/zip", "path": .string("\(base)/trace.zip")],
            ]
        }
        return .object(result)
    }

    private func failure(file: String, line: Int, random: inout SeededRandom) -> JSON {
        let expected = random.int(1..<50)
        let message =
            "\u{1B}[2mexpect(\u{1B}[22m\u{1B}[31mlocator\u{1B}[39m\u{1B}[2m).\u{1B}[22mtoHaveText\u{1B}[2m(\u{1B}[22m\u{1B}[32mexpected\u{1B}[39m\u{1B}[2m)\u{1B}[22m failed\n\n"
            + "Locator: getByTestId('cart-total')\nExpected string: \"$\(expected).00\"\nReceived string: \"$\(expected + 1).00\"\n"
            + "Timeout: 5000ms\n\nCall log:\n"
            + (0..<random.int(3..<8)).map { "  - waiting for getByTestId('cart-total') attempt \($0)\n" }.joined()
        var stack = "Error: expect(locator).toHaveText(expected) failed\n"
        for frame in 0..<random.int(4..<12) {
            stack += "    at /builds/web/tests/\(file):\(line + frame):\(random.int(5..<40))\n"
            stack +=
                "    at /builds/web/node_modules/playwright/lib/matchers/toMatchText.js:\(random.int(10..<200)):\(random.int(5..<40))\n"
        }
        return [
            "message": .string(message), "stack": .string(stack),
            "location": ["file": .string("/builds/web/tests/\(file)"), "column": 40, "line": .int(Int64(line + 2))],
            "snippet": .string(
                "  \(line + 1) |   await page.goto('/cart');\n> \(line + 2) |   await expect(total).toHaveText('$\(expected).00');\n"),
        ]
    }

    private func isoTime(_ ms: Int64) -> String {
        let seconds = ms / 1000
        let minute = (seconds / 60) % 60
        let hour = 9 + (seconds / 3600) % 10
        return "2026-03-14T\(pad(hour)):\(pad(minute)):\(pad(seconds % 60)).\(ms % 1000)Z"
    }

    private func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension String {
    fileprivate func replacingSlashes() -> String { String(map { $0 == "/" || $0 == "." ? "-" : $0 }) }
}
