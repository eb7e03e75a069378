import Foundation
import Shared

/// A cap on the processes (and threads) one confined command may run at once: a control group
/// of the kernel's `pids` controller made for the command, which the command joins before it
/// starts, so a fork bomb stops at the cap while the rest of the machine forks as before.
/// (`RLIMIT_NPROC` cannot do this here: it counts every process of the user, and the services
/// run as root.) The group is removed when the command has ended.
struct ProcessCountLimit: Sendable {
    /// Tasks (processes and threads) a command may have at once.
    static let maximumTasks = 512

    /// The `pids` hierarchy: cgroup v1's own mount, else the unified v2 hierarchy.
    static let roots = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"]

    /// The group's directory.
    let directory: String

    /// Finds (and makes) the parent of every command's group under the first `pids` hierarchy
    /// that can hold one; nil when none can (no `pids` controller, or no right to make groups).
    /// Blocking: call at start-up.
    static func parentDirectory() -> String? {
        let files = FileManager.default
        for root in roots where files.fileExists(atPath: root + "/cgroup.procs") {
            let isUnified = files.fileExists(atPath: root + "/cgroup.controllers")
            guard isUnified ? ((try? String(contentsOfFile: root + "/cgroup.controllers", encoding: .utf8)) ?? "").contains("pids") : root.hasSuffix("/pids") else { continue }
            let parent = root + "/meta-builder-sandbox"
            guard (try? files.createDirectory(atPath: parent, withIntermediateDirectories: true)) != nil else { continue }
            // cgroup v2 hands a controller down only where the parent enables it.
            if isUnified { try? "+pids".write(toFile: parent + "/cgroup.subtree_control", atomically: false, encoding: .utf8) }
            let probe = parent + "/probe-" + UUID().uuidString.lowercased()
            guard (try? files.createDirectory(atPath: probe, withIntermediateDirectories: false)) != nil else { continue }
            let limited = files.fileExists(atPath: probe + "/pids.max")
            rmdir(probe)
            if limited { return parent }
        }
        return nil
    }

    /// Makes a group for one command under `parent` (on the file-system lane).
    static func make(in parent: String) async throws -> ProcessCountLimit {
        try await FileSystemLane.run {
            let directory = parent + "/" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            try String(maximumTasks).write(toFile: directory + "/pids.max", atomically: false, encoding: .utf8)
            return ProcessCountLimit(directory: directory)
        }
    }

    /// `command` prefixed so that it joins the group before anything of it runs.
    func wrap(_ command: (executable: String, arguments: [String])) -> (executable: String, arguments: [String]) {
        ("/bin/sh", ["-c", #"echo $$ > "$0" && exec "$@""#, directory + "/cgroup.procs", command.executable] + command.arguments)
    }

    /// Removes the group once its last task has gone (a few tries: the kernel releases a group
    /// shortly after its tasks are reaped).
    func remove() async {
        let directory = self.directory
        await FileSystemLane.run {
            for _ in 0..<50 {
                if rmdir(directory) == 0 || errno == ENOENT { return }
                usleep(20_000)
            }
        }
    }
}
