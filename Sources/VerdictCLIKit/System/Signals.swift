#if canImport(Glibc)
    import Glibc
#endif

/// Collects SIGINT, SIGTERM and SIGCHLD synchronously instead of in handlers.
///
/// The three are blocked for the whole process (before any thread exists, so every thread
/// inherits the mask) and taken with `sigtimedwait`, so a wait for the test command doubles as the
/// heartbeat timer and wakes at once when the command ends or the user presses Ctrl-C. A
/// termination signal that arrives during an HTTP call stays pending until the next check, so no
/// request is ever cut in half. The test command is spawned with an empty mask and default
/// dispositions, so none of this reaches it.
public final class SignalInbox {
    /// The first SIGINT or SIGTERM received, if any.
    public private(set) var termination: Int32?
    /// How many termination signals arrived (a second Ctrl-C escalates).
    public private(set) var terminationCount = 0
    private var watched = sigset_t()
    private var previousMask = sigset_t()
    private var previousChildAction = sigaction()

    public init() {
        sigemptyset(&watched)
        sigaddset(&watched, SIGINT)
        sigaddset(&watched, SIGTERM)
        sigaddset(&watched, SIGCHLD)
        // Linux keeps a blocked SIGCHLD pending even under its default "ignore" action, but POSIX
        // leaves that open; a handler that does nothing makes it certain.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGCHLD, &action, &previousChildAction)
        sigprocmask(SIG_BLOCK, &watched, &previousMask)
    }

    /// Puts the process back as it was (what matters in a test process, whose other tests may
    /// watch their children through SIGCHLD); signals still pending are taken first, so none
    /// is delivered the old way after the worker already handled it.
    deinit {
        while wait(seconds: 0) != nil {}
        sigprocmask(SIG_SETMASK, &previousMask, nil)
        sigaction(SIGCHLD, &previousChildAction, nil)
    }

    /// Waits up to `seconds` for any watched signal and returns it, or nil when the time ran out.
    @discardableResult
    public func wait(seconds: Double) -> Int32? {
        var timeout = timespec()
        let clamped = max(0, seconds)
        timeout.tv_sec = Int(clamped)
        timeout.tv_nsec = Int((clamped - Double(Int(clamped))) * 1e9)
        while true {
            let received = sigtimedwait(&watched, nil, &timeout)
            if received > 0 {
                if received == SIGINT || received == SIGTERM {
                    if termination == nil { termination = received }
                    terminationCount += 1
                }
                return received
            }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Takes every pending signal without waiting; true when termination was asked for.
    public func terminationRequested() -> Bool {
        while wait(seconds: 0) != nil {}
        return termination != nil
    }

    /// Sleeps for `seconds` unless SIGINT or SIGTERM arrives first; false when one did.
    public func sleep(_ seconds: Double) -> Bool {
        let end = Clock.monotonic() + seconds
        while termination == nil {
            let left = end - Clock.monotonic()
            if left <= 0 { return true }
            wait(seconds: left)
        }
        return false
    }
}
