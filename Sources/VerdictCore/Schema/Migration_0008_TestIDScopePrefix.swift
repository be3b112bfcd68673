import VerdictDB
import VerdictJSON

// A test id's first 48 bits now name the test's scope (project, file, suite path; see
// `Identifier.testKey`), so the test-history index keeps a file's tests together. Stored test
// ids keep their other 80 bits, which came from the same hash of the whole test name, and take
// their scope's prefix, computed here by the code ingest uses: the trimming and path rules of
// `TestIdentity` have no exact SQL equivalent.
let migration0008TestIDScopePrefix = Migration(
    version: 8, name: "test_id_scope_prefix",
    sql: """
        CREATE TEMPORARY TABLE test_scopes ON COMMIT DROP AS
            SELECT row_number() OVER () AS n, project_id, file, suite_path, NULL::bytea AS prefix
            FROM (SELECT DISTINCT r.project_id, c.file, c.suite_path FROM cases c JOIN runs r ON r.id = c.run_id) AS s;
        """,
    data: { db in
        let scopes = try db.query(
            "SELECT n, project_id::text AS project_id, file, array_to_json(suite_path)::text AS suite_path FROM test_scopes")
        var numbers: [String] = []
        var prefixes: [String] = []
        for row in scopes.rows {
            let path = try JSON.parse(Array(try row.decode("suite_path", as: String.self).utf8)).arrayValue?.compactMap(\.stringValue) ?? []
            let prefix = Identifier.testScopePrefix(
                projectID: try row.decode("project_id"), file: try row.decodeIfPresent("file"), suitePath: path)
            numbers.append(try row.decode("n"))
            let hex = String(prefix >> 16, radix: 16)
            prefixes.append(String(repeating: "0", count: 12 - hex.count) + hex)
        }
        // Sent as two arrays in one statement: a scope per round trip would make a large
        // database's migration take minutes.
        try db.query(
            """
            UPDATE test_scopes t SET prefix = decode(p.hex, 'hex')
            FROM unnest($1::bigint[], $2::text[]) AS p(n, hex) WHERE t.n = p.n
            """, ["{" + numbers.joined(separator: ",") + "}", "{" + prefixes.joined(separator: ",") + "}"])
        try db.query(
            """
            UPDATE cases c SET test_id = encode(t.prefix || substring(uuid_send(c.test_id) FROM 7), 'hex')::uuid
            FROM runs r, test_scopes t
            WHERE r.id = c.run_id AND t.project_id = r.project_id AND t.file IS NOT DISTINCT FROM c.file
              AND t.suite_path = c.suite_path
              AND substring(uuid_send(c.test_id) FROM 1 FOR 6) <> t.prefix
            """)
    })
