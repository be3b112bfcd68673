import VerdictDB

// Quality gates: a project's named lists of rules (`VerdictInsights.GateRule`, stored as the API
// gives them), and each run's verdicts, one row per gate, written when the run completes and
// whenever the gates are evaluated on demand (the latest evaluation wins).
let migration0019QualityGates = Migration(
    version: 19, name: "quality_gates",
    sql: """
        CREATE TABLE quality_gates (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            rules jsonb NOT NULL,
            enabled boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (project_id, name)
        );

        CREATE TABLE gate_results (
            run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            gate_id uuid NOT NULL REFERENCES quality_gates (id) ON DELETE CASCADE,
            passed boolean NOT NULL,
            rules jsonb NOT NULL,
            evaluated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, gate_id)
        );
        """)
