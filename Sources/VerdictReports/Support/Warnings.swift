/// Warnings collected while parsing, capped so that a generator bug repeated on every one of
/// 100,000 test cases produces a readable list rather than 100,000 lines.
struct Warnings {
    static let limit = 100

    private var list: [String] = []
    private var dropped = 0

    mutating func add(_ message: String) {
        if list.count < Warnings.limit { list.append(message) } else { dropped += 1 }
    }

    var all: [String] {
        dropped == 0 ? list : list + ["\(dropped) more warnings not shown"]
    }
}
