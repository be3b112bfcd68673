/// The schema, one numbered migration at a time. Each lives in its own file as
/// `Migration_NNNN_<name>.swift` so the SQL ships inside the binary (Lambda has no source tree).
/// Migrations that need application code live with it; `VerdictCore.Schema.migrations` is the
/// whole schema, and what the migrator and readiness check must be given.
public enum Migrations {
    public static let sqlOnly: [Migration] = [
        migration0001TeamsAndKeys,
        migration0002Reports,
        migration0003AttemptErrorArrays,
        migration0004ReportCaseOrder,
        migration0005DerivedFullTitles,
        migration0006AttemptOrdinals,
        migration0007DerivedCaseIDs,
    ]
}
