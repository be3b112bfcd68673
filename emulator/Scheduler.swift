import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SAMTemplate
import VerdictJSON

/// Fires the template's `Schedule`/`ScheduleV2` events on time (in UTC), delivering
/// EventBridge's "Scheduled Event" payload (or the event's `Input`) to the function.
final class Scheduler: @unchecked Sendable {
    struct Entry {
        var schedule: ScheduleDefinition
        var pool: FunctionPool
        var nextFire: Date?
        var lastFired: Date?
        var fireCount = 0
        var lastOutcome: String?
    }

    private let lock = NIOLock()
    private var entries: [String: Entry] = [:]
    private let group: EventLoopGroup
    private let region: String
    private let start = Date()

    init(pools: [FunctionPool], group: EventLoopGroup, region: String) {
        self.group = group
        self.region = region
        for pool in pools {
            for schedule in pool.definition.schedules {
                entries[schedule.name] = Entry(schedule: schedule, pool: pool)
            }
        }
    }

    /// Arms every enabled schedule.
    func run() {
        let names: [String] = lock.withLock { Array(entries.keys.sorted()) }
        for name in names { arm(name, after: start) }
    }

    private func arm(_ name: String, after date: Date) {
        let next: Date? = lock.withLock {
            guard var entry = entries[name], entry.schedule.enabled else { return nil }
            entry.nextFire = entry.schedule.expression.nextFire(after: date, start: start)
            entries[name] = entry
            return entry.nextFire
        }
        guard let next else { return }
        let delay = max(0, next.timeIntervalSinceNow)
        group.next().scheduleTask(in: .milliseconds(Int64(delay * 1000))) { [weak self] in
            guard let self else { return }
            _ = self.fire(named: name, scheduledTime: next, onTime: true) { _, _ in }
            self.arm(name, after: next)
        }
    }

    /// Fires a schedule now (or for `scheduledTime`); false when there is no such schedule.
    @discardableResult
    func fire(
        named name: String, scheduledTime: Date = Date(), onTime: Bool = false,
        completion: @escaping @Sendable (String, InvocationOutcome) -> Void
    ) -> Bool {
        guard let entry: Entry = lock.withLock({ entries[name] }) else { return false }
        let requestID = UUID().uuidString.lowercased()
        let ruleName = name.replacingOccurrences(of: ".", with: "-")
        let event: JSON = [
            "version": "0", "id": .string(UUID().uuidString.lowercased()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": .string(Timestamps.rfc3339(scheduledTime)), "region": .string(region),
            "resources": [.string("arn:aws:events:\(region):000000000000:rule/\(ruleName)")], "detail": [:],
        ]
        let payload = entry.schedule.input.map { Array($0.utf8) } ?? event.serialized()
        Console.line("SCHEDULE \(name) (\(entry.schedule.expression)) fired \(onTime ? "on time" : "on demand"): RequestId: \(requestID)")
        lock.withLock {
            entries[name]?.lastFired = scheduledTime
            entries[name]?.fireCount += 1
        }
        entry.pool.submit(
            Invocation(requestID: requestID, payload: payload) { [weak self] outcome in
                let summary: String
                switch outcome {
                case .success: summary = "success"
                case .functionError(let type, _): summary = "error: \(type)"
                case .timedOut: summary = "timeout"
                case .crashed(let why): summary = "crashed: \(why)"
                case .initFailed(let why): summary = "init failed: \(why)"
                case .responseTooLarge: summary = "response too large"
                }
                self?.lock.withLock { self?.entries[name]?.lastOutcome = summary }
                completion(requestID, outcome)
            })
        return true
    }

    func describe() -> [JSON] {
        lock.withLock {
            entries.values.sorted { $0.schedule.name < $1.schedule.name }.map { entry in
                [
                    "name": .string(entry.schedule.name), "function": .string(entry.pool.name),
                    "expression": .string(entry.schedule.expression.description), "enabled": .bool(entry.schedule.enabled),
                    "next_fire": JSON(entry.nextFire.map(Timestamps.rfc3339)), "last_fired": JSON(entry.lastFired.map(Timestamps.rfc3339)),
                    "fire_count": .int(Int64(entry.fireCount)), "last_outcome": JSON(entry.lastOutcome),
                ]
            }
        }
    }
}
