import Shared

/// The files a unified diff touches, read the way `git apply` reads a patch: file headers
/// (`diff --git`, `---`/`+++`, `rename`/`copy` lines) between hunks, hunk bodies skipped by
/// their line counts, so a removed `-- comment` line is never taken for a header.
enum DiffPaths {
    /// Every path the diff's headers name, without the `a/`/`b/` prefixes (`/dev/null` left out).
    /// INVALID_ARGUMENT naming `field` when the diff is malformed, creates anything but a
    /// regular file (a symlink, a submodule) or names a path outside the workspace.
    static func touched(by diff: String, field: String) throws -> Set<String> {
        var paths = Set<String>()
        var (oldLeft, newLeft) = (0, 0)
        for (index, line) in diff.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func malformed(_ reason: String) -> WireError {
                WireError.invalidArgument(field: field, "line \(index + 1): \(reason)")
            }
            if oldLeft > 0 || newLeft > 0 {
                switch line.first {
                case " ", nil: (oldLeft, newLeft) = (oldLeft - 1, newLeft - 1)
                case "-": oldLeft -= 1
                case "+": newLeft -= 1
                case "\\": continue
                default: throw malformed("a hunk ends before its line counts say")
                }
                guard oldLeft >= 0, newLeft >= 0 else { throw malformed("a hunk is longer than its line counts say") }
                continue
            }
            if line.hasPrefix("@@ ") {
                guard let counts = hunkCounts(line) else { throw malformed("unreadable hunk header") }
                (oldLeft, newLeft) = counts
            } else if line.hasPrefix("diff --git ") {
                paths.formUnion(gitHeaderPaths(line.dropFirst("diff --git ".count)))
            } else if line.hasPrefix("--- ") || line.hasPrefix("+++ ") {
                let name = line.dropFirst(4).split(separator: "\t", maxSplits: 1).first.map(String.init) ?? ""
                if name != "/dev/null" { paths.insert(name.hasPrefix("a/") || name.hasPrefix("b/") ? String(name.dropFirst(2)) : name) }
            } else if let prefix = ["rename from ", "rename to ", "copy from ", "copy to "].first(where: { line.hasPrefix($0) }) {
                paths.insert(String(line.dropFirst(prefix.count)))
            } else if line.hasPrefix("new file mode ") || line.hasPrefix("new mode ") {
                guard line.hasSuffix(" 100644") || line.hasSuffix(" 100755") else { throw malformed("only regular files may be created (\(line))") }
            }
        }
        guard oldLeft == 0, newLeft == 0 else {
            throw WireError.invalidArgument(field: field, "the last hunk is shorter than its line counts say")
        }
        if let outside = paths.sorted().first(where: { !isConfined($0) }) {
            throw WireError.invalidArgument(field: field, "names '\(outside)': a path must be relative, inside the workspace and outside .git, in plain characters")
        }
        return paths
    }

    /// Whether a path stays inside the workspace: relative, no `.`/`..` or empty segments, not
    /// in `.git`, and not quoted by git (which it does for control and non-ASCII characters).
    static func isConfined(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.isEmpty && !path.hasPrefix("\"") && !segments.contains { $0.isEmpty || $0 == "." || $0 == ".." }
            && segments.first != ".git" && path.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7f }
    }

    /// The old and new line counts of `@@ -a[,b] +c[,d] @@`.
    private static func hunkCounts(_ line: Substring) -> (Int, Int)? {
        let ranges = line.split(separator: " ").dropFirst().prefix(2)
        guard ranges.count == 2, let old = ranges.first, let new = ranges.last, old.hasPrefix("-"), new.hasPrefix("+") else { return nil }
        func count(_ range: Substring) -> Int? {
            let parts = range.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts.allSatisfy({ Int($0) != nil }) else { return nil }
            return parts.count == 2 ? Int(parts[1]) : 1
        }
        guard let oldCount = count(old), let newCount = count(new), oldCount + newCount > 0 else { return nil }
        return (oldCount, newCount)
    }

    /// Both paths of `a/<old> b/<new>` (the split that makes them equal when there is one).
    private static func gitHeaderPaths(_ names: Substring) -> [String] {
        guard names.hasPrefix("a/") else { return [String(names)] }
        var splits: [(String, String)] = []
        var search = names.startIndex
        while let range = names.range(of: " b/", range: search..<names.endIndex) {
            splits.append((String(names[names.index(names.startIndex, offsetBy: 2)..<range.lowerBound]), String(names[range.upperBound...])))
            search = range.upperBound
        }
        guard let split = splits.first(where: { $0.0 == $0.1 }) ?? splits.first else { return [String(names)] }
        return [split.0, split.1]
    }
}
