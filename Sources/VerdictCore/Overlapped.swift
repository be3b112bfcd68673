#if canImport(Glibc)
    import Glibc
#endif

/// Runs `produce` on a thread of its own while the calling thread consumes what it emits, at
/// most `depth` items behind: reading a run from the database and writing its document then
/// each take a core instead of taking turns on one.
///
/// If `consume` throws, `produce` is stopped at its next `emit` (which throws
/// `OverlapCancelled`) and the consumer's error is rethrown; if `produce` throws, the items it
/// emitted before are consumed and then its error is rethrown. Returns once both are done.
public func overlapped<Item: Sendable>(
    depth: Int = 2, produce: (_ emit: (Item) throws -> Void) throws -> Void, consume: (Item) throws -> Void
) throws {
    let channel = OverlapChannel<Item>(depth: depth)
    try withoutActuallyEscaping(produce) { produce in
        // The producer thread is joined before this returns, so `produce` does not outlive it.
        let work = UncheckedBox {
            do {
                try produce { item in try channel.put(item) }
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<UncheckedBox>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, Unmanaged.passRetained(work).toOpaque())
        guard started == 0 else {
            // No thread to be had: do the work in turn on this one.
            Unmanaged.passUnretained(work).release()
            return try produce(consume)
        }
        defer { pthread_join(thread, nil) }
        do {
            while let item = try channel.take() { try consume(item) }
        } catch {
            channel.cancel()
            throw error
        }
    }
}

/// What `emit` throws once the consumer has given up.
public struct OverlapCancelled: Error {}

/// A closure handed to the producer thread.
private final class UncheckedBox: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// The bounded queue between the two threads.
private final class OverlapChannel<Item>: @unchecked Sendable {
    private var items: [Item] = []
    private let depth: Int
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    // Allocated rather than stored properties: pthread objects must not move, and `&property`
    // of a class does not promise a stable address.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(depth: Int) {
        self.depth = max(1, depth)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    func put(_ item: Item) throws {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while items.count >= depth && !cancelled { pthread_cond_wait(changed, mutex) }
        if cancelled { throw OverlapCancelled() }
        items.append(item)
        pthread_cond_broadcast(changed)
    }

    /// The next item; nil when the producer is done (rethrowing its error once all its items are taken).
    func take() throws -> Item? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while items.isEmpty && !finished { pthread_cond_wait(changed, mutex) }
        if !items.isEmpty {
            pthread_cond_broadcast(changed)
            return items.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    func finish(_ error: (any Error)?) {
        pthread_mutex_lock(mutex)
        finished = true
        failure = error
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        items.removeAll()
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
