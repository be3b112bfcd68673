import VerdictDB
import XCTest

/// Shorthands for reading rows in assertions. A misspelt column fails the test that read it
/// (the production code decodes through `Row.decode`, which throws instead).
extension Row {
    subscript(_ name: String) -> String? {
        do {
            return try text(name)
        } catch {
            XCTFail("\(error)")
            return nil
        }
    }

    func string(_ name: String) -> String { self[name] ?? "" }
    func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
    func int64(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }
    func double(_ name: String) -> Double? { self[name].flatMap { Double($0) } }
    func bool(_ name: String) -> Bool? { self[name].map { $0 == "t" } }
    func textArray(_ name: String) -> [String] { self[name].flatMap { [String](postgresText: $0) } ?? [] }
}
