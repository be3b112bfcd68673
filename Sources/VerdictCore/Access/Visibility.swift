/// The one statement of who sees a project's data, as SQL: its own team always, everyone else
/// when the project is public (its own setting, or its team's default when it has none).
/// Every read joins a project `p` to its team and filters with it.
enum Visibility {
    /// `JOIN teams <team> …` for the project alias `project`.
    static func join(project: String = "p", team: String = "pt") -> String {
        "JOIN teams \(team) ON \(team).id = \(project).team_id"
    }

    /// True when the viewer whose team id is in `viewer` (a `$n` placeholder; NULL for
    /// anonymous) may see the project.
    static func condition(viewer: String, project: String = "p", team: String = "pt") -> String {
        "(\(project).team_id = \(viewer)::uuid OR coalesce(\(project).public, \(team).projects_public))"
    }
}

extension Viewer {
    /// The viewer as the `viewer` parameter of `Visibility.condition`.
    var parameter: String? { teamID?.text }
}
