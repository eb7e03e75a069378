import Foundation
import Shared

/// Where and how the agent-service applies and evaluates generated scaffolds.
struct SandboxConfig: Sendable {
    /// `META_BUILDER_WORKSPACE_ROOT`: per-run, per-iteration working trees (default: a folder in the temp directory).
    var workspaceRoot: String
    /// `META_BUILDER_REPOSITORIES_ROOT`: the only directory base repositories may be cloned from (default: none, so no base repository is accepted).
    var repositoriesRoot: String?
    /// `META_BUILDER_PREVIEW_DATABASE_URL`: a database whose role may create schemas; one preview schema per run. Secret (password).
    var previewDatabaseURL: String?
    /// `META_BUILDER_VENV`: the project-level Python virtualenv with the scaffold's requirements (installed by scripts/install-deps).
    var virtualenv: String
    /// `META_BUILDER_KEEP_FAILED_WORKSPACES`: keep workspaces and preview schemas of failed runs for debugging (default false).
    var keepFailedWorkspaces: Bool
    /// `META_BUILDER_SANDBOX`: how generated code is confined, `bubblewrap` (default) or `none`.
    var isolation: SandboxIsolation
    /// `META_BUILDER_PREVIEW_DATABASE_SOCKET`: the directory of the preview database's Unix
    /// socket, the only way a confined command (which has no network) reaches it. Required with
    /// `bubblewrap` and a preview database.
    var databaseSocket: String?
    /// Whom confined commands run as: `nobody` when the service is root (`SandboxUser`).
    var user: SandboxUser?
    /// The Python installation the virtualenv was made from, when it is outside `/usr` (a pyenv
    /// version): the sandbox shows it read-only. Resolved once, at start.
    var pythonInstallation: String?
    /// Where each confined command gets its process-count group (`ProcessCountLimit`); nil
    /// without isolation. Resolved once, at start.
    var processGroups: String?

    /// Reads the settings.
    init(reader: ConfigReader = ConfigReader()) throws {
        workspaceRoot = reader.string("META_BUILDER_WORKSPACE_ROOT") ?? FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-workspaces").path
        repositoriesRoot = reader.string("META_BUILDER_REPOSITORIES_ROOT")
        previewDatabaseURL = reader.string("META_BUILDER_PREVIEW_DATABASE_URL")
        virtualenv = reader.string("META_BUILDER_VENV") ?? FileManager.default.currentDirectoryPath + "/.local/venv"
        keepFailedWorkspaces = try reader.bool("META_BUILDER_KEEP_FAILED_WORKSPACES", default: false)
        let isolationName = reader.string("META_BUILDER_SANDBOX") ?? SandboxIsolation.bubblewrap.rawValue
        guard let isolation = SandboxIsolation(rawValue: isolationName) else {
            throw ConfigError(key: "META_BUILDER_SANDBOX", reason: "must be one of \(SandboxIsolation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard isolation.isAvailable else {
            throw ConfigError(key: "META_BUILDER_SANDBOX", reason: "is \(isolation.rawValue) but /usr/bin/bwrap, /usr/bin/prlimit or /usr/bin/setpriv is missing (install bubblewrap and util-linux, or set none where the container is the boundary)")
        }
        self.isolation = isolation
        databaseSocket = reader.string("META_BUILDER_PREVIEW_DATABASE_SOCKET")
        if isolation == .bubblewrap {
            if previewDatabaseURL != nil, databaseSocket == nil {
                throw ConfigError(key: "META_BUILDER_PREVIEW_DATABASE_SOCKET", reason: "is required with META_BUILDER_SANDBOX=bubblewrap: generated code has no network and reaches its preview database through the Unix socket in this directory")
            }
            user = SandboxUser.forThisProcess
            guard let groups = ProcessCountLimit.parentDirectory() else {
                throw ConfigError(key: "META_BUILDER_SANDBOX", reason: "is bubblewrap but no cgroup 'pids' hierarchy can hold a group per command (needs a writable /sys/fs/cgroup/pids or a cgroup v2 tree with the pids controller)")
            }
            processGroups = groups
        }
        let interpreter = URL(fileURLWithPath: virtualenv + "/bin/python").resolvingSymlinksInPath()
        let installation = interpreter.deletingLastPathComponent().deletingLastPathComponent().path
        pythonInstallation = installation == "/usr" || installation.hasPrefix("/usr/") ? nil : installation
    }

    /// The virtualenv's python.
    var python: String { virtualenv + "/bin/python" }

    /// The program and arguments that run the virtualenv's python with `arguments` on the
    /// generated code in `workspace`, confined as `isolation` says: the virtualenv, the Python
    /// installation it was made from (e.g. a pyenv version outside `/usr`) and the database's
    /// socket directory are visible read-only, `writable` directories writable.
    func python(_ arguments: [String], in workspace: String, writable: [String] = []) -> (executable: String, arguments: [String]) {
        isolation.command(python, arguments, workspace: workspace, readOnly: [virtualenv] + [pythonInstallation, databaseSocket].compactMap { $0 }, writable: writable, user: user)
    }

    /// The socket directory confined commands reach the preview database through (their only
    /// way there without a network); nil when they reach it as configured.
    var confinedDatabaseSocket: String? { isolation == .bubblewrap ? databaseSocket : nil }

    /// Runs the virtualenv's python with `arguments` on the generated code in `workspace`,
    /// confined (see `python(_:in:)`) and in a process-count group of its own, removed afterwards.
    func runPython(_ arguments: [String], in workspace: String, environment: [String: String], timeout: Duration) async throws -> ProcessResult {
        try await admit(to: workspace)
        let limit = try await processLimit()
        let command = limit.map { $0.wrap(python(arguments, in: workspace)) } ?? python(arguments, in: workspace)
        do {
            let result = try await ProcessRunner.run(command.executable, command.arguments, in: workspace, environment: environment, timeout: timeout)
            await limit?.remove()
            return result
        } catch {
            await limit?.remove()
            throw error
        }
    }

    /// Starts the virtualenv's python with `arguments` as a server, confined like `runPython`;
    /// `stopPython` stops it and removes its group.
    func startPython(_ arguments: [String], in workspace: String, writable: [String] = [], environment: [String: String], timeout: Duration) async throws -> (server: BackgroundProcess, limit: ProcessCountLimit?) {
        try await admit(to: workspace)
        let limit = try await processLimit()
        let confined = python(arguments, in: workspace, writable: writable)
        let command = limit.map { $0.wrap(confined) } ?? confined
        do {
            return (try BackgroundProcess(command.executable, command.arguments, in: workspace, environment: environment, timeout: timeout), limit)
        } catch {
            await limit?.remove()
            throw error
        }
    }

    /// Lets the sandbox's user write `workspace` (see `SandboxUser.admit(to:)`).
    private func admit(to workspace: String) async throws {
        guard isolation == .bubblewrap, let user else { return }
        try await user.admit(to: workspace)
    }

    /// A process-count group for one command; nil without isolation.
    private func processLimit() async throws -> ProcessCountLimit? {
        guard let processGroups else { return nil }
        return try await ProcessCountLimit.make(in: processGroups)
    }

    /// Stops a server `startPython` started and removes its process-count group.
    func stopPython(_ started: (server: BackgroundProcess, limit: ProcessCountLimit?)) async -> ProcessResult {
        let result = await started.server.stop()
        await started.limit?.remove()
        return result
    }

    /// The preview database URL, or FAILED_PRECONDITION when the deployment has none.
    func requirePreviewDatabase() throws -> String {
        guard let previewDatabaseURL else {
            throw WireError(.failedPrecondition, "META_BUILDER_PREVIEW_DATABASE_URL is not configured: the DevOps and QA agents need a preview database")
        }
        return previewDatabaseURL
    }
}
