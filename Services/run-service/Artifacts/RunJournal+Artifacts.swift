import Foundation
import Shared

extension RunJournal {
    /// Records what finalizing built, fenced like every write of the build loop: a row per blob
    /// in `run_artifacts` and the branch in `run_branches`, upserted (a run finalized again
    /// keeps its artifact ids; equal content leaves the rows as they were).
    func recordArtifacts(_ claim: RunClaim, _ artifacts: RunArtifacts) async throws {
        try await fenced(claim) { session in
            for (kind, blob) in artifacts.blobs {
                try await session.executeDeferred("""
                    INSERT INTO run_artifacts (id, tenant_id, run_id, kind, sha256, size, content_type, file_name)
                    VALUES (\(UUID()), \(claim.tenantID), \(claim.runID), \(kind), \(blob.sha256), \(blob.size), \(kind.contentType),
                            \(kind.fileName(run: claim.runID)))
                    ON CONFLICT (tenant_id, run_id, kind) DO UPDATE
                        SET sha256 = excluded.sha256, size = excluded.size, content_type = excluded.content_type, file_name = excluded.file_name
                        WHERE (run_artifacts.sha256, run_artifacts.size, run_artifacts.content_type, run_artifacts.file_name)
                              IS DISTINCT FROM (excluded.sha256, excluded.size, excluded.content_type, excluded.file_name)
                    """)
            }
            let branch = artifacts.branch
            try await session.execute("""
                INSERT INTO run_branches (tenant_id, run_id, name, repository, repository_kind, commit_sha, base_commit_sha, generated_commit_sha)
                VALUES (\(claim.tenantID), \(claim.runID), \(branch.name), \(branch.repository), \(branch.kind.rawValue), \(branch.commit),
                        \(branch.baseCommit), \(branch.generatedCommit))
                ON CONFLICT (tenant_id, run_id) DO UPDATE
                    SET name = excluded.name, repository = excluded.repository, repository_kind = excluded.repository_kind,
                        commit_sha = excluded.commit_sha, base_commit_sha = excluded.base_commit_sha, generated_commit_sha = excluded.generated_commit_sha
                    WHERE (run_branches.name, run_branches.repository, run_branches.repository_kind, run_branches.commit_sha, run_branches.base_commit_sha,
                           run_branches.generated_commit_sha)
                          IS DISTINCT FROM (excluded.name, excluded.repository, excluded.repository_kind, excluded.commit_sha, excluded.base_commit_sha,
                                            excluded.generated_commit_sha)
                """)
        }
    }
}
