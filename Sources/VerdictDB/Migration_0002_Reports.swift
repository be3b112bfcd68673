// Runs, reports and what they contain. The high-volume tables (cases, attempts, attachments) are
// written with COPY, one report per transaction, by one code path that holds the report's row
// lock. Their constraints are the ones a COPY checks cheaply (CHECKs, keys): a per-row foreign key
// check would double the cost of an ingest, so instead a statement trigger removes a report's rows
// with the report, which is what a cascade would have done.
let migration0002Reports = Migration(
    version: 2, name: "runs_reports_cases",
    sql: """
        CREATE TABLE projects (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (team_id, name)
        );
        CREATE INDEX projects_name ON projects (name);

        CREATE TABLE runs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            -- The composite identity: one logical run of one pipeline attempt. Absent parts are ''
            -- (not NULL) so the unique constraint treats them as equal.
            commit_sha text NOT NULL CHECK (commit_sha = '' OR commit_sha ~ '^[0-9a-f]{7,64}$'),
            branch text NOT NULL CHECK (length(branch) <= 255),
            ci_run_id text NOT NULL CHECK (length(ci_run_id) <= 200),
            ci_run_attempt integer NOT NULL CHECK (ci_run_attempt BETWEEN 1 AND 100000),
            name text NOT NULL CHECK (length(name) <= 200),
            status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'incomplete')),
            total_reports_expected integer NOT NULL CHECK (total_reports_expected BETWEEN 1 AND 10000),
            reports_completed integer NOT NULL DEFAULT 0 CHECK (reports_completed >= 0),
            tests integer NOT NULL DEFAULT 0,
            passed integer NOT NULL DEFAULT 0,
            failed integer NOT NULL DEFAULT 0,
            skipped integer NOT NULL DEFAULT 0,
            errors integer NOT NULL DEFAULT 0,
            flaky integer NOT NULL DEFAULT 0,
            -- Earliest report start and latest report end, for the run's wall-clock duration.
            started_at timestamptz,
            ended_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_activity_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz,
            UNIQUE (project_id, commit_sha, branch, ci_run_id, ci_run_attempt, name)
        );
        CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
        CREATE INDEX runs_project_created ON runs (project_id, created_at DESC, id DESC);
        CREATE INDEX runs_project_branch_created ON runs (project_id, branch, created_at DESC, id DESC);
        -- The staleness reaper's scan: only open runs, oldest activity first.
        CREATE INDEX runs_open_activity ON runs (last_activity_at) WHERE status = 'running';

        CREATE TABLE reports (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            shard text NOT NULL CHECK (length(shard) BETWEEN 1 AND 100),
            -- The override the uploader gave; the detected format lands in `format` on completion.
            requested_format text CHECK (requested_format IN ('junit', 'playwright', 'mochawesome', 'jest', 'ctrf')),
            format text CHECK (format IN ('junit', 'playwright', 'mochawesome', 'jest', 'ctrf')),
            status text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'completed')),
            tool_name text,
            tool_version text,
            started_at timestamptz,
            duration_ms double precision CHECK (duration_ms >= 0),
            tests integer NOT NULL DEFAULT 0,
            passed integer NOT NULL DEFAULT 0,
            failed integer NOT NULL DEFAULT 0,
            skipped integer NOT NULL DEFAULT 0,
            errors integer NOT NULL DEFAULT 0,
            flaky integer NOT NULL DEFAULT 0,
            warnings jsonb COMPRESSION lz4 NOT NULL DEFAULT '[]',
            -- Failures outside any test (a crashed global setup), as [{message, type, stack}].
            run_errors jsonb COMPRESSION lz4 NOT NULL DEFAULT '[]',
            created_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz,
            UNIQUE (run_id, shard),
            CHECK ((status = 'completed') = (completed_at IS NOT NULL))
        );

        -- Files a report is made of: the report file itself and the attachments uploaded with it.
        CREATE TABLE report_files (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 512),
            kind text NOT NULL CHECK (kind IN ('report', 'attachment')),
            size bigint NOT NULL CHECK (size >= 0),
            sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
            content_type text,
            object_key text NOT NULL,
            verified_at timestamptz,
            UNIQUE (report_id, name)
        );
        CREATE UNIQUE INDEX report_files_one_report ON report_files (report_id) WHERE kind = 'report';

        CREATE TABLE suites (
            id uuid PRIMARY KEY,
            report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
            run_id uuid NOT NULL,
            ordinal integer NOT NULL CHECK (ordinal >= 0),
            name text NOT NULL,
            path text[] NOT NULL,
            file text,
            timestamp_text text,
            started_at timestamptz,
            duration_ms double precision,
            hostname text,
            properties jsonb NOT NULL DEFAULT '[]',
            system_out text COMPRESSION lz4,
            system_err text COMPRESSION lz4,
            errors jsonb COMPRESSION lz4 NOT NULL DEFAULT '[]',
            tests integer NOT NULL DEFAULT 0,
            passed integer NOT NULL DEFAULT 0,
            failed integer NOT NULL DEFAULT 0,
            skipped integer NOT NULL DEFAULT 0,
            error_count integer NOT NULL DEFAULT 0,
            flaky integer NOT NULL DEFAULT 0,
            UNIQUE (report_id, ordinal)
        );
        CREATE INDEX suites_run ON suites (run_id, report_id, ordinal);

        CREATE TABLE cases (
            -- Time-ordered (UUIDv7), so newest-first is id order and the primary key grows at its end.
            id uuid PRIMARY KEY,
            run_id uuid NOT NULL,
            report_id uuid NOT NULL,
            suite_id uuid,
            -- Position in its report, which is the order the tool ran (and lists) the tests.
            ordinal integer NOT NULL CHECK (ordinal >= 0),
            -- Stable across runs: derived from project, file, suite path, title and configuration.
            test_id uuid NOT NULL,
            title text NOT NULL,
            full_title text NOT NULL,
            suite_path text[] NOT NULL,
            file text,
            line integer,
            classname text,
            project_name text,
            status text NOT NULL CHECK (status IN ('passed', 'failed', 'flaky', 'skipped', 'errored')),
            raw_status text NOT NULL,
            duration_ms double precision,
            -- When the first attempt started, if the report says.
            started_at timestamptz,
            attempt_count integer NOT NULL CHECK (attempt_count >= 1),
            -- The deciding attempt's first error, for lists; every error lives in attempts.
            error_message text,
            skip_reason text,
            -- NULL rather than empty: COPY then parses nothing for the many cases without them.
            tags text[],
            annotations jsonb,
            properties jsonb,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX cases_run_order ON cases (run_id, report_id, ordinal);
        -- Failures are what people filter for; passed cases stay out of this index.
        CREATE INDEX cases_run_not_passed ON cases (run_id, status, report_id, ordinal) WHERE status <> 'passed';
        CREATE INDEX cases_test_history ON cases (test_id, id DESC);

        -- Only attempts that say more than their case does: retries, errors, output. A case with one
        -- quiet attempt (most passing tests) has none here; its attempt is the case itself.
        CREATE TABLE attempts (
            case_id uuid NOT NULL,
            report_id uuid NOT NULL,
            attempt integer NOT NULL CHECK (attempt >= 0),
            status text NOT NULL CHECK (status IN ('passed', 'failed', 'skipped', 'errored')),
            duration_ms double precision,
            started_at timestamptz,
            -- Stack traces and output: lz4 compresses them several times faster than the default.
            errors jsonb COMPRESSION lz4 NOT NULL DEFAULT '[]',
            stdout text COMPRESSION lz4,
            stderr text COMPRESSION lz4,
            PRIMARY KEY (case_id, attempt)
        );

        CREATE TABLE attachments (
            id uuid PRIMARY KEY,
            report_id uuid NOT NULL,
            case_id uuid,
            suite_id uuid,
            attempt integer,
            name text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('screenshot', 'video', 'trace', 'log', 'other')),
            content_type text,
            -- Where the tool wrote it (a path on the CI machine); the bytes are in S3 only when
            -- the file was uploaded with the report or embedded in it.
            path text,
            object_key text,
            size bigint
        );
        CREATE INDEX attachments_case ON attachments (case_id) WHERE case_id IS NOT NULL;
        CREATE INDEX attachments_report ON attachments (report_id);
        CREATE INDEX attempts_report ON attempts (report_id);

        CREATE FUNCTION delete_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM attachments WHERE report_id IN (SELECT id FROM gone);
            DELETE FROM attempts WHERE report_id IN (SELECT id FROM gone);
            DELETE FROM cases WHERE (run_id, report_id) IN (SELECT run_id, id FROM gone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER reports_delete_rows AFTER DELETE ON reports
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_report_rows();
        """)
