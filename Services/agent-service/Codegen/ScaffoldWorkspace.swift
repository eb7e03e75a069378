import Foundation
import Shared

/// Per-run, per-iteration working trees where diffs are applied: iteration 1 starts as a copy of
/// the base repository (or empty), iteration N > 1 as a copy of iteration N-1, which must exist;
/// a diff either applies whole or not at all (`git apply --check` first), with the failing file
/// and line named.
struct ScaffoldWorkspace: Sendable {
    /// The directory holding every run's workspaces.
    let root: String

    /// The path of one iteration's tree.
    func path(run: String, iteration: Int) -> String {
        "\(root)/\(run)/\(iteration)"
    }

    /// INVALID_ARGUMENT naming `field` unless `run` is a run id (1-64 letters, digits, '-', '_').
    static func checkRun(_ run: String, field: String) throws {
        guard run.range(of: "^[A-Za-z0-9_-]{1,64}$", options: .regularExpression) != nil else {
            throw WireError.invalidArgument(field: field, "must be 1-64 letters, digits, '-' or '_'")
        }
    }

    /// The canonical path of iteration `iteration`'s tree of `run` when `claimed` names that tree
    /// (symlinks and `..` resolved) and it lies under the root; INVALID_ARGUMENT naming `field`
    /// otherwise. The run id and iteration must have been checked.
    func resolve(_ claimed: String, run: String, iteration: Int, field: String) async throws -> String {
        let (root, expected) = (self.root, path(run: run, iteration: iteration))
        let (canonicalRoot, canonicalExpected, canonicalClaimed) = await FileSystemLane.run {
            (ConfinedPath.canonical(root), ConfinedPath.canonical(expected), ConfinedPath.canonical(claimed))
        }
        guard let canonicalRoot, let canonicalExpected, canonicalClaimed == canonicalExpected, ConfinedPath.isBelow(canonicalExpected, canonicalRoot) else {
            throw WireError.invalidArgument(field: field, "must be the workspace DevOps prepared for run '\(run)' iteration \(iteration) under the workspace root")
        }
        return canonicalExpected
    }

    /// Prepares iteration `iteration` of `run` and applies `diff` to it; returns its path.
    func apply(_ diff: String, run: String, iteration: Int, baseRepository: String?) async throws -> String {
        try Self.checkRun(run, field: "input.run_id")
        guard iteration >= 1 else { throw WireError.invalidArgument(field: "input.iteration", "must be at least 1") }
        let previous = path(run: run, iteration: iteration - 1)
        let hasPrevious = await FileSystemLane.run { FileManager.default.fileExists(atPath: previous + "/.git") }
        guard iteration == 1 || hasPrevious else {
            throw WireError(.failedPrecondition, "iteration \(iteration - 1) of run '\(run)' has no workspace to build iteration \(iteration) on (it was never prepared, or was cleaned up)")
        }
        let target = path(run: run, iteration: iteration)
        let runDirectory = "\(root)/\(run)"
        try await FileSystemLane.run {
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        }
        let parent = GitWorkspace(path: runDirectory)
        if iteration > 1 {
            try await parent.git(["clone", "--quiet", "--no-hardlinks", previous, target])
        } else if let baseRepository {
            try await parent.git(["clone", "--quiet", "--no-hardlinks", baseRepository, target])
        } else {
            try await FileSystemLane.run { try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true) }
            try await GitWorkspace(path: target).git(["init", "--quiet"])
        }
        let workspace = GitWorkspace(path: target)
        let patch = "\(runDirectory)/iteration-\(iteration).diff"
        try await FileSystemLane.run { try Data(diff.utf8).write(to: URL(fileURLWithPath: patch)) }
        do {
            try await workspace.git(["apply", "--check", "--whitespace=nowarn", patch])
        } catch let error as GitError {
            // git names the patch by its path on this server; the caller sees only the diff's own paths.
            throw Self.applyFailure(error.output.replacingOccurrences(of: runDirectory + "/", with: ""))
        }
        try await workspace.git(["apply", "--whitespace=nowarn", patch])
        try await workspace.git(["add", "--all"])
        try await workspace.git(["commit", "--quiet", "--allow-empty", "-m", "Meta-Builder iteration \(iteration)"])
        return target
    }

    /// Turns git's complaint into INVALID_ARGUMENT naming the file and line.
    static func applyFailure(_ output: String) -> WireError {
        let patterns = [
            #"patch failed: ([^:\s]+):(\d+)"#,
            #"error: ([^:\s]+): already exists in working directory"#,
            #"error: ([^:\s]+): does not exist in index"#,
            #"corrupt patch at line (\d+)"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output))
            else { continue }
            let groups = (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: output).map { String(output[$0]) } }
            if pattern.hasPrefix("corrupt") {
                return WireError(.invalidArgument, "the diff is malformed at line \(groups[0])", details: [.init(field: "input.diff", reason: "corrupt patch at line \(groups[0])")])
            }
            let line = groups.count > 1 ? " at line \(groups[1])" : ""
            return WireError(.invalidArgument, "the diff does not apply to \(groups[0])\(line); nothing was changed", details: [.init(field: groups[0], reason: output.split(separator: "\n").first.map(String.init) ?? "does not apply")])
        }
        return WireError(.invalidArgument, "the diff does not apply; nothing was changed", details: [.init(field: "input.diff", reason: output.trimmingCharacters(in: .whitespacesAndNewlines))])
    }
}
