import Foundation
import NIOConcurrencyHelpers
import SAMTemplate
import VerdictS3

/// What handler processes are told about object storage (FunctionPool.launch adds it to each
/// process's environment). With local S3 the endpoint includes the gateway's port, which is
/// only known once the gateway has bound (port 0 in tests): processes started before that —
/// startup functions — get the configured port instead.
final class LocalS3Environment: Sendable {
    static let shared = LocalS3Environment()

    /// A nil value removes the variable from what the process would otherwise inherit.
    private let values = NIOLockedValueBox<[String: String?]>([:])

    var variables: [String: String?] { values.withLockedValue { $0 } }

    func set(_ variables: [String: String?]) {
        values.withLockedValue { $0 = variables }
    }
}

extension LocalS3Endpoint {
    static let credentialsFileName = "s3-credentials"

    /// Sets up object storage for the emulator: the local endpoint (returned), or, with
    /// `--s3-endpoint`, only the environment that sends handlers there (nil returned).
    static func configure(settings: EmulatorSettings, template: Template) throws -> LocalS3Endpoint? {
        if let external = settings.s3Endpoint {
            // Credentials for it come from the emulator's own environment (baseEnvironment).
            LocalS3Environment.shared.set([ObjectStoreConfiguration.endpointVariable: external])
            return nil
        }
        let stateFolder = settings.resolve(settings.stateDirectory)
        let root = settings.s3Root.map(settings.resolve) ?? "\(stateFolder)/s3"
        let secret = try settings.s3Secret ?? loadOrCreateSecret(at: "\(stateFolder)/\(credentialsFileName)")
        let store = try LocalS3Store(root: root, buckets: Set(template.buckets.values))
        let endpoint = LocalS3Endpoint(store: store, secret: secret)
        // Until the gateway binds, the configured port is the best guess (and right unless it is 0).
        endpoint.publish(host: settings.host, port: settings.port)
        return endpoint
    }

    /// Points handler processes at this endpoint on the gateway's port.
    func publish(host: String, port: Int) {
        let reachable = EmulatorSettings.reachableHost(host)
        LocalS3Environment.shared.set([
            ObjectStoreConfiguration.endpointVariable: "http://\(reachable):\(port)\(Self.pathPrefix)",
            "AWS_ACCESS_KEY_ID": Self.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": secret,
            // Temporary credentials from the developer's shell do not belong to the local keys.
            "AWS_SESSION_TOKEN": nil,
        ])
    }

    /// The line the emulator prints once the endpoint is reachable.
    func banner(host: String, port: Int) -> String {
        "verdict-emulator: local S3 at http://\(host):\(port)\(Self.pathPrefix) (buckets: \(store.buckets.sorted().joined(separator: ", ")); "
            + "files in \(store.root); access key \(Self.accessKeyID))"
    }

    /// The secret kept in the state folder as an AWS shared-credentials file, made on first use,
    /// so `AWS_SHARED_CREDENTIALS_FILE=<state>/s3-credentials AWS_PROFILE=verdict-local` works for
    /// the AWS CLI and boto3 too.
    static func loadOrCreateSecret(at path: String) throws -> String {
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == "aws_secret_access_key", !parts[1].isEmpty { return parts[1] }
            }
            throw CredentialsError(description: "\(path) has no aws_secret_access_key; delete it to have a new one made")
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let secret = String((0..<40).map { _ in alphabet.randomElement(using: &generator)! })
        let contents = """
            # Credentials of the Verdict emulator's local S3 endpoint (http://<host>:<port>\(pathPrefix)).
            [\(accessKeyID)]
            aws_access_key_id = \(accessKeyID)
            aws_secret_access_key = \(secret)

            """
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CredentialsError(description: "cannot write \(path)")
        }
        return secret
    }

    struct CredentialsError: Error, CustomStringConvertible {
        var description: String
    }
}
