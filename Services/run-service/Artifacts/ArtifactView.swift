import Shared

/// How the API writes a run's artifacts and branch, rendered by Postgres (`jsonb` expressions
/// over `runs`): in the run's detail (`RunView.detail`) and in `GET /runs/{id}/artifacts`.
enum ArtifactView {
    /// The run's artifacts, by kind: id, kind, file name, content type, sha256, size, creation
    /// time and the path that downloads it (`[]` before finalizing).
    static let list: SQL = """
        coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'id', a.id, 'kind', a.kind, 'file_name', a.file_name, 'content_type', a.content_type,
                'sha256', a.sha256, 'size', a.size, 'created_at', \(RenderedRow.timestamp("a.created_at")),
                'href', '/api/meta/v2/runs/' || a.run_id || '/artifacts/' || a.id) ORDER BY a.kind)
            FROM run_artifacts a WHERE a.run_id = runs.id), '[]'::jsonb)
        """

    /// The run's branch: name, repository (path) and its kind (`base` or `bare`), the commit and
    /// the commit it builds on (left out in a bare repository of the run); null before finalizing.
    static let branch: SQL = """
        (SELECT jsonb_strip_nulls(jsonb_build_object(
                'name', b.name, 'repository', b.repository, 'repository_kind', b.repository_kind,
                'commit', b.commit_sha, 'base_commit', b.base_commit_sha))
            FROM run_branches b WHERE b.run_id = runs.id)
        """
}
