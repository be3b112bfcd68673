import Foundation
import XCTest

/// A test class served by one emulator running the test template (the fixture function in its
/// many roles), with the fixture's event log in a file of its own.
class FixtureEmulatorTestCase: XCTestCase {
    /// Extra emulator options for a subclass.
    class var emulatorArguments: [String] { [] }

    private static var emulators: [ObjectIdentifier: EmulatorProcess] = [:]
    private static var eventLogs: [ObjectIdentifier: String] = [:]

    class var emulator: EmulatorProcess! { emulators[ObjectIdentifier(self)] }
    class var eventLog: String { eventLogs[ObjectIdentifier(self)] ?? "" }

    override class func setUp() {
        super.setUp()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-events-\(UUID().uuidString).log").path
        eventLogs[ObjectIdentifier(self)] = log
        do {
            emulators[ObjectIdentifier(self)] = try EmulatorProcess(
                template: "Tests/Fixtures/test-template.yaml", parameters: ["EventLogPath": log], arguments: emulatorArguments)
        } catch {
            XCTFail("emulator did not start: \(error)")
        }
    }

    override class func tearDown() {
        emulators.removeValue(forKey: ObjectIdentifier(self))?.stop()
        eventLogs.removeValue(forKey: ObjectIdentifier(self)).map { try? FileManager.default.removeItem(atPath: $0) }
        super.tearDown()
    }
}
