import VerdictDB

// Test history was an index over every case, (test_id, id DESC), the costliest one ingest
// kept: each COPYed case went to a random place in it. A test's scope (its id's first 48 bits:
// project, file and suite path) changes only every few dozen cases, so history now goes
// through spans instead: one row per stretch of a report's consecutive cases that share a
// scope. A test's history walks its scope's spans newest first and picks the test's cases out
// of each through (run, report, ordinal). Ingest writes its spans; the function below derives
// them from stored cases, for the reports that are here now.
let migration0009TestScopeSpans = Migration(
    version: 9, name: "test_scope_spans",
    sql: """
        CREATE FUNCTION test_scope(test_id uuid) RETURNS bigint
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $$ SELECT ('x' || encode(substring(uuid_send(test_id) FROM 1 FOR 6), 'hex'))::bit(48)::bigint $$;

        CREATE TABLE test_scope_spans (
            report_id uuid NOT NULL,
            first_ordinal integer NOT NULL CHECK (first_ordinal >= 0),
            last_ordinal integer NOT NULL,
            run_id uuid NOT NULL,
            scope bigint NOT NULL,
            PRIMARY KEY (report_id, first_ordinal),
            CHECK (last_ordinal >= first_ordinal)
        );
        CREATE INDEX test_scope_spans_history ON test_scope_spans (scope, report_id DESC, first_ordinal DESC);

        -- Spans are islands: consecutive ordinals of one scope keep the same ordinal - rank.
        CREATE FUNCTION rebuild_test_scope_spans(reports uuid[]) RETURNS void LANGUAGE sql AS $$
            DELETE FROM test_scope_spans WHERE report_id = ANY (reports);
            INSERT INTO test_scope_spans (report_id, first_ordinal, last_ordinal, run_id, scope)
            SELECT report_id, min(ordinal), max(ordinal), run_id, scope
            FROM (
                SELECT c.report_id, c.run_id, c.ordinal, test_scope(c.test_id) AS scope,
                    c.ordinal - row_number() OVER (PARTITION BY c.report_id, test_scope(c.test_id) ORDER BY c.ordinal) AS island
                FROM cases c JOIN unnest(reports) AS r(id) ON r.id = c.report_id
            ) AS c
            GROUP BY report_id, run_id, scope, island;
        $$;
        SELECT rebuild_test_scope_spans(ARRAY(SELECT id FROM reports));

        CREATE OR REPLACE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM attachments WHERE report_id IN (SELECT id FROM gone);
            DELETE FROM attempts WHERE report_id IN (SELECT id FROM gone);
            DELETE FROM cases WHERE (run_id, report_id) IN (SELECT run_id, id FROM gone);
            DELETE FROM test_scope_spans WHERE report_id IN (SELECT id FROM gone);
            RETURN NULL;
        END $$;

        DROP INDEX cases_test_history;
        """)
