/// A unified diff (`git diff` output) read into files, hunks and numbered lines, for the review
/// page. Reading never fails: what is not diff syntax is kept as a note of the file it follows.
struct UnifiedDiff: Sendable, Equatable {
    /// One line of a hunk, with its numbers in the old and the new file.
    struct Line: Sendable, Equatable {
        enum Kind: String, Sendable {
            case context, added, removed
            /// `\ No newline at end of file` and other text that is not a line of either file.
            case note
        }

        var kind: Kind
        var oldNumber: Int?
        var newNumber: Int?
        var text: String
    }

    /// One `@@ -a,b +c,d @@` section.
    struct Hunk: Sendable, Equatable {
        /// The header line as written (with the function context git adds).
        var header: String
        var lines: [Line]
    }

    /// What the diff does to one file.
    struct File: Sendable, Equatable {
        enum Change: String, Sendable {
            case added, deleted, modified, renamed
        }

        /// The new path (the old one for a deleted file).
        var path: String
        /// The old path, when the file was renamed.
        var oldPath: String?
        var change: Change
        var hunks: [Hunk]
        /// True for `Binary files … differ`.
        var binary: Bool

        var additions: Int { hunks.reduce(0) { $0 + $1.lines.count { $0.kind == .added } } }
        var deletions: Int { hunks.reduce(0) { $0 + $1.lines.count { $0.kind == .removed } } }
    }

    var files: [File]

    /// Reads `text`.
    init(parsing text: String) {
        var files: [File] = []
        var oldLine = 0, newLine = 0
        func appendLine(_ line: Line) {
            guard !files.isEmpty, !files[files.count - 1].hunks.isEmpty else { return }
            files[files.count - 1].hunks[files[files.count - 1].hunks.count - 1].lines.append(line)
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("diff --git ") {
                let path = Self.pathFromHeader(line.dropFirst("diff --git ".count))
                files.append(File(path: path, oldPath: nil, change: .modified, hunks: [], binary: false))
                continue
            }
            guard !files.isEmpty else { continue }
            let index = files.count - 1
            if files[index].hunks.isEmpty {
                if line.hasPrefix("new file mode") { files[index].change = .added }
                else if line.hasPrefix("deleted file mode") { files[index].change = .deleted }
                else if line.hasPrefix("rename from ") { files[index].oldPath = String(line.dropFirst("rename from ".count)); files[index].change = .renamed }
                else if line.hasPrefix("rename to ") { files[index].path = String(line.dropFirst("rename to ".count)) }
                else if line.hasPrefix("Binary files ") { files[index].binary = true }
                else if line.hasPrefix("+++ "), let path = Self.side(line.dropFirst(4), prefix: "b/") { files[index].path = path }
                else if line.hasPrefix("--- "), files[index].change == .deleted, let path = Self.side(line.dropFirst(4), prefix: "a/") { files[index].path = path }
            }
            if line.hasPrefix("@@"), let (old, new) = Self.hunkStarts(line) {
                files[index].hunks.append(Hunk(header: String(line), lines: []))
                (oldLine, newLine) = (old, new)
                continue
            }
            guard !files[index].hunks.isEmpty else { continue }
            switch line.first {
            case " ":
                appendLine(Line(kind: .context, oldNumber: oldLine, newNumber: newLine, text: String(line.dropFirst())))
                oldLine += 1; newLine += 1
            case "+":
                appendLine(Line(kind: .added, oldNumber: nil, newNumber: newLine, text: String(line.dropFirst())))
                newLine += 1
            case "-":
                appendLine(Line(kind: .removed, oldNumber: oldLine, newNumber: nil, text: String(line.dropFirst())))
                oldLine += 1
            case "\\":
                appendLine(Line(kind: .note, oldNumber: nil, newNumber: nil, text: String(line.dropFirst().drop { $0 == " " })))
            default:
                continue
            }
        }
        self.files = files
    }

    /// The new path of `a/x b/x` (the second half; paths with spaces split at ` b/`).
    private static func pathFromHeader(_ header: Substring) -> String {
        if let range = header.range(of: " b/", options: .backwards) { return String(header[range.upperBound...]) }
        return String(header)
    }

    /// The path of a `---`/`+++` line without its `a/`/`b/` prefix; nil for `/dev/null`.
    private static func side(_ rest: Substring, prefix: String) -> String? {
        let path = rest.split(separator: "\t", maxSplits: 1).first.map(String.init) ?? String(rest)
        guard path != "/dev/null" else { return nil }
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// The first old and new line numbers of a hunk header `@@ -a[,b] +c[,d] @@`.
    private static func hunkStarts(_ header: Substring) -> (Int, Int)? {
        let parts = header.split(separator: " ")
        guard parts.count >= 3, parts[1].hasPrefix("-"), parts[2].hasPrefix("+"),
              let old = Int(parts[1].dropFirst().split(separator: ",")[0]),
              let new = Int(parts[2].dropFirst().split(separator: ",")[0])
        else { return nil }
        return (old, new)
    }
}
