#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Beta(α, β) distribution: the posterior of a failure rate after counting failures and passes
/// on a Beta prior. Its quantiles give the credible interval the flaky list shows next to a
/// score; written out here because the module takes no dependencies (no numerics library) and
/// Glibc has no incomplete beta function.
public struct BetaDistribution: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double

    public init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0, "Beta parameters must be positive")
        self.alpha = alpha
        self.beta = beta
    }

    public var mean: Double { alpha / (alpha + beta) }

    /// P(X ≤ x): the regularized incomplete beta function I_x(α, β).
    public func cdf(_ x: Double) -> Double { Self.regularizedIncompleteBeta(x, alpha, beta) }

    /// The x with P(X ≤ x) = p: the inverse of `cdf`.
    public func quantile(_ p: Double) -> Double { Self.inverseRegularizedIncompleteBeta(p, alpha, beta) }

    /// The equal-tailed credible interval holding `level` of the probability mass.
    public func credibleInterval(level: Double) -> CredibleInterval {
        let tail = (1 - level) / 2
        return CredibleInterval(lower: quantile(tail), upper: quantile(1 - tail), level: level)
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b).
    public static func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    /// I_x(a, b) by the continued fraction (modified Lentz), on whichever side of the mean it
    /// converges fast, using I_x(a, b) = 1 − I_{1−x}(b, a) for the other.
    public static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = a * log(x) + b * log1p(-x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a, b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
    }

    /// The continued fraction of I_x(a, b) (Numerical Recipes' betacf), evaluated by Lentz's
    /// method; converges in O(√max(a, b)) terms for x below the mean.
    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// The inverse of I_x(a, b) in x: a first guess from Numerical Recipes' invbetai (a normal
    /// approximation for a, b ≥ 1, the tails' power laws otherwise), then Halley steps, then
    /// bisection as a safety net if the steps ever fail to settle.
    public static func inverseRegularizedIncompleteBeta(_ p: Double, _ a: Double, _ b: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        var x: Double
        if a >= 1 && b >= 1 {
            let pp = p < 0.5 ? p : 1 - p
            let t = (-2 * log(pp)).squareRoot()
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            let al = (z * z - 3) / 6
            let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
            let w = z * (al + h).squareRoot() / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5.0 / 6 - 2 / (3 * h))
            x = a / (a + b * exp(2 * w))
        } else {
            let lna = log(a / (a + b))
            let lnb = log(b / (a + b))
            let t = exp(a * lna) / a
            let u = exp(b * lnb) / b
            let w = t + u
            x = p < t / w ? pow(a * w * p, 1 / a) : 1 - pow(b * w * (1 - p), 1 / b)
        }
        let logNorm = -logBeta(a, b)
        for step in 0..<50 {
            if x <= 0 || x >= 1 { break }
            let error = regularizedIncompleteBeta(x, a, b) - p
            let density = exp((a - 1) * log(x) + (b - 1) * log1p(-x) + logNorm)
            guard density > 0, density.isFinite else { break }
            let u = error / density
            let t = u / (1 - 0.5 * min(1, u * ((a - 1) / x - (b - 1) / (1 - x))))
            var next = x - t
            if next <= 0 { next = x / 2 }
            if next >= 1 { next = (x + 1) / 2 }
            let moved = abs(next - x)
            x = next
            if moved < 1e-13 * max(x, 1e-300) && step > 0 { return x }
        }
        return bisect(p, a, b)
    }

    /// 200 halvings of [0, 1]: slow but certain, for the rare inputs Halley's steps do not settle.
    private static func bisect(_ p: Double, _ a: Double, _ b: Double) -> Double {
        var low = 0.0
        var high = 1.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if regularizedIncompleteBeta(mid, a, b) < p { low = mid } else { high = mid }
            if high - low < 1e-15 { break }
        }
        return (low + high) / 2
    }
}

/// A range that holds `level` of a posterior's probability mass.
public struct CredibleInterval: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }
}
