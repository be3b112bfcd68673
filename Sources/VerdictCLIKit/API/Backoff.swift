/// When to try a failed request again: exponential steps, capped, with jitter.
///
/// The delay before retry n is drawn from [step/2, step], step = min(cap, base · 2^(n−1))
/// ("equal jitter"): the random half keeps the workers of a CI matrix, which failed together
/// when the API blipped, from retrying in lockstep, and the fixed half keeps any of them from
/// retrying at once. With the defaults, five retries wait 0.25–0.5, 0.5–1, 1–2, 2–4 and 4–8
/// seconds: at most 15.5 s in all before the CLI gives up.
public struct Backoff: Sendable, Equatable {
    /// Retries after the first try.
    public var retries: Int
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(retries: Int = 5, baseSeconds: Double = 0.5, capSeconds: Double = 30) {
        self.retries = retries
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// - Parameter unit: a random number in [0, 1).
    public func delay(beforeRetry retry: Int, unit: Double) -> Double {
        let step = min(capSeconds, baseSeconds * Double(1 << min(max(retry - 1, 0), 30)))
        return step / 2 + step / 2 * min(max(unit, 0), 1)
    }

    /// The wait a `Retry-After` header asks for (whole seconds), honoured up to the cap, never
    /// shorter than the backoff's own.
    public func delay(beforeRetry retry: Int, unit: Double, retryAfter: String?) -> Double {
        let own = delay(beforeRetry: retry, unit: unit)
        guard let retryAfter, let seconds = Double(retryAfter), seconds.isFinite, seconds > 0 else { return own }
        return max(own, min(seconds, capSeconds))
    }
}
