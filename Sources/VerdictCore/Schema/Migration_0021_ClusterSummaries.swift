import VerdictDB

// A failure cluster's summary, as the configured summary command last wrote it for the project
// (NULL: none written). Per project, as the cluster rows are: the examples it was written
// from are the project's own failures.
let migration0021ClusterSummaries = Migration(
    version: 21, name: "cluster_summaries",
    sql: """
        ALTER TABLE failure_clusters ADD COLUMN summary text, ADD COLUMN summary_generated_at timestamptz;
        """)
