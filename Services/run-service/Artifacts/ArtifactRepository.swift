import Foundation
import Shared

/// A run's diffs, evaluation reports and artifacts as the API reads them: one round trip in the
/// caller's tenant transaction each, so row-level security hides other tenants' runs (another
/// tenant's run is not found). What a run does not have yet is NOT_FOUND naming it.
struct ArtifactRepository: Sendable {
    let pool: PostgresPool

    /// How `GET /runs/{id}/diff` writes a diff.
    enum DiffFormat: Sendable {
        /// The unified diff as stored.
        case text
        /// `{iteration, role, files:[{path, additions, deletions}], additions, deletions}`.
        case json
    }

    /// One stored artifact's row.
    struct StoredArtifact: Sendable, PostgresRowDecodable {
        let kind: ArtifactKind
        let sha256: String
        let size: Int
        let contentType: String
        let fileName: String

        init(row: PostgresRow) throws {
            kind = try row.decode("kind")
            sha256 = try row.decode("sha256")
            size = try row.decode("size")
            contentType = try row.decode("content_type")
            fileName = try row.decode("file_name")
        }
    }

    /// The diff of `iteration` (nil: the latest) of the tenant's run.
    func diff(run: UUID, iteration: Int?, format: DiffFormat, tenant: UUID) async throws -> String {
        let column: SQL = switch format {
        case .text: "diff AS body"
        case .json: "jsonb_build_object('iteration', iteration, 'role', role, 'files', files, 'additions', additions, 'deletions', deletions)::text AS body"
        }
        var sql: SQL = "SELECT \(column) FROM run_diffs WHERE run_id = \(run)"
        if let iteration { sql.append(" AND iteration = \(iteration)") }
        sql.append(" ORDER BY iteration DESC LIMIT 1")
        return try await read(sql, of: run, iteration: iteration, what: "diff", tenant: tenant)
    }

    /// The evaluation report of `iteration` (nil: the latest) of the tenant's run, as stored.
    func report(run: UUID, iteration: Int?, tenant: UUID) async throws -> String {
        var sql: SQL = "SELECT report::text AS body FROM run_reports WHERE run_id = \(run)"
        if let iteration { sql.append(" AND iteration = \(iteration)") }
        sql.append(" ORDER BY iteration DESC LIMIT 1")
        return try await read(sql, of: run, iteration: iteration, what: "evaluation report", tenant: tenant)
    }

    /// `{"artifacts":[…],"branch":{…}}` of the tenant's run; NOT_FOUND before finalizing built them.
    func list(run: UUID, tenant: UUID) async throws -> String {
        let rows = try await pool.batch(tenant: tenant, [
            """
            SELECT status, EXISTS (SELECT 1 FROM run_artifacts a WHERE a.run_id = runs.id) AS built,
                   jsonb_build_object('artifacts', \(ArtifactView.list), 'branch', \(ArtifactView.branch))::text AS body
            FROM runs WHERE id = \(run)
            """,
        ])[0]
        guard let row = rows.first else { throw WireError.notFound("run", id: run.lowercaseText) }
        guard try row.decode("built", as: Bool.self) else {
            let status: RunStatus = try row.decode("status")
            throw WireError(.notFound, "run \(run.lowercaseText) has no artifacts yet (it is \(status.rawValue)); they are built when it finalizes")
        }
        return try row.decode("body")
    }

    /// The row of artifact `id` of the tenant's run.
    func artifact(_ id: UUID, run: UUID, tenant: UUID) async throws -> StoredArtifact {
        let results = try await pool.batch(tenant: tenant, [
            "SELECT 1 FROM runs WHERE id = \(run)",
            "SELECT kind, sha256, size, content_type, file_name FROM run_artifacts WHERE run_id = \(run) AND id = \(id)",
        ])
        guard !results[0].isEmpty else { throw WireError.notFound("run", id: run.lowercaseText) }
        guard let row = results[1].first else { throw WireError.notFound("artifact", id: "\(id.lowercaseText) of run \(run.lowercaseText)") }
        return try StoredArtifact(row: row)
    }

    /// The `body` column of `sql`'s row, read with the run's status and latest iteration, so a
    /// missing run and a missing `what` are told apart.
    private func read(_ sql: SQL, of run: UUID, iteration: Int?, what: String, tenant: UUID) async throws -> String {
        let results = try await pool.batch(tenant: tenant, ["SELECT status, iteration FROM runs WHERE id = \(run)", sql])
        guard let state = results[0].first else { throw WireError.notFound("run", id: run.lowercaseText) }
        if let row = results[1].first { return try row.decode("body") }
        let status: RunStatus = try state.decode("status")
        guard let iteration else {
            throw WireError(.notFound, "run \(run.lowercaseText) has no \(what) yet (it is \(status.rawValue))")
        }
        let latest: Int = try state.decode("iteration")
        throw WireError(.notFound, "run \(run.lowercaseText) has no \(what) for iteration \(iteration)", details: [
            .init(field: "iteration", reason: latest == 0 ? "the run has not reached its first iteration" : "the run's iterations so far are 1 to \(latest)"),
        ])
    }
}
