import VerdictCore
import XCTest

/// `overlapped` hands items across threads: in order, none lost, and a failure on either side
/// ends both.
final class OverlappedTests: XCTestCase {
    struct Boom: Error, Equatable { let side: String }

    func testItemsArriveInOrder() throws {
        var received: [Int] = []
        try overlapped(depth: 3, produce: { emit in for i in 0..<10_000 { try emit(i) } }, consume: { received.append($0) })
        XCTAssertEqual(received, Array(0..<10_000))
    }

    func testAProducerErrorComesAfterItsItems() {
        var received: [Int] = []
        XCTAssertThrowsError(
            try overlapped(
                produce: { emit in
                    for i in 0..<5 { try emit(i) }
                    throw Boom(side: "producer")
                }, consume: { received.append($0) })
        ) { XCTAssertEqual($0 as? Boom, Boom(side: "producer")) }
        XCTAssertEqual(received, [0, 1, 2, 3, 4])
    }

    func testAConsumerErrorStopsTheProducer() {
        var produced = 0
        var stoppedWith: (any Error)?
        XCTAssertThrowsError(
            try overlapped(
                depth: 2,
                produce: { emit in
                    do {
                        for i in 0..<1_000_000 {
                            try emit(i)
                            produced += 1
                        }
                    } catch {
                        stoppedWith = error
                        throw error
                    }
                },
                consume: { item in if item == 10 { throw Boom(side: "consumer") } })
        ) { XCTAssertEqual($0 as? Boom, Boom(side: "consumer")) }
        XCTAssertLessThan(produced, 100, "the producer stops at its next emit")
        XCTAssertTrue(stoppedWith is OverlapCancelled)
    }
}
