/// Lambda's limits on what crosses the gateway. The runtime inside a function, the emulator's
/// gateway and its Runtime API all enforce them; holding them here keeps the three from drifting.
public enum PayloadLimits {
    /// A synchronous invocation's request and its response each: Lambda's "6 MB", counted in MiB.
    public static let invocationBytes = 6 * 1024 * 1024
}
