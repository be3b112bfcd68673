import VerdictDB

// Reads stop being public to everyone: a project is seen by its own team, and by anyone else
// only when it is public. Projects are public by default, so a single-team install keeps
// working without keys on reads; a team turns the default off, a project overrides it
// either way (NULL follows the team).
let migration0010ProjectVisibility = Migration(
    version: 10, name: "project_visibility",
    sql: """
        ALTER TABLE teams ADD COLUMN projects_public boolean NOT NULL DEFAULT true;
        ALTER TABLE projects ADD COLUMN public boolean;
        CREATE INDEX projects_team_created ON projects (team_id, created_at DESC, id DESC);
        """)
