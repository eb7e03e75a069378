/// What a gate's run changes, over all its iterations: the diff under review is the union of the
/// iterations' diffs (Codegen's, then each fix), since the latest alone would show a reviewer
/// only the last fix. Per file, the lines added and deleted are summed across the iterations
/// that touched it — a line a fix changed again counts in both — and each iteration's own
/// totals are listed beside.
struct DiffSummary: Codable, Sendable, Equatable {
    /// One iteration's diff, in totals.
    struct Iteration: Codable, Sendable, Equatable {
        var iteration: Int
        var role: String
        var additions: Int
        var deletions: Int
    }

    /// Every file any iteration touched, sorted by path.
    var files: [RunServiceClient.Diff.File]
    var additions: Int
    var deletions: Int
    /// The iterations, in order.
    var iterations: [Iteration]

    /// The union of `diffs` (any order).
    init(_ diffs: [RunServiceClient.Diff]) {
        var byPath: [String: RunServiceClient.Diff.File] = [:]
        for file in diffs.flatMap(\.files) {
            byPath[file.path, default: .init(path: file.path, additions: 0, deletions: 0)].additions += file.additions
            byPath[file.path]!.deletions += file.deletions
        }
        files = byPath.values.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        additions = files.reduce(0) { $0 + $1.additions }
        deletions = files.reduce(0) { $0 + $1.deletions }
        iterations = diffs.sorted { $0.iteration < $1.iteration }.map {
            Iteration(iteration: $0.iteration, role: $0.role, additions: $0.additions, deletions: $0.deletions)
        }
    }
}
