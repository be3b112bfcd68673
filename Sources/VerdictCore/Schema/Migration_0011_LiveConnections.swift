import VerdictDB

// WebSocket clients of the live API and what they follow. A connection remembers the team of
// the key it connected with (NULL: anonymous), so what it may follow is decided the way reads
// are. Connections vanish with their $disconnect, or when a push finds them gone (410).
let migration0011LiveConnections = Migration(
    version: 11, name: "live_connections",
    sql: """
        CREATE TABLE live_connections (
            id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
            team_id uuid REFERENCES teams (id) ON DELETE CASCADE,
            connected_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE live_subscriptions (
            connection_id text NOT NULL REFERENCES live_connections (id) ON DELETE CASCADE,
            run_id uuid,
            project_id uuid,
            created_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((run_id IS NULL) <> (project_id IS NULL))
        );
        CREATE UNIQUE INDEX live_subscriptions_one ON live_subscriptions (connection_id, coalesce(run_id, project_id));
        CREATE INDEX live_subscriptions_run ON live_subscriptions (run_id) WHERE run_id IS NOT NULL;
        CREATE INDEX live_subscriptions_project ON live_subscriptions (project_id) WHERE project_id IS NOT NULL;
        """)
