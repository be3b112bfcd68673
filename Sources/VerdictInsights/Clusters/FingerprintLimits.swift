/// How much of a failure the fingerprint reads and keeps. Part of the fingerprint's definition:
/// changing any of these changes ids, so they are constants, not options.
public enum FingerprintLimits {
    /// Bytes of a message or a stack read at most. Reports are untrusted and a message can be
    /// megabytes (a serialised DOM, a whole log); what identifies a failure is at its start.
    public static let inputBytes = 64 * 1024
    /// Bytes read from the end of a longer message or stack: Playwright and Cypress end their
    /// messages with the stack, after call logs that can be megabytes long.
    public static let tailBytes = 8 * 1024
    /// Lines of a message or stack looked at (three quarters from the start, a quarter from the
    /// end): a stack's project frames are near its top, a message's stack at its end.
    public static let scannedLines = 400
    /// Lines of the message kept in the template: the headline and the few label lines under it
    /// (`Expected: …`, `Received: …`, `Locator: …`) that say what kind of failure it is.
    public static let templateLines = 5
    /// Bytes of one masked template line, and of the whole template, before it is cut.
    public static let templateLineBytes = 240
    public static let templateBytes = 600
    /// Bytes of an error type kept.
    public static let typeBytes = 200
    /// Project frames kept: the throw site and its caller. With one, every failure raised in a
    /// shared helper (a page object's `expectVisible(locator)`, its locator masked) would be one
    /// cluster whichever feature called it; with more, one broken helper reached along several
    /// call paths splits into as many clusters. (The labelled set scores one, two and three alike:
    /// its stacks rarely differ below the second project frame.)
    public static let frames = 2
}
