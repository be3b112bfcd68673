import VerdictDB

// How many of a run's failures (failed or errored cases) each failure cluster has, counted as
// each report is ingested. A run page and a comparison read a run's largest clusters in a few
// index rows instead of grouping every failed case of the run on each read.
let migration0020RunClusters = Migration(
    version: 20, name: "run_clusters",
    sql: """
        CREATE TABLE run_clusters (
            run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            cluster_id uuid NOT NULL,
            failures integer NOT NULL CHECK (failures > 0),
            PRIMARY KEY (run_id, cluster_id)
        );
        CREATE INDEX run_clusters_largest ON run_clusters (run_id, failures DESC, cluster_id DESC);
        INSERT INTO run_clusters (run_id, cluster_id, failures)
        SELECT run_id, cluster_id, count(*) FROM cases
        WHERE cluster_id IS NOT NULL AND status IN ('failed', 'errored')
        GROUP BY run_id, cluster_id;
        """)
