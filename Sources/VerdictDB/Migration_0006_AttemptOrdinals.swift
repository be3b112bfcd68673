// An attempt carries its case's position in the report, so an export reads a run's attempts in
// case order straight off an index, beside the cases, instead of joining every attempt to its
// case and sorting them all before the first one arrives.
let migration0006AttemptOrdinals = Migration(
    version: 6, name: "attempt_ordinals",
    sql: """
        ALTER TABLE attempts ADD COLUMN ordinal integer;
        UPDATE attempts a SET ordinal = c.ordinal FROM cases c WHERE c.id = a.case_id;
        -- An attempt whose case is gone can never be read (every read goes through its case).
        DELETE FROM attempts WHERE ordinal IS NULL;
        ALTER TABLE attempts ALTER COLUMN ordinal SET NOT NULL, ADD CHECK (ordinal >= 0);
        CREATE INDEX attempts_report_order ON attempts (report_id, ordinal, attempt);
        DROP INDEX attempts_report;
        """)
