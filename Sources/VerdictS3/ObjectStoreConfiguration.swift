#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an `ObjectStore` keeps its objects and how it signs its requests.
public struct ObjectStoreConfiguration: Sendable, Hashable {
    /// Set by the local emulator (its own `/_s3` endpoint, or the `--s3-endpoint` it was
    /// given); absent on AWS, where the regional S3 endpoint is used.
    public static let endpointVariable = "VERDICT_S3_ENDPOINT"
    public static let bucketVariable = "ARTIFACTS_BUCKET"

    public var bucket: String
    public var region: String
    public var credentials: SigV4Credentials
    public var endpoint: S3Endpoint
    public var addressingStyle: S3AddressingStyle
    /// Per request; large objects need a generous one.
    public var timeoutMilliseconds: Int

    public init(
        bucket: String, region: String, credentials: SigV4Credentials, endpoint: S3Endpoint,
        addressingStyle: S3AddressingStyle, timeoutMilliseconds: Int = 300_000
    ) {
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.endpoint = endpoint
        self.addressingStyle = addressingStyle
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Reads what Lambda (or the emulator) puts in a function's environment:
    /// `ARTIFACTS_BUCKET`, `AWS_REGION` (else `AWS_DEFAULT_REGION`, else us-east-1),
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
    /// `VERDICT_S3_ENDPOINT`. With an endpoint, requests go there in path style (what
    /// the emulator and MinIO expect); without, to `https://s3.<region>.amazonaws.com`
    /// with the bucket in the host name.
    public static func fromEnvironment(
        bucketVariable: String = ObjectStoreConfiguration.bucketVariable,
        _ lookup: (String) -> String? = ObjectStoreConfiguration.processEnvironment
    ) throws(ObjectStoreError) -> ObjectStoreConfiguration {
        func value(_ name: String) -> String? {
            guard let text = lookup(name), !text.isEmpty else { return nil }
            return text
        }
        guard let bucket = value(bucketVariable) else {
            throw .configuration("\(bucketVariable) is not set: the function does not know its bucket")
        }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        guard let accessKeyID = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw .configuration("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set")
        }
        let credentials = SigV4Credentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        let endpoint: S3Endpoint
        let style: S3AddressingStyle
        do {
            if let custom = value(endpointVariable) {
                endpoint = try S3Endpoint(custom)
                style = .path
            } else {
                endpoint = try S3Endpoint("https://s3.\(region).amazonaws.com")
                style = .virtualHosted
            }
        } catch {
            throw .configuration("\(endpointVariable) or AWS_REGION does not make a usable endpoint: \(error)")
        }
        return ObjectStoreConfiguration(
            bucket: bucket, region: region, credentials: credentials, endpoint: endpoint, addressingStyle: style)
    }

    /// The process environment through `getenv`, without Foundation.
    public static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
