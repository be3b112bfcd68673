/// API Gateway's `requestContext.time`, computed from the epoch so the contract needs neither
/// Foundation nor the C library's calendar.
enum GatewayTime {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `21/Nov/2026:16:07:40 +0000`.
    static func requestTime(epochMilliseconds: Int64) -> String {
        let seconds = EpochMilliseconds.floorDivide(epochMilliseconds, 1000)
        let days = EpochMilliseconds.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = EpochMilliseconds.civil(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(two(day))/\(months[Int(month) - 1])/\(year):\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
