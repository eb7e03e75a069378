import Foundation

/// The lines a unified diff in `git diff` form (`diff --git a/… b/…` headers, `+`/`-` lines
/// inside hunks) adds and removes, file by file.
struct DiffChanges: Sendable, Equatable {
    /// One file's changed lines, without their `+`/`-` marks.
    struct File: Sendable, Equatable {
        var path: String
        var added: [String] = []
        var removed: [String] = []
    }

    /// The files, sorted by path.
    let files: [File]

    /// Reads the diff. A file's path is its `b/` side (the `a/` side for a deletion).
    init(_ diff: String) {
        var files: [String: File] = [:]
        var current: String?
        var inHunk = false
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") {
                current = Self.path(ofHeader: line)
                inHunk = false
                if let current, files[current] == nil { files[current] = File(path: current) }
            } else if line.hasPrefix("@@") {
                inHunk = true
            } else if inHunk, let path = current {
                if line.hasPrefix("+") { files[path]?.added.append(String(line.dropFirst())) }
                else if line.hasPrefix("-") { files[path]?.removed.append(String(line.dropFirst())) }
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
