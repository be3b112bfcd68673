import Foundation
import SAMTemplate
import XCTest

final class ScheduleTests: XCTestCase {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func testRates() throws {
        XCTAssertEqual(try ScheduleExpression("rate(1 minute)"), .rate(seconds: 60))
        XCTAssertEqual(try ScheduleExpression("rate(5 minutes)"), .rate(seconds: 300))
        XCTAssertEqual(try ScheduleExpression("rate(2 days)"), .rate(seconds: 172_800))
        XCTAssertThrowsError(try ScheduleExpression("rate(1 minutes)"), "EventBridge wants the singular for 1")
        XCTAssertThrowsError(try ScheduleExpression("rate(0 hours)"))
        XCTAssertThrowsError(try ScheduleExpression("rate(5 weeks)"))
        let start = date("2026-01-01T00:00:00Z")
        let rate = try ScheduleExpression("rate(5 minutes)")
        XCTAssertEqual(rate.nextFire(after: start, start: start), date("2026-01-01T00:05:00Z"))
        XCTAssertEqual(rate.nextFire(after: date("2026-01-01T00:07:00Z"), start: start), date("2026-01-01T00:10:00Z"))
    }

    func testCronNextFire() throws {
        let cases: [(String, String, String)] = [
            ("cron(0 12 * * ? *)", "2026-03-10T12:00:00Z", "2026-03-11T12:00:00Z"),
            ("cron(15 10 ? * MON-FRI *)", "2026-11-20T10:15:00Z", "2026-11-23T10:15:00Z"),  // Friday → Monday
            ("cron(0/15 * * * ? *)", "2026-01-01T00:44:59Z", "2026-01-01T00:45:00Z"),
            ("cron(0 0 L * ? *)", "2026-02-10T00:00:00Z", "2026-02-28T00:00:00Z"),
            ("cron(0 8 ? * 2#1 *)", "2026-11-21T00:00:00Z", "2026-12-07T08:00:00Z"),  // first Monday
            ("cron(30 6 1 JAN,JUL ? 2027)", "2026-05-05T00:00:00Z", "2027-01-01T06:30:00Z"),
            ("cron(* * * * ? *)", "2026-01-01T10:00:30Z", "2026-01-01T10:01:00Z"),
        ]
        for (text, after, expected) in cases {
            let expression = try ScheduleExpression(text)
            XCTAssertEqual(expression.nextFire(after: date(after), start: date(after)), date(expected), text)
        }
        XCTAssertNil(try ScheduleExpression("cron(0 0 1 1 ? 1999)").nextFire(after: date("2026-01-01T00:00:00Z"), start: Date()))
    }

    func testCronRejectsNonsense() {
        for bad in ["cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(61 * * * ? *)", "cron(0 12 * *)", "cron(0 0 ? * FUNDAY *)", "hourly"]
        {
            XCTAssertThrowsError(try ScheduleExpression(bad), bad)
        }
    }
}
