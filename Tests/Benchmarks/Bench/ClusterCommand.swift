import VerdictInsights
import VerdictTestSupport

/// `verdict-bench clusters [--failures 10000] [--runs 5]`: times fingerprinting and clustering
/// `--failures` realistic failures (best of `--runs`), then scores the clustering on the
/// labelled set (Tests/Fixtures/clusters). Two JSON lines:
///
///     {"bench":"clusters","failures":10000,"seconds":…,"clusters":…,"runs":5}
///     {"bench":"cluster_accuracy","pairs":…,"labelled_pairs":…,"precision":…,"recall":…,
///      "real_failures":…,"synthetic_failures":…,"labels":…,"clusters":…}
///
/// The failures: half are the corpus' real failures with their run-specific values redrawn
/// (numbers, ports, ids, checkout paths), half Surefire-like Java traces from `StackTraces`
/// (300 distinct failures, each occurrence with its numbers redrawn), so both the message masking and the frame filtering are
/// exercised at the sizes a large run produces.
enum ClusterCommand {
    typealias Failure = (errorType: String?, message: String?, stack: String?)

    static func run(_ options: Options) throws(BenchError) {
        let count = try options.int("failures", default: 10_000)
        let runs = max(1, try options.int("runs", default: 5))
        let corpus: Corpus
        let labelled: [LabelledFailure]
        let corpusFailures: [CorpusFailure]
        do {
            corpus = try Corpus.load()
            corpusFailures = try corpus.failures().filter(\.hasDetails)
            labelled = try LabelledFailures.load(corpus: corpus)
        } catch {
            throw BenchError("cannot read the corpus or the labelled set: \(error)")
        }
        let failures = makeFailures(count: count, from: corpusFailures)

        var best = Double.infinity
        var clusters: [FailureCluster] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            clusters = FailureClustering.cluster(failures)
            best = min(best, seconds(ContinuousClock.now - start))
        }
        Console.print(
            "{\"bench\":\"clusters\",\"failures\":\(failures.count),\"seconds\":\(rounded(best)),\"clusters\":\(clusters.count),\"runs\":\(runs)}"
        )

        let ids = labelled.map { FailureFingerprint(errorType: $0.type, message: $0.message, stack: $0.stack).id }
        let score = PairwiseAgreement(predicted: ids, labels: labelled.map(\.label))
        let synthetic = labelled.filter(\.isSynthetic).count
        Console.print(
            "{\"bench\":\"cluster_accuracy\",\"pairs\":\(score.pairs),\"labelled_pairs\":\(score.labelledTogether),"
                + "\"precision\":\(rounded(score.precision)),\"recall\":\(rounded(score.recall)),"
                + "\"real_failures\":\(labelled.count - synthetic),\"synthetic_failures\":\(synthetic),"
                + "\"labels\":\(Set(labelled.map(\.label)).count),\"clusters\":\(Set(ids).count)}")
    }

    static func makeFailures(count: Int, from corpus: [CorpusFailure]) -> [Failure] {
        var random = SeededRandom(seed: 20_261_206)
        // 300 distinct Java failures; each occurrence is one of them in another run.
        let javaKinds: [Failure] = (0..<300).map { kind in
            var shape = SeededRandom(seed: UInt64(kind) &+ 1)
            let package = StackTraces.packages[kind % StackTraces.packages.count]
            let testClass = "\(package).\(StackTraces.classes[kind % StackTraces.classes.count])Test"
            let stack = StackTraces.make(&shape, testClass: testClass, testMethod: "test\(kind)", frames: shape.int(20..<70))
            let headline = stack.prefix { $0 != "\n" }
            return ("org.opentest4j.AssertionFailedError", String(headline.drop { $0 != ":" }.dropFirst(2)), stack)
        }
        var failures: [Failure] = []
        failures.reserveCapacity(count)
        while failures.count < count {
            let source: Failure
            if failures.count % 2 == 0, !corpus.isEmpty {
                let failure = random.pick(corpus)
                source = (failure.type, failure.message, failure.stack)
            } else {
                source = random.pick(javaKinds)
            }
            failures.append((source.errorType, source.message.map { vary($0, &random) }, source.stack.map { vary($0, &random) }))
        }
        return failures
    }

    /// The same failure in another run: every number redrawn (ports, durations, counts, line
    /// numbers), and checkouts moved to another prefix.
    static func vary(_ text: String, _ random: inout SeededRandom) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)
        let prefixes: [[UInt8]] = ["/home/runner/work/app/app/", "/Users/dev/code/app/", "/builds/team/app/"].map { Array($0.utf8) }
        let prefix = random.pick(prefixes)
        for home in [Array("/home/".utf8), Array("/Users/".utf8)] {
            if let at = firstIndex(of: home, in: bytes), let src = firstIndex(of: Array("/src/".utf8), in: Array(bytes[at...])) {
                bytes.replaceSubrange(at..<(at + src + 1), with: prefix)
            }
        }
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30, b <= 0x39 {
                var j = i
                while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
                // Digits glued to a word (`test12`, `utf8`) are part of a name, not a value.
                if i > 0, isLetter(bytes[i - 1]) {
                    out.append(contentsOf: bytes[i..<j])
                } else {
                    out.append(contentsOf: String(random.int(1..<100_000)).utf8)
                }
                i = j
                continue
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func rounded(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return "\(scaled)"
    }
}
