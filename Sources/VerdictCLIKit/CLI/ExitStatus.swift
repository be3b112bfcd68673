#if canImport(Glibc)
    import Glibc
#endif

/// The CLI's exit statuses, which CI scripts and the end-to-end tests branch on.
public enum ExitStatus {
    /// Done: uploaded, exported, planned; for `run`, every unit this worker ran passed or was
    /// skipped; for `status`, the run completed without failures.
    public static let success: Int32 = 0
    /// `run`: a unit this worker ran failed or errored. `status`: the run has failed tests or units.
    public static let testsFailed: Int32 = 1
    /// A mistake on the command line or in the configuration (no URL, no project, unknown option,
    /// command not found).
    public static let usage: Int32 = 2
    /// The API refused (a 4xx, or a 5xx after every retry) or could not be reached.
    public static let api: Int32 = 3
    /// A local file could not be read or written (a report, the units list, an export's output).
    public static let file: Int32 = 4
    /// `status`: the run has not completed (still running, or marked incomplete).
    public static let notFinished: Int32 = 5

    /// 130 after SIGINT, 143 after SIGTERM, as shells report a death by that signal.
    public static func interrupted(by signal: Int32) -> Int32 { 128 + signal }
}
