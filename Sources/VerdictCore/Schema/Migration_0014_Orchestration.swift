import VerdictDB

// Dynamic sharding. An orchestration owns a report run (the same identity) and its queue of
// units; workers lease batches of units, and every try of a unit is an attempt. The queue is
// read longest-first through a partial index of the pending units, locked row by row (SKIP
// LOCKED), so concurrent checkouts never lease one unit twice. A lease names its units by
// their own ids: a run is new while it is busiest, before PostgreSQL has statistics for it,
// and lookups by (run, ordinal) were then planned as scans of the whole run. `unit_durations` is the
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
            -- The queue's expected work, kept as a ledger so that a checkout reads it from a
            -- row and the workers' rows instead of summing the pending units: the units' total,
            -- plus what went back to the queue, minus what each worker was handed.
            total_ms double precision NOT NULL DEFAULT 0,
            requeued_ms double precision NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz
        );
        CREATE INDEX orchestrations_running ON orchestrations (created_at) WHERE status = 'running';

        CREATE TABLE orchestration_units (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
            UNIQUE (run_id, ordinal)
        );
        CREATE INDEX orchestration_units_queue ON orchestration_units (run_id, (pass > 0), priority DESC, ordinal) WHERE state = 'pending';
        CREATE INDEX orchestration_units_leased ON orchestration_units (run_id, lease_id) WHERE state = 'leased';

        CREATE TABLE orchestration_leases (
            id uuid PRIMARY KEY,
            run_id uuid NOT NULL REFERENCES orchestrations (run_id) ON DELETE CASCADE,
            worker text NOT NULL,
            state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'completed', 'expired', 'released', 'cancelled')),
            units bigint[] NOT NULL,
            deadline timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz,
            answer jsonb
        );
        CREATE UNIQUE INDEX orchestration_leases_one_active ON orchestration_leases (run_id, worker) WHERE state = 'active';
        CREATE INDEX orchestration_leases_deadline ON orchestration_leases (run_id, deadline) WHERE state = 'active';

        CREATE TABLE orchestration_attempts (
            unit_id bigint NOT NULL REFERENCES orchestration_units (id) ON DELETE CASCADE,
            attempt integer NOT NULL,
            run_id uuid NOT NULL,
            lease_id uuid NOT NULL REFERENCES orchestration_leases (id) ON DELETE CASCADE,
            worker text NOT NULL,
            retest boolean NOT NULL,
            -- Wall-clock times (clock_timestamp), not transaction starts: a try begins when its
            -- lease is written and ends when it is reclaimed, and the two must order even when
            -- the transactions overlap.
            started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            ended_at timestamptz,
            outcome text CHECK (outcome IN ('passed', 'failed', 'skipped', 'errored', 'expired', 'released', 'cancelled', 'unreported')),
            duration_ms double precision,
            error text,
            late boolean NOT NULL DEFAULT false,
            PRIMARY KEY (unit_id, attempt)
        );
        CREATE INDEX orchestration_attempts_lease ON orchestration_attempts (lease_id);
        CREATE INDEX orchestration_attempts_run ON orchestration_attempts (run_id, started_at);

        CREATE TABLE orchestration_workers (
            run_id uuid NOT NULL REFERENCES orchestrations (run_id) ON DELETE CASCADE,
            worker text NOT NULL,
            labels jsonb NOT NULL DEFAULT '{}',
            first_seen timestamptz NOT NULL DEFAULT now(),
            last_seen timestamptz NOT NULL DEFAULT now(),
            leased_ms double precision NOT NULL DEFAULT 0,
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
