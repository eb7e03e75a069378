import Foundation
import Shared

/// How the generated code the agent-service runs (migrate, seed, compile, pytest, the app under
/// QA's probes) is confined. Codegen and the Auto-Fixer may be model-written, so that code is
/// treated as hostile.
///
/// With `bubblewrap` each command runs under `prlimit` and `bwrap`: its own PID, IPC and UTS
/// namespaces (it sees no other process, so no other process's environment, and everything it
/// started dies with it), every capability dropped, a read-only view of only the system
/// directories (`/usr`, a few files of `/etc`) and the virtualenv on a read-only root, a fresh
/// `/tmp`, and only its workspace writable besides; limits on address space, file size, open files and CPU time. It shares
/// the host's loopback network: the preview database and QA's probes reach it there, and the
/// mesh's other endpoints need secrets it is never given. `none` runs commands as they are, for a
/// deployment whose container is the boundary.
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
    /// with `readOnly` directories visible too (the virtualenv).
    func command(_ executable: String, _ arguments: [String], workspace: String, readOnly: [String]) -> (executable: String, arguments: [String]) {
        switch self {
        case .none:
            return (executable, arguments)
        case .bubblewrap:
            var bwrap = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                         "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
            for link in Self.usrLinks { bwrap += ["--symlink", "usr/\(link)", "/\(link)"] }
            for file in Self.systemFiles { bwrap += ["--ro-bind-try", file, file] }
            bwrap += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
            for directory in readOnly { bwrap += ["--ro-bind", directory, directory] }
            bwrap += ["--bind", workspace, workspace, "--remount-ro", "/", "--chdir", workspace, "--", executable] + arguments
            let limits = ["--as=\(Limit.addressSpaceBytes)", "--fsize=\(Limit.fileSizeBytes)", "--nofile=\(Limit.openFiles)", "--cpu=\(Limit.cpuSeconds)", "--core=0"]
            return ("/usr/bin/prlimit", limits + ["/usr/bin/bwrap"] + bwrap)
        }
    }

    /// Whether the tools this isolation needs are installed (`bwrap`, `prlimit`).
    var isAvailable: Bool {
        switch self {
        case .none: true
        case .bubblewrap: ["/usr/bin/bwrap", "/usr/bin/prlimit"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
        }
    }
}
