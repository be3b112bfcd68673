/// Where the bucket goes in an object URL.
public enum S3AddressingStyle: Sendable, Hashable {
    /// `https://bucket.endpoint/key`. Like botocore, falls back to path style when the
    /// bucket cannot be a DNS label or the endpoint is an IP address.
    case virtualHosted
    /// `https://endpoint/bucket/key`: what local emulators and IP endpoints need.
    case path
}
