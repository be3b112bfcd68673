import VerdictDB

// Flaky tests and quarantine. Classifying a branch on demand means reading every case of its
// window (a million for 5,000 tests × 200 runs), so the state is kept as runs complete, for a
// watch list: the tests of a branch that failed, errored or passed on a retry within the
// retention window. Each row holds the test's compact recent history (fixed 20-byte records,
// see `FlakinessHistory`) and its current verdict; the list reclassifies those histories for the
// window it is asked for. Quarantines are kept per project and test, at most one active.
let migration0017Flakiness = Migration(
    version: 17, name: "flakiness_and_quarantine",
    sql: """
        CREATE TABLE test_flakiness (
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            branch text NOT NULL,
            test_id uuid NOT NULL,
            full_title text NOT NULL,
            file text,
            -- Oldest first; per result: at (epoch ms, int8), commit (the sha's first 64 bits, int8),
            -- facts (int4: outcome, attempts, run failure share in permille, run test count).
            history bytea NOT NULL,
            -- The run whose result was appended last, so a retried completion appends nothing.
            last_run_id uuid NOT NULL,
            classification text NOT NULL CHECK (classification IN ('flaky', 'broken', 'stable', 'insufficient')),
            score double precision NOT NULL,
            failure_rate double precision NOT NULL,
            rate_lower double precision NOT NULL,
            rate_upper double precision NOT NULL,
            runs integer NOT NULL,
            failures integer NOT NULL,
            flips integer NOT NULL,
            same_commit_contradictions integer NOT NULL,
            retry_passes integer NOT NULL,
            excluded_burst_runs integer NOT NULL,
            trailing_clean_runs integer NOT NULL,
            last_seen_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (project_id, branch, test_id)
        );
        CREATE INDEX test_flakiness_test ON test_flakiness (test_id);

        CREATE TABLE quarantines (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            test_id uuid NOT NULL,
            reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
            owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
            automatic boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            lifted_at timestamptz,
            lift_reason text CHECK (length(lift_reason) <= 1000)
        );
        CREATE UNIQUE INDEX quarantines_one_active ON quarantines (project_id, test_id) WHERE lifted_at IS NULL;
        CREATE INDEX quarantines_project_created ON quarantines (project_id, created_at DESC, id DESC);

        ALTER TABLE projects ADD COLUMN auto_quarantine boolean NOT NULL DEFAULT false;
        ALTER TABLE projects ADD COLUMN quarantine_release_after integer NOT NULL DEFAULT 20
            CHECK (quarantine_release_after BETWEEN 1 AND 1000);
        """)
