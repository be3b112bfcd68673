import Foundation

/// An EventBridge schedule expression: `rate(5 minutes)` or
/// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, evaluated in UTC.
public enum ScheduleExpression: Sendable, Equatable, CustomStringConvertible {
    case rate(seconds: Int)
    case cron(CronExpression)

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("rate("), trimmed.hasSuffix(")") {
            let body = trimmed.dropFirst(5).dropLast().split(separator: " ", omittingEmptySubsequences: true)
            guard body.count == 2, let value = Int(body[0]), value > 0 else {
                throw TemplateError("\(text): rate needs a positive whole number and a unit, like rate(5 minutes)")
            }
            let unit = String(body[1])
            // EventBridge insists on the singular for 1 and the plural otherwise.
            let units: [String: Int] =
                value == 1 ? ["minute": 60, "hour": 3600, "day": 86400] : ["minutes": 60, "hours": 3600, "days": 86400]
            guard let seconds = units[unit] else {
                throw TemplateError("\(text): the unit must be \(value == 1 ? "minute, hour or day" : "minutes, hours or days")")
            }
            self = .rate(seconds: value * seconds)
        } else if trimmed.hasPrefix("cron("), trimmed.hasSuffix(")") {
            self = .cron(try CronExpression(String(trimmed.dropFirst(5).dropLast())))
        } else {
            throw TemplateError("\(text) is neither rate(…) nor cron(…)")
        }
    }

    public var description: String {
        switch self {
        case .rate(let seconds): return "rate(\(seconds) seconds)"
        case .cron(let cron): return "cron(\(cron.source))"
        }
    }

    /// The first firing strictly after `date`. A rate counts from `start` (when the schedule
    /// was created), as EventBridge does.
    public func nextFire(after date: Date, start: Date) -> Date? {
        switch self {
        case .rate(let seconds):
            let elapsed = date.timeIntervalSince(start)
            let periods = max(0, (elapsed / Double(seconds)).rounded(.down)) + 1
            return start.addingTimeInterval(periods * Double(seconds))
        case .cron(let cron):
            return cron.nextFire(after: date)
        }
    }
}

public struct CronExpression: Sendable, Equatable {
    public let source: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>?
    let lastDayOfMonth: Bool
    let months: Set<Int>
    let daysOfWeek: Set<Int>?
    /// `DOW#N`: the Nth such weekday of the month.
    let nthWeekday: (weekday: Int, n: Int)?
    let years: Set<Int>?

    public static func == (a: CronExpression, b: CronExpression) -> Bool { a.source == b.source }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ source: String) throws {
        self.source = source
        let fields = source.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 6 else {
            throw TemplateError("cron(\(source)) needs six fields: minutes hours day-of-month month day-of-week year")
        }
        minutes = try Self.parseField(fields[0], name: "minutes", range: 0...59)
        hours = try Self.parseField(fields[1], name: "hours", range: 0...23)
        months = try Self.parseField(fields[3], name: "month", range: 1...12, names: Self.monthNames)
        years = fields[5] == "*" ? nil : try Self.parseField(fields[5], name: "year", range: 1970...2199)

        let dom = fields[2]
        let dow = fields[4]
        guard (dom == "?") != (dow == "?") else {
            throw TemplateError("cron(\(source)): exactly one of day-of-month and day-of-week must be ?")
        }
        if dom == "?" {
            daysOfMonth = nil
            lastDayOfMonth = false
        } else if dom == "L" {
            daysOfMonth = nil
            lastDayOfMonth = true
        } else {
            daysOfMonth = try Self.parseField(dom, name: "day-of-month", range: 1...31)
            lastDayOfMonth = false
        }
        if dow == "?" {
            daysOfWeek = nil
            nthWeekday = nil
        } else if let hash = dow.firstIndex(of: "#") {
            let dayText = String(dow[..<hash])
            guard let day = Int(dayText) ?? Self.dayNames.firstIndex(of: dayText.uppercased()).map({ $0 + 1 }), (1...7).contains(day),
                let n = Int(dow[dow.index(after: hash)...]), (1...5).contains(n)
            else { throw TemplateError("cron(\(source)): day-of-week \(dow) must look like 2#1 (first Monday)") }
            daysOfWeek = nil
            nthWeekday = (day, n)
        } else {
            daysOfWeek = try Self.parseField(dow, name: "day-of-week", range: 1...7, names: Self.dayNames)
            nthWeekday = nil
        }
    }

    static func parseField(_ field: String, name: String, range: ClosedRange<Int>, names: [String] = []) throws -> Set<Int> {
        func value(_ text: Substring) throws -> Int {
            if let number = Int(text), range.contains(number) { return number }
            if let index = names.firstIndex(of: text.uppercased()) { return index + range.lowerBound }
            throw TemplateError("cron \(name) value \(text) is outside \(range.lowerBound)-\(range.upperBound)")
        }
        var result = Set<Int>()
        for part in field.split(separator: ",") {
            var base = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                base = part[..<slash]
                guard let parsed = Int(part[part.index(after: slash)...]), parsed > 0 else {
                    throw TemplateError("cron \(name) step in \(part) must be a positive number")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash])
                let high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw TemplateError("cron \(name) range \(base) runs backwards") }
                bounds = low...high
            } else {
                let single = try value(base)
                bounds = single...(part.contains("/") ? range.upperBound : single)
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        guard !result.isEmpty else { throw TemplateError("cron \(name) field \(field) is empty") }
        return result
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first minute strictly after `date` that the expression selects, searching up to
    /// five years ahead (a year field can rule out everything).
    public func nextFire(after date: Date) -> Date? {
        let calendar = Self.calendar
        var day = calendar.startOfDay(for: date)
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        for _ in 0..<(366 * 5) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if matchesDay(parts, calendar: calendar, day: day) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        let candidate = day.addingTimeInterval(Double(hour * 3600 + minute * 60))
                        if candidate > date { return candidate }
                    }
                }
            }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return nil
    }

    func matchesDay(_ parts: DateComponents, calendar: Calendar, day: Date) -> Bool {
        guard let year = parts.year, let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday else { return false }
        if let years, !years.contains(year) { return false }
        guard months.contains(month) else { return false }
        if lastDayOfMonth {
            return calendar.range(of: .day, in: .month, for: day)?.count == dayOfMonth
        }
        if let daysOfMonth { return daysOfMonth.contains(dayOfMonth) }
        if let daysOfWeek { return daysOfWeek.contains(weekday) }
        if let nthWeekday { return weekday == nthWeekday.weekday && (dayOfMonth - 1) / 7 + 1 == nthWeekday.n }
        return false
    }
}
