import Foundation
import SAMTemplate

/// Everything the emulator is told on its command line, with the defaults a laptop wants.
struct EmulatorSettings: Sendable {
    enum Command: String { case serve, startup, routes }

    var command: Command = .serve
    var projectRoot = FileManager.default.currentDirectoryPath
    var templatePath = "infra-templates/template.yaml"
    var host = "127.0.0.1"
    var port = 8080
    var buildDirectory = ".build/debug"
    var useBootstraps = true
    var parameters: [String: String] = [:]
    /// Instances per function when the template sets no ReservedConcurrentExecutions: twice the
    /// cores, at least 4. On Lambda every instance has a CPU of its own; here they share the
    /// machine with the database, and a pool that outnumbers the cores only adds context
    /// switches and lock waits in PostgreSQL (200 orchestration workers: checkout p50 42 ms with
    /// 16 instances, 17 ms with 4, on 2 cores). Requests beyond it queue in the emulator.
    var defaultConcurrency = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
    var idleTimeoutSeconds = 300
    var stateDirectory = ".verdict"
    var runStartupFunctions = true
    var runSchedules = true
    var logReports = true
    var reportMemory = true
    var region = ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1"
    // Object storage (LocalS3*.swift): the local /_s3 endpoint unless s3Endpoint names another.
    /// Folder behind the local S3 endpoint; nil means `<state-dir>/s3`.
    var s3Root: String?
    /// Secret for the local access key; nil means the one kept in `<state-dir>/s3-credentials`.
    var s3Secret: String?
    /// An S3 (or MinIO…) endpoint to send handlers to instead of serving `/_s3` locally.
    var s3Endpoint: String?
    /// Where the template's WebSocket API is served on the gateway's port.
    var webSocketPath = "/ws"

    static let usage = """
        usage: verdict-emulator [serve|startup|routes] [options]
          serve      run the template's functions behind a local HTTP API (default)
          startup    run the startup functions (migrations, seed) once and exit
          routes     print the route table and exit
        options:
          --template PATH         SAM template (default infra-templates/template.yaml)
          --project-root PATH     folder the template's paths are relative to (default: current)
          --host HOST             listen address (default 127.0.0.1)
          --port N                listen port (default 8080)
          --build-dir PATH        where built function executables live (default .build/debug)
          --ignore-bootstraps     run the executables in --build-dir even where a CodeUri bootstrap
                                  exists (tests: a packaged bootstrap may be older than the code)
          --parameter KEY=VALUE   template parameter override (repeatable)
          --concurrency N         per-function instance cap without ReservedConcurrentExecutions (default 2 × cores, at least 4)
          --idle-timeout SECONDS  stop instances idle this long (default 300)
          --state-dir PATH        where startup functions keep their last result (default .verdict)
          --no-startup            do not run startup functions
          --no-schedules          do not fire schedules on time (they can still be fired on demand)
          --quiet                 no REPORT lines
          --s3-root PATH          folder behind the local S3 endpoint /_s3 (default <state-dir>/s3)
          --s3-secret SECRET      secret for the local S3 access key verdict-local
                                  (default: made once, kept in <state-dir>/s3-credentials)
          --s3-endpoint URL       send handlers to this S3-compatible endpoint (path style, credentials
                                  from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and do not serve /_s3
          --websocket-path PATH   where the template's WebSocket API upgrades connections (default /ws);
                                  its @connections API is at /_ws/@connections/{connectionId}
        """

    static func parse(_ arguments: [String]) throws -> EmulatorSettings {
        var settings = EmulatorSettings()
        var rest = arguments[...]
        if let first = rest.first, let command = Command(rawValue: first) {
            settings.command = command
            rest = rest.dropFirst()
        }
        func value(_ option: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(option) needs a value") }
            return next
        }
        func number(_ option: String) throws -> Int {
            let text = try value(option)
            guard let number = Int(text), number >= 0 else { throw UsageError("\(option) needs a whole number, not \(text)") }
            return number
        }
        while let option = rest.popFirst() {
            switch option {
            case "--template": settings.templatePath = try value(option)
            case "--project-root": settings.projectRoot = try value(option)
            case "--host": settings.host = try value(option)
            case "--port": settings.port = try number(option)
            case "--build-dir": settings.buildDirectory = try value(option)
            case "--parameter":
                let pair = try value(option)
                guard let equals = pair.firstIndex(of: "=") else { throw UsageError("--parameter needs KEY=VALUE, not \(pair)") }
                settings.parameters[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            case "--concurrency": settings.defaultConcurrency = max(1, try number(option))
            case "--idle-timeout": settings.idleTimeoutSeconds = try number(option)
            case "--state-dir": settings.stateDirectory = try value(option)
            case "--no-startup": settings.runStartupFunctions = false
            case "--no-schedules": settings.runSchedules = false
            case "--quiet": settings.logReports = false
            case "--ignore-bootstraps": settings.useBootstraps = false
            case "--s3-root": settings.s3Root = try value(option)
            case "--s3-secret":
                let secret = try value(option)
                guard !secret.isEmpty else { throw UsageError("--s3-secret needs a non-empty value") }
                settings.s3Secret = secret
            case "--s3-endpoint":
                let url = try value(option)
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw UsageError("--s3-endpoint needs an http:// or https:// URL, not \(url)")
                }
                settings.s3Endpoint = url
            case "--websocket-path":
                let path = try value(option)
                guard path.hasPrefix("/"), !path.contains("?"), !WebSocketGateway.owns(managementPath: path) else {
                    throw UsageError(
                        "--websocket-path needs a path such as /ws (not under \(WebSocketGateway.managementPrefix)), not \(path)")
                }
                settings.webSocketPath = path
            case "--help", "-h": throw UsageError(nil)
            default: throw UsageError("unknown option \(option)")
            }
        }
        return settings
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: projectRoot).appendingPathComponent(path).standardizedFileURL.path
    }

    /// A `bootstrap` in the function's CodeUri folder wins, as on Lambda; otherwise the
    /// executable SwiftPM built for the function.
    func executable(for function: FunctionDefinition) -> String? {
        let bootstrap = resolve(function.codeURI) + "/bootstrap"
        if useBootstraps, FileManager.default.isExecutableFile(atPath: bootstrap) { return bootstrap }
        let built = resolve(buildDirectory) + "/" + function.executableName
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }

    /// What every handler process starts with; Lambda gives functions a clean environment too.
    var baseEnvironment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023",
        ]
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LD_LIBRARY_PATH"] {
            if let value = inherited[name] { environment[name] = value }
        }
        return environment
    }
}

struct UsageError: Error, CustomStringConvertible {
    var message: String?
    init(_ message: String?) { self.message = message }
    var description: String { (message.map { "error: \($0)\n" } ?? "") + EmulatorSettings.usage }
}

extension EmulatorSettings {
    /// How a handler process on this machine reaches a server bound to `host`: a wildcard or
    /// `localhost` is the loopback address, and an IPv6 literal goes in brackets for a URL.
    static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "::", "[::]", "", "localhost": return "127.0.0.1"
        default: return host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}
