import Foundation
import Shared

/// Git run as a real subprocess in a scratch or workspace directory, with a fixed identity and
/// configuration so that its output (diffs, commits) is the same on every machine.
struct GitWorkspace: Sendable {
    /// The directory.
    let path: String
    /// Per-command time limit.
    var timeout: Duration = .seconds(60)

    /// Runs `git <arguments>`; a non-zero exit is FAILED_PRECONDITION with git's message.
    @discardableResult
    func git(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner.run("git", Self.fixedConfig + arguments, in: path, environment: ProcessRunner.environment([
            "GIT_AUTHOR_NAME": "Meta-Builder", "GIT_AUTHOR_EMAIL": "meta-builder@localhost",
            "GIT_COMMITTER_NAME": "Meta-Builder", "GIT_COMMITTER_EMAIL": "meta-builder@localhost",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        ]), timeout: timeout)
        guard result.succeeded else {
            throw GitError(command: arguments.first ?? "git", output: result.timedOut ? "timed out" : result.tail(20))
        }
        return result.output
    }

    private static let fixedConfig = ["-c", "core.autocrlf=false", "-c", "diff.algorithm=myers", "-c", "init.defaultBranch=main", "-c", "core.quotepath=off", "-c", "color.ui=false"]

    /// A new empty repository in a fresh temporary directory.
    static func scratch() async throws -> GitWorkspace {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-\(UUID().lowercaseText)").path
        try await FileSystemLane.run { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let workspace = GitWorkspace(path: path)
        try await workspace.git(["init", "--quiet"])
        return workspace
    }

    /// Writes files (path → content) under the workspace, on the `FileSystemLane`.
    func write(_ files: [String: String]) async throws {
        let root = URL(fileURLWithPath: path)
        try await FileSystemLane.run {
            for (relative, content) in files {
                let url = root.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            }
        }
    }

    /// Removes the directory and everything in it, on the `FileSystemLane`.
    func remove() async {
        let path = self.path
        await FileSystemLane.run { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A git command that failed.
struct GitError: Error, CustomStringConvertible, WireErrorConvertible {
    let command: String
    let output: String

    var description: String { "git \(command) failed: \(output)" }
    var wireError: WireError { WireError(.failedPrecondition, description) }
}
