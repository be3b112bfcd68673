import Foundation
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real emulator binary, started on a free port with a given template, its output captured
/// so tests can read the REPORT lines and handler logs.
final class EmulatorProcess: @unchecked Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var buildDirectory: String { ProcessInfo.processInfo.environment["VERDICT_BUILD_DIR"] ?? ".build/debug" }

    let process = Process()
    let stateDirectory: URL
    private let lock = NSLock()
    private var output = ""
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(template: String, parameters: [String: String] = [:], arguments: [String] = []) throws {
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let root = Self.packageRoot.path
        process.executableURL = URL(fileURLWithPath: "\(root)/\(Self.buildDirectory)/verdict-emulator")
        var args = [
            "--template", template, "--project-root", root, "--port", "0", "--build-dir", Self.buildDirectory,
            "--ignore-bootstraps", "--state-dir",
            stateDirectory.path,
        ]
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { args += ["--parameter", "\(key)=\(value)"] }
        process.arguments = args + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.output += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let line = try waitForOutput(matching: "listening on http://127.0.0.1:", timeout: 60)
        guard let portText = line.split(separator: ":").last, let port = Int(portText.trimmingCharacters(in: .whitespaces)) else {
            throw EmulatorError.startFailed(self.output)
        }
        self.port = port
    }

    enum EmulatorError: Error { case startFailed(String), timeout(String) }

    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    /// Waits for a line containing `text` and returns it.
    @discardableResult
    func waitForOutput(matching text: String, after offset: String.Index? = nil, timeout: TimeInterval = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { throw EmulatorError.startFailed(log) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw EmulatorError.timeout("no output containing \(text) within \(timeout) s; output so far:\n\(log)")
    }

    func lines(containing text: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    /// SIGTERM, as a developer's Ctrl-C or a service manager would send.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    deinit { stop() }
}

struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "not a JSON object: \(text)"])
        }
        return object
    }

    /// The error envelope's code, asserting the envelope's shape on the way.
    func errorCode(file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard let object = try? json(), let error = object["error"] as? [String: Any] else {
            XCTFail("not an error envelope: \(status) \(text)", file: file, line: line)
            return nil
        }
        XCTAssertNotNil(error["message"] as? String, "envelope without message", file: file, line: line)
        return error["code"] as? String
    }
}

enum HTTPClient {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headerMap: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headerMap[String(describing: key).lowercased()] = String(describing: value) }
        return HTTPResult(status: http.statusCode, headers: headerMap, body: data)
    }
}

func requireDatabaseURL(file: StaticString = #filePath, line: UInt = #line) -> String {
    guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
        XCTFail("DATABASE_URL is not set: run the tests with `make test`, which starts a throw-away PostgreSQL", file: file, line: line)
        return "postgresql://invalid"
    }
    return url
}
