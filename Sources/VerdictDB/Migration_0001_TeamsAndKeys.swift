let migration0001TeamsAndKeys = Migration(
    version: 1, name: "teams_and_api_keys",
    sql: """
        CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

        CREATE TABLE teams (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE api_keys (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            -- The public part of the key, indexed so authentication is one lookup.
            prefix text NOT NULL UNIQUE,
            -- SHA-256 of the whole key: keys carry 190 bits of randomness, so a fast hash suffices.
            key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
            scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin']::text[] AND cardinality(scopes) > 0),
            created_by uuid REFERENCES api_keys (id) ON DELETE SET NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_used_at timestamptz,
            expires_at timestamptz,
            revoked_at timestamptz
        );
        CREATE INDEX api_keys_team_created ON api_keys (team_id, created_at DESC, id DESC);
        """)
