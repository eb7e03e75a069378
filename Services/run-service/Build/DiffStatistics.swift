import Foundation

/// Per-file additions and deletions of a unified diff in `git diff` form (`diff --git a/… b/…`
/// headers, `+`/`-` lines inside hunks).
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

    /// Counts the diff's lines. A file's path is its `b/` side (the `a/` side for a deletion).
    init(_ diff: String) {
        var files: [String: File] = [:]
        var current: String?
        var inHunk = false
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") {
                current = Self.path(ofHeader: line)
                inHunk = false
                if let current, files[current] == nil { files[current] = File(path: current, additions: 0, deletions: 0) }
            } else if line.hasPrefix("@@") {
                inHunk = true
            } else if inHunk, let path = current {
                if line.hasPrefix("+") { files[path]?.additions += 1 }
                else if line.hasPrefix("-") { files[path]?.deletions += 1 }
            }
        }
        self.files = files.values.sorted { $0.path < $1.path }
    }

    /// The path of a `diff --git a/<path> b/<path>` header (paths without spaces, as git writes
    /// them unquoted).
    private static func path(ofHeader line: Substring) -> String? {
        guard let range = line.range(of: " b/", options: .backwards) else { return nil }
        return String(line[range.upperBound...])
    }
}
