// A case's id is its report's id with the last four bytes replaced by the case's position, so
// an id says where its case is, found through the reports and the (run, report, ordinal)
// index. The primary key on cases.id goes: it was an ingest's costliest index after test
// history, every COPYed row inserted into it. Case ids keep sorting newest report first
// (report ids are time-ordered), which test history relies on. Stored cases, with the attempts
// and attachments that point at them, take their derived ids.
let migration0007DerivedCaseIDs = Migration(
    version: 7, name: "derived_case_ids",
    sql: """
        CREATE FUNCTION case_id(report_id uuid, ordinal integer) RETURNS uuid
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $$ SELECT encode(substring(uuid_send(report_id) FROM 1 FOR 12) || int4send(ordinal), 'hex')::uuid $$;

        -- Two reports sharing their first twelve bytes would give their cases the same ids.
        CREATE UNIQUE INDEX reports_case_id_prefix ON reports ((substring(uuid_send(id) FROM 1 FOR 12)));

        UPDATE attachments a SET case_id = case_id(c.report_id, c.ordinal)
        FROM cases c WHERE c.id = a.case_id AND a.case_id <> case_id(c.report_id, c.ordinal);
        UPDATE attempts SET case_id = case_id(report_id, ordinal) WHERE case_id <> case_id(report_id, ordinal);
        UPDATE cases SET id = case_id(report_id, ordinal) WHERE id <> case_id(report_id, ordinal);
        ALTER TABLE cases DROP CONSTRAINT cases_pkey;
        -- Logical replication identifies a row by its primary key; (run, report, ordinal) is as unique.
        ALTER TABLE cases REPLICA IDENTITY USING INDEX cases_run_order;
        """)
