import Shared

/// What the review page of one run shows, shaped for its template: the gate's figures and
/// policy, the file tree of the change with the risk flags beside the files they concern, the
/// inline diff of every iteration, the evaluation, the rollback evidence and plan, the
/// pull-request body, the decisions so far, and the forms when the reviewer may decide.
///
/// Every string is escaped by the template; nothing here is HTML.
struct ReviewPage: Sendable {
    /// A risk flag as shown.
    struct Flag: Sendable {
        var factor: String
        var weight: Int
        var detail: String
    }

    /// One row of the file tree.
    struct TreeRow: Sendable {
        var name: String
        var depth: Int
        var isFile: Bool
        var anchor: String
        var additions: Int
        var deletions: Int
        var flags: [Flag]
    }

    /// One line of a hunk.
    struct LineView: Sendable {
        /// `context`, `added`, `removed` or `note`: the row's CSS class.
        var kind: String
        var oldNumber: String
        var newNumber: String
        var sign: String
        var text: String
    }

    /// One hunk.
    struct HunkView: Sendable {
        var header: String
        var lines: [LineView]
    }

    /// What one iteration changed in one file.
    struct IterationDiff: Sendable {
        /// `iteration 2 · auto_fixer`, when the run had more than one iteration.
        var label: String?
        var binary: Bool
        var hunks: [HunkView]
    }

    /// One file of the change.
    struct FileView: Sendable {
        var anchor: String
        var path: String
        var change: String
        var additions: Int
        var deletions: Int
        var flags: [Flag]
        /// Shown expanded; large changes start collapsed and open on demand.
        var open: Bool
        var diffs: [IterationDiff]
    }

    /// One check of the evaluation or of the rollback evidence.
    struct CheckView: Sendable {
        var name: String
        var status: String
        var passed: Bool
        /// The duration of a check, the output's tail of a rollback check that did not pass.
        var detail: String?
    }

    var gate: ReviewedGate
    var title: String
    var isPending: Bool
    var wholeChangeFlags: [Flag]
    var tree: [TreeRow]
    var fileCount: Int
    var files: [FileView]
    /// Why the diff could not be shown, when it could not.
    var diffProblem: String?
    var checks: [CheckView]
    var rollbackChecks: [CheckView]
    var rollbackPassed: Bool
    var canDecide: Bool
    var csrf: String
    var notice: String?

    /// Changes above these sizes start with every file collapsed.
    static let expandedFilesLimit = 20
    static let expandedLinesLimit = 1500
    /// A file above this many lines starts collapsed whatever the change's size.
    static let expandedFileLinesLimit = 400

    /// Assembles the page of `gate` from the diff text of each of its run's iterations (by
    /// iteration; nil when they could not be read, with `diffProblem` saying why).
    init(gate: ReviewedGate, diffs: [Int: String]?, diffProblem: String?, viewer: Principal, csrf: String, notice: String?) {
        self.gate = gate
        title = gate.pullRequest?.title ?? "Run \(gate.runID)"
        isPending = gate.status == .pending
        canDecide = isPending && [Role.owner, .admin].contains(viewer.role)
        self.csrf = csrf
        self.notice = notice
        self.diffProblem = diffProblem

        let summaryPaths = gate.diffSummary.files.map(\.path)
        fileCount = summaryPaths.count
        let placement = RiskPlacement(flags: gate.risk.flags, paths: summaryPaths)
        let flags = { (path: String) in (placement.byPath[path] ?? []).map { Flag(factor: $0.factor, weight: $0.weight, detail: $0.detail) } }
        wholeChangeFlags = placement.wholeChange.map { Flag(factor: $0.factor, weight: $0.weight, detail: $0.detail) }

        let parsed = (diffs ?? [:]).mapValues { UnifiedDiff(parsing: $0) }
        let roles = Dictionary(gate.diffSummary.iterations.map { ($0.iteration, $0.role) }, uniquingKeysWith: { first, _ in first })
        let manyIterations = gate.diffSummary.iterations.count > 1
        let totalLines = gate.diffSummary.additions + gate.diffSummary.deletions
        let expandAll = summaryPaths.count <= Self.expandedFilesLimit && totalLines <= Self.expandedLinesLimit
        files = gate.diffSummary.files.enumerated().map { index, file in
            let perIteration: [IterationDiff] = parsed.keys.sorted().compactMap { iteration in
                guard let diff = parsed[iteration]?.files.first(where: { $0.path == file.path || $0.oldPath == file.path }) else { return nil }
                return IterationDiff(
                    label: manyIterations ? "iteration \(iteration) · \(roles[iteration] ?? "")" : nil,
                    binary: diff.binary,
                    hunks: diff.hunks.map { hunk in
                        HunkView(header: hunk.header, lines: hunk.lines.map { line in
                            LineView(
                                kind: line.kind.rawValue, oldNumber: line.oldNumber.map(String.init) ?? "", newNumber: line.newNumber.map(String.init) ?? "",
                                sign: line.kind == .added ? "+" : line.kind == .removed ? "-" : " ", text: line.text
                            )
                        })
                    }
                )
            }
            let change = parsed.values.lazy.compactMap { $0.files.first { $0.path == file.path }?.change.rawValue }.first ?? "modified"
            return FileView(
                anchor: "file-\(index)", path: file.path, change: change, additions: file.additions, deletions: file.deletions,
                flags: flags(file.path), open: expandAll && file.additions + file.deletions <= Self.expandedFileLinesLimit, diffs: perIteration
            )
        }
        let byPath = Dictionary(gate.diffSummary.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        tree = FileTree(paths: summaryPaths).rows.map { row in
            guard let index = row.file else {
                return TreeRow(name: row.name, depth: row.depth, isFile: false, anchor: "", additions: 0, deletions: 0, flags: [])
            }
            let path = summaryPaths[index]
            return TreeRow(
                name: row.name, depth: min(row.depth, 9), isFile: true, anchor: "file-\(index)",
                additions: byPath[path]?.additions ?? 0, deletions: byPath[path]?.deletions ?? 0, flags: flags(path)
            )
        }
        checks = gate.evalSummary.checks.map { check in
            CheckView(name: check.name, status: check.status, passed: check.status == "passed", detail: check.durationMilliseconds.map { "\($0) ms" })
        }
        rollbackChecks = gate.rollback.checks.map { check in
            CheckView(name: check.name, status: check.status, passed: check.status == "passed", detail: check.outputTail)
        }
        rollbackPassed = gate.rollback.status == .passed
    }
}
