/// Building a run's artifacts failed for a reason other than the database or a lost claim: the
/// run fails with the reason `artifact_error` and this detail.
struct ArtifactError: Error, CustomStringConvertible {
    /// What went wrong, for the run's failure detail.
    let detail: String

    init(_ detail: String) {
        self.detail = detail
    }

    var description: String { detail }
}
