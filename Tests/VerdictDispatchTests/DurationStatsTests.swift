import XCTest

@testable import VerdictDispatch

final class DurationStatsTests: XCTestCase {
    func testFirstSampleIsTheMeanWithNoSpread() {
        let stats = DurationStats(meanMs: 0, varianceMs2: 0, samples: 0).updated(with: 120)
        XCTAssertEqual(stats, DurationStats(meanMs: 120, varianceMs2: 0, samples: 1))
        XCTAssertEqual(stats.sigmaMs, 0)
    }

    func testExponentiallyWeightedMeanAndVariance() {
        var stats = DurationStats(meanMs: 100)
        stats = stats.updated(with: 200, alpha: 0.25)
        XCTAssertEqual(stats.meanMs, 125, accuracy: 1e-9)
        XCTAssertEqual(stats.varianceMs2, 0.75 * (100 * 25), accuracy: 1e-9)  // (1−α)(0 + d·αd)
        stats = stats.updated(with: 50, alpha: 0.25)
        XCTAssertEqual(stats.meanMs, 106.25, accuracy: 1e-9)
        XCTAssertEqual(stats.varianceMs2, 0.75 * (1875 + 75 * 18.75), accuracy: 1e-9)
        XCTAssertEqual(stats.samples, 3)
        XCTAssertEqual(stats.sigmaMs, stats.varianceMs2.squareRoot(), accuracy: 1e-12)
    }

    func testMeanMatchesTheClosedFormWeights() {
        // mean_n = (1−α)^(n−1)·x1 + Σ_{k≥2} α(1−α)^(n−k)·x_k
        let samples: [Double] = [40, 80, 20, 60, 100, 30]
        let alpha = DurationStats.defaultAlpha
        var stats = DurationStats(meanMs: samples[0])
        for sample in samples.dropFirst() { stats = stats.updated(with: sample) }
        var expected = 0.0
        for (k, x) in samples.enumerated() {
            let decay = (0..<(samples.count - 1 - k)).reduce(1.0) { product, _ in product * (1 - alpha) }
            let weight = k == 0 ? decay : alpha * decay
            expected += weight * x
        }
        XCTAssertEqual(stats.meanMs, expected, accuracy: 1e-9)
    }

    func testSteadySamplesSettleAndAChangeIsFollowed() {
        var stats = DurationStats(meanMs: 1_000)
        for _ in 0..<50 { stats = stats.updated(with: 1_000) }
        XCTAssertEqual(stats.meanMs, 1_000, accuracy: 1e-9)
        XCTAssertEqual(stats.varianceMs2, 0, accuracy: 1e-9)
        for _ in 0..<20 { stats = stats.updated(with: 2_000) }
        XCTAssertEqual(stats.meanMs, 2_000, accuracy: 10, "the default α follows a real change within a few runs")
        XCTAssertGreaterThan(stats.varianceMs2, 0)
    }

    func testNegativeSamplesCountAsZero() {
        XCTAssertEqual(DurationStats(meanMs: 100).updated(with: -50, alpha: 0.5).meanMs, 50, accuracy: 1e-9)
    }
}
