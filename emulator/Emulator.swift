import Foundation
import HTTPContract
import NIOCore
import NIOHTTP1
import NIOPosix
import SAMTemplate
import VerdictJSON

/// Owns the event loops, the function pools, the gateway and the scheduler, and tears them
/// all down together so no handler process outlives the emulator.
final class Emulator: @unchecked Sendable {
    let settings: EmulatorSettings
    let template: Template
    let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
    let pools: [String: FunctionPool]
    /// The local S3 endpoint at /_s3; nil when --s3-endpoint names another store.
    let objectStorage: LocalS3Endpoint?
    /// The template's WebSocket API on --websocket-path; nil when it declares none.
    let webSocket: WebSocketGateway?
    private var signalSources: [DispatchSourceSignal] = []

    init(settings: EmulatorSettings, template: Template) {
        self.settings = settings
        self.template = template
        var pools: [String: FunctionPool] = [:]
        for function in template.functions {
            do {
                pools[function.logicalID] = try FunctionPool(definition: function, settings: settings, group: group)
            } catch {
                Console.line("verdict-emulator: \(error)")
                exit(1)
            }
        }
        self.pools = pools
        do {
            objectStorage = try LocalS3Endpoint.configure(settings: settings, template: template)
        } catch {
            Console.line("verdict-emulator: local S3: \(error)")
            exit(1)
        }
        do {
            webSocket = try WebSocketGateway.configure(
                settings: settings, template: template, pools: pools, localSecret: objectStorage?.secret)
        } catch {
            Console.line("verdict-emulator: WebSocket API: \(error)")
            exit(1)
        }
    }

    struct StartupFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Invokes the functions the template marks with `VerdictStartupOrder`, in order. Each gets
    /// its previous result (kept in the state folder) as its event, so a seed can hand back
    /// the key it created last time instead of minting another.
    func runStartupFunctions() throws {
        let startup = template.functions.filter { $0.startupOrder != nil }.sorted { $0.startupOrder! < $1.startupOrder! }
        guard !startup.isEmpty else { return }
        let stateFolder = settings.resolve(settings.stateDirectory)
        try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
        for function in startup {
            let statePath = "\(stateFolder)/\(function.logicalID).json"
            let previous = FileManager.default.contents(atPath: statePath).map { Array($0) } ?? Array("{}".utf8)
            let outcome = invokeAndWait(pools[function.logicalID]!, payload: previous)
            guard case .success(let output) = outcome else {
                throw StartupFailure(
                    description:
                        "startup function \(function.logicalID) failed: \(Gateway.invokeResponse(outcome, requestID: "-").bodyText)")
            }
            FileManager.default.createFile(atPath: statePath, contents: Data(output), attributes: [.posixPermissions: 0o600])
            Console.line("[startup] \(function.logicalID): \(String(decoding: output, as: UTF8.self))")
            if let key = (try? JSON.parse(output))?["key"]?.stringValue {
                Console.line("verdict-emulator: development API key: \(key) (kept in \(statePath))")
            }
        }
    }

    func invokeAndWait(_ pool: FunctionPool, payload: [UInt8]) -> InvocationOutcome {
        let promise = group.next().makePromise(of: InvocationOutcome.self)
        pool.submit(
            Invocation(requestID: UUID().uuidString.lowercased(), payload: payload) { outcome in
                promise.succeed(outcome)
            })
        return try! promise.futureResult.wait()
    }

    func serve() throws {
        let scheduler = Scheduler(pools: Array(pools.values), group: group, region: settings.region)
        let gateway = try Gateway(template: template, pools: pools, scheduler: scheduler, webSocket: webSocket)
        var upgraders: (@Sendable () -> [HTTPServerProtocolUpgrader & Sendable])?
        if let webSocket { upgraders = { [webSocket.upgrader()] } }
        let channel = try LocalS3Server.bind(
            group: group, host: settings.host, port: settings.port, maxBodyBytes: PayloadLimits.invocationBytes,
            objectStorage: objectStorage, upgraders: upgraders
        ) { request, responder in
            gateway.handle(request, responder: responder)
        }.wait()
        if let objectStorage, let boundPort = channel.localAddress?.port {
            objectStorage.publish(host: settings.host, port: boundPort)
            Console.line(objectStorage.banner(host: settings.host, port: boundPort))
        }
        if let webSocket, let boundPort = channel.localAddress?.port {
            webSocket.publish(host: settings.host, port: boundPort)
            Console.line(webSocket.banner(host: settings.host, port: boundPort))
        }
        if settings.runSchedules { scheduler.run() }
        let routeCount = template.functions.reduce(0) { $0 + $1.routes.count }
        let port = channel.localAddress?.port ?? settings.port
        Console.line(
            "verdict-emulator: \(template.functions.count) functions, \(routeCount) routes, listening on http://\(settings.host):\(port)")
        group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [pools] _ in
            for pool in pools.values { pool.shrink() }
        }
        try channel.closeFuture.wait()
    }

    /// SIGINT and SIGTERM stop every handler process before the emulator exits.
    func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                Console.line("verdict-emulator: stopping")
                self?.shutdown(exitCode: 0)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    func shutdown(exitCode: Int32) -> Never {
        var pids: [pid_t] = []
        for pool in pools.values { pids += pool.stop() }
        // The waiter threads reap the killed processes; give them a moment so none is left a zombie.
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline, pools.values.contains(where: { $0.stats.workers > 0 }) {
            usleep(10_000)
        }
        exit(exitCode)
    }
}
