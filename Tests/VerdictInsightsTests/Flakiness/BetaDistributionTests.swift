import VerdictInsights
import XCTest

final class BetaDistributionTests: XCTestCase {
    /// Reference values from scipy.special.betainc / betaincinv (SciPy 1.17.1).
    func testIncompleteBetaMatchesSciPy() {
        let cases: [(x: Double, a: Double, b: Double, expected: Double)] = [
            (0.5, 2, 3, 0.6875),
            (0.1, 0.5, 0.5, 0.20483276469913345),
            (0.3, 10, 20, 0.3640040810719437),
            (0.02, 0.5, 30, 0.7271017347653229),
            (0.01, 1, 201, 0.8673601218906177),
            (0.05, 3.5, 120.5, 0.9144174786741408),
            (0.7, 150, 60, 0.3173547771445806),
            (0.2, 0.1, 5, 0.9766004939306011),
            (0.34, 1000, 2000, 0.7812150911606441),
        ]
        for (x, a, b, expected) in cases {
            XCTAssertEqual(BetaDistribution.regularizedIncompleteBeta(x, a, b), expected, accuracy: 1e-12, "I_\(x)(\(a), \(b))")
        }
    }

    func testInverseMatchesSciPy() {
        let cases: [(p: Double, a: Double, b: Double, expected: Double)] = [
            (0.05, 1, 201, 0.0002551579610100514),
            (0.95, 3, 98, 0.06161920039604069),
            (0.05, 11, 31, 0.15833537117652866),
            (0.5, 0.5, 0.5, 0.5),
            (0.95, 2, 2, 0.8646496378284161),
            (0.05, 200, 3, 0.9691624621678357),
        ]
        for (p, a, b, expected) in cases {
            XCTAssertEqual(
                BetaDistribution.inverseRegularizedIncompleteBeta(p, a, b), expected, accuracy: 1e-10 * max(1, expected),
                "I⁻¹_\(p)(\(a), \(b))")
        }
        let tiny = BetaDistribution.inverseRegularizedIncompleteBeta(0.001, 0.2, 4)
        XCTAssertEqual(tiny, 1.8071188913284486e-16, accuracy: 1e-20)
    }

    /// I_x(a, n − a + 1) is the chance of at least a successes in n Bernoulli(x) trials: an exact
    /// sum to check integer parameters against, and round trips through the inverse.
    func testBinomialIdentityAndRoundTrip() {
        for n in [1, 5, 20, 60] {
            for a in 1...n {
                for x in [0.01, 0.1, 0.37, 0.5, 0.83] {
                    var tail = 0.0
                    for j in a...n { tail += binomial(n, j) * pow(x, Double(j)) * pow(1 - x, Double(n - j)) }
                    let value = BetaDistribution.regularizedIncompleteBeta(x, Double(a), Double(n - a + 1))
                    XCTAssertEqual(value, tail, accuracy: 1e-11, "n=\(n) a=\(a) x=\(x)")
                    if value > 1e-9 && value < 1 - 1e-9 {
                        let back = BetaDistribution.inverseRegularizedIncompleteBeta(value, Double(a), Double(n - a + 1))
                        XCTAssertEqual(back, x, accuracy: 1e-8, "inverse n=\(n) a=\(a) x=\(x)")
                    }
                }
            }
        }
    }

    func testClosedFormsAndInterval() {
        // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
        XCTAssertEqual(BetaDistribution.regularizedIncompleteBeta(0.2, 1, 7), 1 - pow(0.8, 7), accuracy: 1e-14)
        XCTAssertEqual(BetaDistribution.regularizedIncompleteBeta(0.6, 4, 1), pow(0.6, 4), accuracy: 1e-14)
        XCTAssertEqual(BetaDistribution.regularizedIncompleteBeta(0, 2, 2), 0)
        XCTAssertEqual(BetaDistribution.regularizedIncompleteBeta(1, 2, 2), 1)
        let interval = BetaDistribution(alpha: 1, beta: 1).credibleInterval(level: 0.9)
        XCTAssertEqual(interval.lower, 0.05, accuracy: 1e-12)
        XCTAssertEqual(interval.upper, 0.95, accuracy: 1e-12)
        let posterior = BetaDistribution(alpha: 3, beta: 18)
        let ninety = posterior.credibleInterval(level: 0.9)
        XCTAssertEqual(posterior.cdf(ninety.upper) - posterior.cdf(ninety.lower), 0.9, accuracy: 1e-10)
        XCTAssertLessThan(ninety.lower, posterior.mean)
        XCTAssertGreaterThan(ninety.upper, posterior.mean)
    }

    private func binomial(_ n: Int, _ k: Int) -> Double {
        exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)))
    }
}
