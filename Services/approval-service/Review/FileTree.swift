/// The directories and files of a change as the review page lists them: one row per directory
/// or file, depth-first in path order, indented by depth, each file linking to its diff.
struct FileTree: Sendable, Equatable {
    /// One row of the tree.
    struct Row: Sendable, Equatable {
        /// The last path component (a directory's name ends in `/`).
        var name: String
        var depth: Int
        /// The file's index in the diff (its anchor); nil for a directory.
        var file: Int?
    }

    var rows: [Row]

    /// The tree of `paths` (index = the file's position in `paths`).
    init(paths: [String]) {
        var rows: [Row] = []
        var open: [Substring] = []
        for (index, path) in paths.enumerated().sorted(by: { $0.element < $1.element }) {
            let components = path.split(separator: "/")
            let directories = components.dropLast()
            var shared = 0
            while shared < min(open.count, directories.count), open[shared] == directories[directories.startIndex + shared] { shared += 1 }
            open = Array(directories)
            for depth in shared..<directories.count {
                rows.append(Row(name: directories[directories.startIndex + depth] + "/", depth: depth, file: nil))
            }
            rows.append(Row(name: String(components.last ?? Substring(path)), depth: directories.count, file: index))
        }
        self.rows = rows
    }
}
