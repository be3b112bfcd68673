import Foundation
import NIOConcurrencyHelpers
import SAMTemplate
import VerdictS3

/// Where handler processes find the `@connections` API (FunctionPool.launch adds it to each
/// process's environment, over whatever the template set for AWS). Like the local S3 endpoint's,
/// it names the gateway's port, known only once the gateway has bound.
final class WebSocketEnvironment: Sendable {
    static let shared = WebSocketEnvironment()
    /// Read by VerdictLive's ConnectionsClient.
    static let endpointVariable = "VERDICT_WEBSOCKET_MANAGEMENT_ENDPOINT"
    /// Read by the pages: where a browser connects. A path, so a page reached by any of the
    /// emulator's host names connects back to the same one.
    static let browserVariable = "VERDICT_LIVE_URL"

    private let values = NIOLockedValueBox<[String: String]>([:])

    var variables: [String: String] { values.withLockedValue { $0 } }

    func set(_ variables: [String: String]) {
        values.withLockedValue { $0 = variables }
    }
}

extension WebSocketGateway {
    /// The gateway for the template's WebSocket API, or nil when it declares none. Management
    /// requests must be signed with a key functions are given: the local S3 key (`verdict-local`),
    /// or, with `--s3-endpoint`, the AWS key the emulator itself was started with.
    static func configure(settings: EmulatorSettings, template: Template, pools: [String: FunctionPool], localSecret: String?) throws
        -> WebSocketGateway?
    {
        guard let api = template.webSocketAPIs.first else { return nil }
        if template.webSocketAPIs.count > 1 {
            Console.line(
                "verdict-emulator: serving WebSocket API \(api.logicalID) only (the template declares \(template.webSocketAPIs.count))")
        }
        var secrets: [String: String] = [:]
        let stateFolder = settings.resolve(settings.stateDirectory)
        secrets[LocalS3Endpoint.accessKeyID] =
            try localSecret ?? settings.s3Secret
            ?? LocalS3Endpoint.loadOrCreateSecret(at: "\(stateFolder)/\(LocalS3Endpoint.credentialsFileName)")
        let inherited = ProcessInfo.processInfo.environment
        if settings.s3Endpoint != nil, let key = inherited["AWS_ACCESS_KEY_ID"], let secret = inherited["AWS_SECRET_ACCESS_KEY"] {
            secrets[key] = secret
        }
        let gateway = WebSocketGateway(
            api: api, pools: pools, path: settings.webSocketPath,
            verifier: SigV4Verifier(region: nil, service: "execute-api", secrets: secrets))
        gateway.publish(host: settings.host, port: settings.port)
        return gateway
    }

    func publish(host: String, port: Int) {
        let reachable = EmulatorSettings.reachableHost(host)
        WebSocketEnvironment.shared.set([
            Self.endpointVariableName: "http://\(reachable):\(port)\(Self.managementPrefix)", WebSocketEnvironment.browserVariable: path,
        ])
    }

    static var endpointVariableName: String { WebSocketEnvironment.endpointVariable }

    func banner(host: String, port: Int) -> String {
        let routes = api.routes.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", ")
        return "verdict-emulator: WebSocket API \(api.logicalID) at ws://\(host):\(port)\(path) (\(routes)); "
            + "@connections at http://\(host):\(port)\(Self.managementPrefix)/@connections/{connectionId}"
    }
}
