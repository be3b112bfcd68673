import Foundation
import XCTest

/// A test class served by one emulator running the real template against the test database,
/// started before its first test and stopped after its last. `developmentKey` is the key the
/// seed function printed (it has every scope).
class TemplateEmulatorTestCase: XCTestCase {
    /// Extra emulator options for a subclass (e.g. `--no-schedules`).
    class var emulatorArguments: [String] { [] }
    /// Template parameters besides the database (e.g. `ClusterSummaryCommand`).
    class var emulatorParameters: [String: String] { [:] }

    /// One emulator per subclass: XCTest runs the classes one after another, each between its
    /// own class setUp and tearDown.
    private static var emulators: [ObjectIdentifier: EmulatorProcess] = [:]
    private static var keys: [ObjectIdentifier: String] = [:]

    class var emulator: EmulatorProcess! { emulators[ObjectIdentifier(self)] }
    class var developmentKey: String { keys[ObjectIdentifier(self)] ?? "" }

    override class func setUp() {
        super.setUp()
        do {
            let emulator = try EmulatorProcess(
                template: "infra-templates/template.yaml",
                parameters: emulatorParameters.merging(["DatabaseUrl": requireDatabaseURL()]) { $1 },
                arguments: emulatorArguments)
            emulators[ObjectIdentifier(self)] = emulator
            let seed = try Data(contentsOf: emulator.stateDirectory.appendingPathComponent("SeedFunction.json"))
            keys[ObjectIdentifier(self)] = (try JSONSerialization.jsonObject(with: seed) as? [String: Any])?["key"] as? String ?? ""
        } catch {
            XCTFail("emulator did not start: \(error)")
        }
    }

    override class func tearDown() {
        emulators.removeValue(forKey: ObjectIdentifier(self))?.stop()
        super.tearDown()
    }

    var base: String { Self.emulator.baseURL }
}
