import VerdictDB

// A run's failures in report order, read a page at a time: without an index in that order every
// page sorted all of the run's failures, and read their rows from scattered heap pages, to
// keep twenty. Only failing rows are indexed, so ingest barely pays for it.
let migration0013RunFailureOrder = Migration(
    version: 13, name: "run_failure_order",
    sql: """
        CREATE INDEX cases_run_failures ON cases (run_id, report_id, ordinal) WHERE status IN ('failed', 'errored', 'flaky');
        """)
