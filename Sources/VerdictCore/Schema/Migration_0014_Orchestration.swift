import VerdictDB

// Dynamic sharding. An orchestration owns a report run (the same identity) and its queue of
// units; workers lease batches of units, and every try of a unit is an attempt. The queue is
// read longest-first through a partial index of the pending units, locked row by row (SKIP
// LOCKED), so concurrent checkouts never lease one unit twice. `unit_durations` is the
// project's exponentially weighted history of each unit, what the next run's dispatch plans by.
let migration0014Orchestration = Migration(
    version: 14, name: "orchestration",
    sql: """
        ALTER TABLE runs ADD COLUMN orchestrated boolean NOT NULL DEFAULT false;

        CREATE TABLE orchestrations (
            run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'timed_out', 'cancelled')),
            stop_reason text CHECK (stop_reason IN ('fail_fast', 'cancelled', 'idle_timeout')),
            units_digest text NOT NULL,
            units_total integer NOT NULL CHECK (units_total >= 1),
            lease_seconds integer NOT NULL,
            idle_timeout_seconds integer NOT NULL,
            retests integer NOT NULL,
            fail_fast integer,
            expected_workers integer,
            created_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz
        );
        CREATE INDEX orchestrations_running ON orchestrations (created_at) WHERE status = 'running';

        CREATE TABLE orchestration_units (
            run_id uuid NOT NULL REFERENCES orchestrations (run_id) ON DELETE CASCADE,
            ordinal integer NOT NULL,
            unit text NOT NULL,
            labels jsonb NOT NULL DEFAULT '{}',
            expected_ms double precision NOT NULL,
            spread_ms double precision NOT NULL,
            priority double precision NOT NULL,
            pass integer NOT NULL DEFAULT 0,
            state text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'leased', 'passed', 'failed', 'flaky', 'skipped', 'errored', 'abandoned')),
            lease_id uuid,
            tries integer NOT NULL DEFAULT 0,
            failed_tries integer NOT NULL DEFAULT 0,
            ran_on text[] NOT NULL DEFAULT '{}',
            PRIMARY KEY (run_id, ordinal),
            UNIQUE (run_id, unit)
        );
        CREATE INDEX orchestration_units_queue ON orchestration_units (run_id, pass, priority DESC, ordinal) WHERE state = 'pending';
        CREATE INDEX orchestration_units_leased ON orchestration_units (lease_id) WHERE state = 'leased';

        CREATE TABLE orchestration_leases (
            id uuid PRIMARY KEY,
            run_id uuid NOT NULL REFERENCES orchestrations (run_id) ON DELETE CASCADE,
            worker text NOT NULL,
            state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'completed', 'expired', 'released', 'cancelled')),
            units integer[] NOT NULL,
            deadline timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz,
            answer jsonb
        );
        CREATE UNIQUE INDEX orchestration_leases_one_active ON orchestration_leases (run_id, worker) WHERE state = 'active';
        CREATE INDEX orchestration_leases_deadline ON orchestration_leases (run_id, deadline) WHERE state = 'active';

        CREATE TABLE orchestration_attempts (
            run_id uuid NOT NULL,
            ordinal integer NOT NULL,
            attempt integer NOT NULL,
            lease_id uuid NOT NULL REFERENCES orchestration_leases (id) ON DELETE CASCADE,
            worker text NOT NULL,
            retest boolean NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz,
            outcome text CHECK (outcome IN ('passed', 'failed', 'skipped', 'errored', 'expired', 'released', 'cancelled', 'unreported')),
            duration_ms double precision,
            error text,
            late boolean NOT NULL DEFAULT false,
            PRIMARY KEY (run_id, ordinal, attempt),
            FOREIGN KEY (run_id, ordinal) REFERENCES orchestration_units (run_id, ordinal) ON DELETE CASCADE
        );
        CREATE INDEX orchestration_attempts_lease ON orchestration_attempts (lease_id);

        CREATE TABLE orchestration_workers (
            run_id uuid NOT NULL REFERENCES orchestrations (run_id) ON DELETE CASCADE,
            worker text NOT NULL,
            labels jsonb NOT NULL DEFAULT '{}',
            first_seen timestamptz NOT NULL DEFAULT now(),
            last_seen timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, worker)
        );

        CREATE TABLE unit_durations (
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            unit text NOT NULL,
            mean_ms double precision NOT NULL,
            variance double precision NOT NULL,
            samples integer NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (project_id, unit)
        );
        """)
