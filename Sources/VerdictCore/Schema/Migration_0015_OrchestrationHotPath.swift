import VerdictDB

// The foreign keys a checkout's lease write checked row by row: the lease's to its
// orchestration and each try's to its unit and its lease. Every check is a lookup that locks
// the row it finds (KEY SHARE); 200 workers checking out at once all share-locked the one
// orchestration row, which PostgreSQL then tracks as a multixact, and the checks were a third
// of the write. The rows are written by one code path that just read (and locked) what they
// point to. What the cascades did, a statement trigger does, as for a report's rows (migration
// 2): a run's orchestration going takes its leases and tries with it. Deletes are rare (a
// project or team removed), so the leases are found by a scan rather than by one more index
// that every checkout would update.
let migration0015OrchestrationHotPath = Migration(
    version: 15, name: "orchestration_hot_path",
    sql: """
        ALTER TABLE orchestration_leases DROP CONSTRAINT orchestration_leases_run_id_fkey;
        ALTER TABLE orchestration_attempts
            DROP CONSTRAINT orchestration_attempts_unit_id_fkey,
            DROP CONSTRAINT orchestration_attempts_lease_id_fkey;

        CREATE FUNCTION delete_orchestration_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM orchestration_attempts WHERE run_id IN (SELECT run_id FROM gone);
            DELETE FROM orchestration_leases WHERE run_id IN (SELECT run_id FROM gone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER orchestrations_delete_rows AFTER DELETE ON orchestrations
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_orchestration_rows();
        """)
