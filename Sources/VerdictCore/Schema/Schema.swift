import VerdictDB

/// The whole schema: VerdictDB's SQL migrations, then those from the first that needs this
/// module's code on (a later SQL-only one lives here too, so the versions stay in order).
public enum Schema {
    public static let migrations: [Migration] =
        Migrations.sqlOnly + [
            migration0008TestIDScopePrefix, migration0009TestScopeSpans, migration0010ProjectVisibility, migration0011LiveConnections,
            migration0012ProjectRepository, migration0013RunFailureOrder, migration0014Orchestration, migration0015OrchestrationHotPath,
            migration0016ProjectDefaultBranch, migration0017Flakiness, migration0018FailureClusters, migration0019QualityGates,
            migration0020RunClusters, migration0021ClusterSummaries,
        ]
}
