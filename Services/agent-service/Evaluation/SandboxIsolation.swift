import Foundation
import Shared

/// How the generated code the agent-service runs (migrate, seed, compile, pytest, the app under
/// QA's probes) is confined. Codegen and the Auto-Fixer may be model-written, so that code is
/// treated as hostile.
///
/// With `bubblewrap` each command runs under `prlimit` and `bwrap`: its own PID, IPC, UTS and
/// network namespaces (it sees no other process, so no other process's environment, everything
/// it started dies with it, and it has no network: only a loopback of its own), every
/// capability dropped and, when the service runs as root, an unprivileged user (`SandboxUser`);
/// a read-only view of only the system directories (`/usr`, a few files of `/etc`), the
/// virtualenv and the preview database's Unix socket directory on a read-only root, a fresh
/// `/tmp`, and only its workspace (without its `.git`) writable besides, with what a caller names
/// (an app's socket directory); limits on address space, file size, open files and CPU time.
/// It reaches its preview database through the socket and is reached by QA's probes through a
/// socket of its own (`AppListener`). `none` runs commands as they are, for a deployment whose
/// container is the boundary.
enum SandboxIsolation: String, Sendable, CaseIterable {
    case bubblewrap
    case none

    /// The resource limits of a confined command.
    enum Limit {
        /// Address space: 4 GiB.
        static let addressSpaceBytes = 4 << 30
        /// Largest file it may write: 256 MiB.
        static let fileSizeBytes = 256 << 20
        /// Open files.
        static let openFiles = 1024
        /// CPU time, in seconds (wall time is the caller's timeout).
        static let cpuSeconds = 900
    }

    /// System files a Python program reads, bound read-only when they exist.
    static let systemFiles = ["/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/localtime", "/etc/ld.so.cache", "/etc/ssl"]
    /// The merged-`/usr` links of Debian 12.
    static let usrLinks = ["bin", "sbin", "lib", "lib64"]

    /// The program and arguments that run `executable` with `arguments` confined to `workspace`,
    /// with `readOnly` directories visible too (the virtualenv, the database's socket directory)
    /// and `writable` ones writable, as `user` when given.
    func command(_ executable: String, _ arguments: [String], workspace: String, readOnly: [String], writable: [String] = [], user: SandboxUser?) -> (executable: String, arguments: [String]) {
        switch self {
        case .none:
            return (executable, arguments)
        case .bubblewrap:
            // No --new-session: the runner already gave the command a session of its own (no
            // terminal), and staying in its process group lets a cancel kill the sandbox at once.
            var bwrap = ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
                         "--cap-drop", "ALL"]
            // setpriv needs these two to drop to the user; changing the uid clears them again.
            if user != nil { bwrap += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] }
            bwrap += ["--ro-bind", "/usr", "/usr"]
            for link in Self.usrLinks { bwrap += ["--symlink", "usr/\(link)", "/\(link)"] }
            for file in Self.systemFiles { bwrap += ["--ro-bind-try", file, file] }
            bwrap += ["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--tmpfs", "/tmp"]
            // bwrap makes a mount point's missing parents 0700, which only root could pass.
            for directory in Self.parents(of: readOnly + [workspace] + writable) { bwrap += ["--perms", "0755", "--dir", directory] }
            for directory in readOnly { bwrap += ["--ro-bind", directory, directory] }
            bwrap += ["--bind", workspace, workspace, "--ro-bind-try", workspace + "/.git", workspace + "/.git"]
            for directory in writable { bwrap += ["--bind", directory, directory] }
            bwrap += ["--remount-ro", "/", "--chdir", workspace, "--"] + (user?.prefix ?? []) + [executable] + arguments
            let limits = ["--as=\(Limit.addressSpaceBytes)", "--fsize=\(Limit.fileSizeBytes)", "--nofile=\(Limit.openFiles)", "--cpu=\(Limit.cpuSeconds)", "--core=0"]
            return ("/usr/bin/prlimit", limits + ["/usr/bin/bwrap"] + bwrap)
        }
    }

    /// The directories above `mountPoints` the sandbox must make itself (not `/`, nor `/usr`,
    /// `/tmp`, `/proc` or `/dev`, which it mounts, nor anything in the three read-only ones),
    /// parents first.
    static func parents(of mountPoints: [String]) -> [String] {
        var parents: Set<String> = []
        for path in mountPoints {
            var components = path.split(separator: "/").map(String.init)
            components.removeLast()
            for depth in components.indices {
                let parent = "/" + components[...depth].joined(separator: "/")
                guard !["/usr", "/tmp", "/proc", "/dev"].contains(parent), !["/usr/", "/proc/", "/dev/"].contains(where: parent.hasPrefix) else { continue }
                parents.insert(parent)
            }
        }
        return parents.sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
    }

    /// Whether the tools this isolation needs are installed (`bwrap`, `prlimit`, `setpriv`).
    var isAvailable: Bool {
        switch self {
        case .none: true
        case .bubblewrap: ["/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
        }
    }
}
