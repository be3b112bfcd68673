import VerdictInsights
import VerdictTestSupport

/// `verdict-bench flaky`: the classifier's accuracy on the labelled benchmark (synthetic
/// histories plus the corpus' real retries) and its speed on a project's whole window.
enum FlakyCommand {
    static func run(_ options: Options) throws(BenchError) {
        let tests = try options.int("tests", default: 4_000)
        let seed = UInt64(try options.int("seed", default: 1))
        var parameters = FlakinessParameters()
        parameters.changeRate = try options.double("change-rate", default: parameters.changeRate)
        parameters.priorFlaky = try options.double("prior-flaky", default: parameters.priorFlaky)
        parameters.priorBeta = try options.double("prior-beta", default: parameters.priorBeta)
        parameters.activationThreshold = try options.double("activation", default: parameters.activationThreshold)
        let classifier = FlakinessClassifier(parameters: parameters)

        var configuration = FlakyBenchmark.Configuration(tests: tests, seed: seed)
        configuration.rerunRate = try options.double("rerun-rate", default: configuration.rerunRate)
        configuration.retryShare = try options.double("retry-share", default: configuration.retryShare)
        configuration.burstRate = try options.double("burst-rate", default: configuration.burstRate)
        let synthetic = FlakyBenchmark.generate(configuration)
        var accuracy = FlakyAccuracy()
        var byScenario: [String: [FlakinessClassification: Int]] = [:]
        var explained = 0
        let explain = try options.int("explain", default: 0)
        for test in synthetic {
            let verdict = classifier.classify(test.history)
            let classification = verdict.classification
            accuracy.record(
                truth: test.truth, detectable: test.detectable, failedVisibly: test.failedVisibly, classification: classification)
            byScenario[test.scenario.description, default: [:]][classification, default: 0] += 1
            let wrong = (classification == .flaky) != (test.truth == .flaky) && (test.truth != .flaky || test.detectable)
            if wrong && explained < explain {
                explained += 1
                Console.error("\(test.scenario) → \(classification) score=\(fixed(verdict.score)): \(notation(test.history))")
            }
        }
        let retried: [FlakyCorpusCase]
        do { retried = try Corpus.load().retriedCases() } catch { throw BenchError("corpus: \(error)") }
        var corpusFlaky = 0
        var corpusFlakyFound = 0
        var corpusFailedEvery = 0
        var corpusFailedEveryCalledFlaky = 0
        var corpusFormats: [String: Int] = [:]
        let listCorpus = options.string("list-corpus") == "1"
        for retriedCase in retried {
            if listCorpus {
                Console.error(
                    "\(retriedCase.file)\t\(retriedCase.identity)\tattempts=\(retriedCase.attempts)\t"
                        + "\(retriedCase.observation.outcome)")
            }
            corpusFormats[String(retriedCase.file.prefix { $0 != "/" }), default: 0] += 1
            let classification = classifier.classify([retriedCase.observation]).classification
            if retriedCase.passedOnRetry {
                corpusFlaky += 1
                if classification == .flaky { corpusFlakyFound += 1 }
                accuracy.record(truth: .flaky, detectable: true, failedVisibly: true, classification: classification)
            } else {
                corpusFailedEvery += 1
                if classification == .flaky { corpusFailedEveryCalledFlaky += 1 }
            }
        }
        let syntheticOnly = synthetic.count
        Console.print(
            "{\"bench\":\"flaky_accuracy\",\"seed\":\(seed),\"tests\":\(accuracy.total),\"synthetic\":\(syntheticOnly),"
                + "\"corpus_flaky\":\(corpusFlaky),\"precision\":\(fixed(accuracy.precision)),\"recall\":\(fixed(accuracy.recall)),"
                + "\"recall_failed_visibly\":\(fixed(accuracy.recallOfVisiblyFailing)),\"failed_visibly_flaky\":\(accuracy.visiblyFailingFlaky),"
                + "\"recall_detectable\":\(fixed(accuracy.recallOfDetectable)),\"detectable_flaky\":\(accuracy.detectableFlaky),"
                + "\"confusion\":\(confusionJSON(accuracy))}")
        for scenario in byScenario.keys.sorted() {
            let row = byScenario[scenario] ?? [:]
            let cells = FlakinessClassification.allCases.map { "\"\($0.rawValue)\":\(row[$0] ?? 0)" }.joined(separator: ",")
            Console.print("{\"bench\":\"flaky_scenario\",\"scenario\":\"\(scenario)\",\(cells)}")
        }
        Console.print(
            "{\"bench\":\"flaky_corpus\",\"retried_cases\":\(retried.count),\"passed_on_retry\":\(corpusFlaky),"
                + "\"passed_on_retry_flagged\":\(corpusFlakyFound),\"failed_every_attempt\":\(corpusFailedEvery),"
                + "\"failed_every_attempt_flagged\":\(corpusFailedEveryCalledFlaky),\"by_format\":{"
                + corpusFormats.keys.sorted().map { "\"\($0)\":\(corpusFormats[$0] ?? 0)" }.joined(separator: ",") + "}}")
        FlakyBaseline.report(synthetic, classifier: classifier, seed: seed)
        try timeClassification(seed: seed)
    }

    /// 5,000 tests × 200 runs in one flat array, classified slice by slice as the lead's query
    /// will hand them over; the best of five passes.
    private static func timeClassification(seed: UInt64) throws(BenchError) {
        var configuration = FlakyBenchmark.Configuration(tests: 5_000, seed: seed &+ 1)
        configuration.fullHistories = true
        let tests = FlakyBenchmark.generate(configuration)
        var observations: [FlakinessObservation] = []
        var ranges: [Range<Int>] = []
        for test in tests {
            ranges.append(observations.count..<(observations.count + test.history.count))
            observations.append(contentsOf: test.history)
        }
        let classifier = FlakinessClassifier()
        let clock = ContinuousClock()
        var best = Double.infinity
        var flaky = 0
        for _ in 0..<5 {
            flaky = 0
            let start = clock.now
            for range in ranges where classifier.classify(observations[range]).classification == .flaky { flaky += 1 }
            let elapsed = clock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        Console.print(
            "{\"bench\":\"flaky_classify\",\"tests\":\(tests.count),\"observations\":\(observations.count),"
                + "\"seconds\":\(fixed(best, digits: 4)),\"flaky\":\(flaky)}")
    }

    /// The tests' notation (HistoryNotation.swift): outcome letter, commit, `!` in a burst run.
    private static func notation(_ history: [FlakinessObservation]) -> String {
        let classifier = FlakinessClassifier()
        return history.map { observation in
            let letter =
                switch observation.outcome {
                case .passed: "P"
                case .failed: "F"
                case .errored: "E"
                case .flaky: "R"
                case .skipped: "S"
                }
            let burst = classifier.classify([observation]).evidence.excludedBurstRuns > 0 ? "!" : ""
            return "\(letter)\(observation.commit.rawValue)\(burst)"
        }.joined(separator: " ")
    }

    private static func confusionJSON(_ accuracy: FlakyAccuracy) -> String {
        let rows = FlakyBenchmark.Truth.allCases.map { truth in
            let cells = FlakinessClassification.allCases.map { "\"\($0.rawValue)\":\(accuracy.count(truth, $0))" }
            return "\"\(truth.rawValue)\":{\(cells.joined(separator: ","))}"
        }
        return "{\(rows.joined(separator: ","))}"
    }

    private static func fixed(_ value: Double, digits: Int = 4) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
