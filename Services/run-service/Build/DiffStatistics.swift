import Foundation

/// Per-file additions and deletions of a unified diff (see `DiffChanges`).
struct DiffStatistics: Sendable, Equatable {
    /// One file's counts.
    struct File: Codable, Sendable, Equatable {
        var path: String
        var additions: Int
        var deletions: Int
    }

    /// The files, sorted by path.
    let files: [File]

    /// Lines added in all files.
    var additions: Int { files.reduce(0) { $0 + $1.additions } }
    /// Lines removed in all files.
    var deletions: Int { files.reduce(0) { $0 + $1.deletions } }

    /// Counts the diff's lines.
    init(_ diff: String) {
        files = DiffChanges(diff).files.map { File(path: $0.path, additions: $0.added.count, deletions: $0.removed.count) }
    }
}
