import Foundation
import NIOConcurrencyHelpers

/// The emulator's own output. Lines from many threads (servers, log pipes, timers) are written
/// whole, under one lock, so they never interleave.
enum Console {
    private static let lock = NIOLock()

    static func line(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
