import XCTest

@testable import VerdictCLIKit

final class ArgumentTests: XCTestCase {
    func testPlaceholder() {}
}
