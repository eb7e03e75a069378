import Foundation
import Logging
import MeshTestSupport
import Shared
import Synchronization
import Testing

/// The real mesh a run needs, as processes on loopback: the spec-service, the agent-service and
/// one or more run-services (the binaries `swift build` made), each against its own schema, with
/// real Postgres and Redis. Tests talk to it over HTTP with user tokens, as a platform would.
final class RunMesh: Sendable {
    let specPort: Int
    let agentPort: Int
    /// The run-services' ports, by index.
    let runPorts: [Int]
    /// Where the agent-service keeps the runs' workspaces.
    let workspaceRoot: String
    /// The run-services' artifact root (`META_BUILDER_ARTIFACT_ROOT`).
    let artifactRoot: String
    /// Where each process writes its log (`<name>.log`).
    let logDirectory: String
    /// The mesh's own directory (workspaces, logs), removed when it stops.
    private let scratch: String
    private let environment: [String: String]
    private let processes = Mutex<[String: Process]>([:])
    private let loop: CurlLoop
    private let http: HTTPClient

    static let jwtSecret = "run-mesh-tests-user-secret-0123456789abcdef"
    static let logger = Logger(label: "run-mesh") { _ in SwiftLogNoOpLogHandler() }

    private init(runServices: Int, agentPort: Int?, environment: [String: String]) throws {
        specPort = try LoopbackPort.free()
        self.agentPort = try agentPort ?? LoopbackPort.free()
        runPorts = try (0..<runServices).map { _ in try LoopbackPort.free() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-mesh-\(UUID().uuidString.prefix(8).lowercased())").path
        self.scratch = scratch
        workspaceRoot = scratch + "/workspaces"
        artifactRoot = scratch + "/artifacts"
        logDirectory = scratch + "/logs"
        try FileManager.default.createDirectory(atPath: workspaceRoot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        self.environment = environment
        // Enough connections for a test holding hundreds of event streams open at once.
        loop = CurlLoop(logger: Self.logger, maxConnectionsPerHost: 512)
        http = HTTPClient(loop: loop, authenticator: nil, logger: Self.logger, retryPolicy: .init(maxAttempts: 1))
    }

    /// Starts the mesh (`runServices` run-services, the agent-service on `agentPort` or a free
    /// port, `environment` added to every process), runs `body`, and stops every process
    /// whatever happens. The shared run queue is emptied first: what an earlier suite left in it
    /// (runs started without workers, runs a stopped mesh gave back) would otherwise be claimed
    /// by this mesh's workers before its own runs.
    static func with<T: Sendable>(runServices: Int = 1, agentPort: Int? = nil, environment: [String: String] = [:], _ body: (RunMesh) async throws -> T) async throws -> T {
        try await RunTestDatabase.withPool(poolSize: 1) { try await RunTestDatabase.emptyQueue($0) }
        let mesh = try RunMesh(runServices: runServices, agentPort: agentPort, environment: environment)
        defer { mesh.stopAll() }
        try await mesh.start("agent-service")
        try await mesh.start("spec-service")
        for index in mesh.runPorts.indices { try await mesh.startRunService(index) }
        return try await body(mesh)
    }

    // MARK: - Processes

    /// Starts (or restarts) run-service `index` and waits until it is ready.
    /// `environment` is added to the mesh's for this process only; with a `launcher`, the
    /// binary's path is appended to it and it is run instead (a command that execs the path, so
    /// the process is still the service's).
    func startRunService(_ index: Int, environment extra: [String: String] = [:], launcher: [String] = []) async throws {
        try await start("run-service", instance: index, environment: extra, launcher: launcher)
    }

    private func start(_ name: String, instance: Int = 0, environment extra: [String: String] = [:], launcher: [String] = []) async throws {
        let port = switch name {
        case "spec-service": specPort
        case "agent-service": agentPort
        default: runPorts[instance]
        }
        let process = Process()
        let binary = URL(fileURLWithPath: try RequiredEnvironment.value("META_BUILDER_BIN_DIR")).appendingPathComponent(name)
        if let command = launcher.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = Array(launcher.dropFirst()) + [binary.path]
        } else {
            process.executableURL = binary
        }
        process.environment = try environment(of: name, port: port).merging(extra) { $1 }
        let logName = name == "run-service" ? "run-service-\(instance)" : name
        let logPath = "\(logDirectory)/\(logName).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes.withLock { $0[logName] = process }
        var ready = false
        for _ in 0..<600 where !ready && process.isRunning {
            ready = (try? await SharedHTTP.status(of: "http://127.0.0.1:\(port)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        if !ready, !process.isRunning { process.waitUntilExit() }
        try #require(ready, "\(logName) did not become ready:\n\(logTail(logName))")
    }

    /// The environment the mesh gives the process `name` (`spec-service`, `agent-service`,
    /// `run-service`) listening on `port`: its database, Redis, peers, keys and the mesh's own
    /// additions.
    func environment(of name: String, port: Int) throws -> [String: String] {
        let key = switch name {
        case "spec-service": "SPEC"
        case "agent-service": "AGENT"
        default: "RUN"
        }
        var variables = try ServiceDatabase.environment(key).merging([
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "META_BUILDER_REDIS_URL": try RequiredEnvironment.value("META_BUILDER_REDIS_URL"),
            "META_BUILDER_JWT_SECRET": Self.jwtSecret,
            "META_BUILDER_PORT": String(port),
            "META_BUILDER_SPEC_URL": "http://127.0.0.1:\(specPort)",
            "META_BUILDER_AGENT_URL": "http://127.0.0.1:\(agentPort)",
            "META_BUILDER_OUTBOX_POLL_MS": "20",
            "META_BUILDER_RUN_POLL_MS": "50",
            "META_BUILDER_ARTIFACT_ROOT": artifactRoot,
            "META_BUILDER_LOG_LEVEL": "info",
        ]) { $1 }
        if name == "agent-service" {
            variables["META_BUILDER_PREVIEW_DATABASE_URL"] = try RequiredEnvironment.value("META_BUILDER_PREVIEW_DATABASE_URL")
            variables["META_BUILDER_PREVIEW_DATABASE_SOCKET"] = try RequiredEnvironment.value("META_BUILDER_PREVIEW_DATABASE_SOCKET")
            variables["META_BUILDER_VENV"] = try RequiredEnvironment.value("META_BUILDER_VENV")
            variables["META_BUILDER_WORKSPACE_ROOT"] = workspaceRoot
        }
        return variables.merging(MeshKeys.environment(for: name)) { $1 }.merging(environment) { $1 }
    }

    /// Sends `signal` to run-service `index` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
    func signal(runService index: Int, _ signal: Int32) {
        self.signal("run-service-\(index)", signal)
    }

    /// Sends `signal` to the process named `name` (`agent-service`, `spec-service`,
    /// `run-service-<index>`), and waits for it to exit after SIGKILL or SIGTERM.
    func signal(_ name: String, _ signal: Int32) {
        guard let process = processes.withLock({ $0[name] }) else { return }
        kill(process.processIdentifier, signal)
        if signal == SIGKILL || signal == SIGTERM { process.waitUntilExit() }
    }

    /// The process id of run-service `index`.
    func pid(runService index: Int) -> Int32? {
        pid("run-service-\(index)")
    }

    /// The process id of the process named `name` (`agent-service`, `spec-service`,
    /// `run-service-<index>`).
    func pid(_ name: String) -> Int32? {
        processes.withLock { $0[name]?.processIdentifier }
    }

    /// Whether run `id`'s sandbox (its workspaces) is gone within a few seconds: a run removes it
    /// right after it ends.
    func sandboxRemoved(_ id: String) async throws -> Bool {
        let path = "\(workspaceRoot)/\(id)"
        for _ in 0..<200 where FileManager.default.fileExists(atPath: path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        return !FileManager.default.fileExists(atPath: path)
    }

    /// The last lines of a process's log.
    func logTail(_ name: String, lines: Int = 60) -> String {
        let text = (try? String(contentsOfFile: "\(logDirectory)/\(name).log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func stopAll() {
        for process in processes.withLock({ Array($0.values) }) where process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.terminate()
            process.waitUntilExit()
        }
        loop.stop()
        if ProcessInfo.processInfo.environment["META_BUILDER_KEEP_MESH"] == nil { try? FileManager.default.removeItem(atPath: scratch) }
    }

    // MARK: - Calls

    /// A user token for a tenant and role.
    static func token(tenant: UUID, role: Role, user: String = "user-1") -> String {
        let jwt = JWT(secret: jwtSecret, issuer: "meta-builder", audience: "meta-builder")
        return jwt.sign(JWTClaims(sub: user, tid: tenant.lowercaseText, role: role.rawValue, exp: Date().timeIntervalSince1970 + 3600))
    }

    /// An answer: status, headers, body parsed as JSON (when it is).
    struct Answer: Sendable {
        let status: Int
        let headers: [(String, String)]
        let json: JSONValue?
        let text: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    /// Calls the mesh: `service` is `spec` or `run` (run-service `runService`).
    func call(_ method: String, _ path: String, on service: String = "run", runService: Int = 0, token: String?, body: String? = nil, headers: [(String, String)] = [], timeout: Duration = .seconds(30)) async throws -> Answer {
        let port = service == "spec" ? specPort : runPorts[runService]
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        if body != nil { all.append(("Content-Type", "application/json")) }
        let response = try await http.send(HTTPClientRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: all, body: body.map { Data($0.utf8) }), deadline: .after(timeout))
        let text = String(decoding: response.body, as: UTF8.self)
        return Answer(status: response.status, headers: response.headers, json: try? JSONDecoder().decode(JSONValue.self, from: response.body), text: text)
    }

    /// Creates a spec of `tenant` from a description; its id.
    func createSpec(token: String, title: String, description: String) async throws -> String {
        let body = String(decoding: try JSONEncoder().encode(["title": title, "mode": "freeform", "description": description]), as: UTF8.self)
        let answer = try await call("POST", "/api/meta/v2/specs", on: "spec", token: token, body: body)
        try #require(answer.status == 201, "creating a spec: \(answer.status) \(answer.text)")
        return try #require(answer.json?["id"]?.stringValue)
    }

    /// Starts a run; the answer.
    func startRun(spec: String, token: String, body: String = "{}", headers: [(String, String)] = [], runService: Int = 0, timeout: Duration = .seconds(60)) async throws -> Answer {
        try await call("POST", "/api/meta/v2/specs/\(spec)/runs", runService: runService, token: token, body: body, headers: headers, timeout: timeout)
    }

    /// Polls a run until `settled` holds for it (default: it ended or waits for approval); the
    /// run. Fails the test after `timeout`, with the run and the logs.
    func waitForRun(_ id: String, token: String, runService: Int = 0, timeout: Duration = .seconds(300), until settled: (JSONValue) -> Bool = RunMesh.isSettled) async throws -> JSONValue {
        let giveUp = ContinuousClock.now + timeout
        var last: JSONValue?
        while ContinuousClock.now < giveUp {
            let answer = try await call("GET", "/api/meta/v2/runs/\(id)", runService: runService, token: token)
            if answer.status == 200, let run = answer.json {
                last = run
                if settled(run) { return run }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("run \(id) did not settle in time; last seen: \(last.map { "\($0)" } ?? "nothing")\n\(logTail("run-service-\(runService)"))")
        throw Timeout()
    }

    /// The four services by name with their ports: the mesh's spec-, run- (instance 0) and
    /// agent-service, and an approval-service beside it on `approvalPort`.
    func services(approvalPort: Int) -> [(name: String, port: Int)] {
        [("spec-service", specPort), ("run-service", runPorts[0]), ("agent-service", agentPort), ("approval-service", approvalPort)]
    }

    /// Polls run-service 0's `meta_builder_run_event_streams` gauge every 50 ms until it reaches
    /// `count` or `timeout` passes; the streams open at the last look.
    func waitForEventStreams(_ count: Int, timeout: Duration) async throws -> Int {
        let giveUp = ContinuousClock.now + timeout
        var open = 0
        while open < count, ContinuousClock.now < giveUp {
            let metrics = try await call("GET", "/metrics", token: nil)
            open = metrics.text.split(separator: "\n").first { $0.hasPrefix("meta_builder_run_event_streams ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
            if open < count { try await Task.sleep(for: .milliseconds(50)) }
        }
        return open
    }

    /// The run ended or waits for a person (approval, a larger budget).
    static func isSettled(_ run: JSONValue) -> Bool {
        ["succeeded", "failed", "cancelled", "rejected", "awaiting_approval", "awaiting_budget"].contains(run["status"]?.stringValue ?? "")
    }

    struct Timeout: Error {}
}
