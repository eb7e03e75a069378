import Foundation
import Logging
import Shared

/// What the QA Evaluator receives.
struct QAInput: Codable, Sendable {
    var runID: String
    var iteration: Int
    var plan: ScaffoldPlan
    /// DevOps's workspace of this iteration: `<workspace root>/<run_id>/<iteration>`, nothing else.
    var workspace: String
    /// Time left for the whole evaluation (default 600).
    var timeoutSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case iteration, plan, workspace
        case runID = "run_id"
        case timeoutSeconds = "timeout_seconds"
    }
}

/// Evaluates one iteration for real: compiles the code, runs the scaffold's pytest suite against
/// the run's preview schema, a smoke flow against the app started in its sandbox (on a Unix
/// socket of its own; unconfined, on a free loopback port), the golden tasks derived from the
/// acceptance criteria, and rollback verification (migrations down leave the schema empty,
/// then up works again). Bounded by the time left: a hung step is killed, a hung test fails on
/// its own (pytest-timeout), and the report keeps what finished. A failing evaluation during
/// which the database restarted is UNAVAILABLE (retried), not a verdict on the code.
struct QAEvaluator: Sendable {
    let sandbox: SandboxConfig
    let previewKey: PreviewKey
    /// Calls into the generated app: an `HTTPClient.external` client (no mesh token or headers).
    let http: HTTPClient
    let logger: Logger

    /// Runs every check and scores them. When the time runs out the report still comes back:
    /// the finished checks as they ended, a check cut off at the limit failed (with the files its
    /// output implicates), and the checks never started failed as not run.
    func evaluate(_ input: QAInput) async throws -> EvalReport {
        let databaseURL = try sandbox.requirePreviewDatabase()
        try ScaffoldWorkspace.checkRun(input.runID, field: "input.run_id")
        guard input.iteration >= 1 else { throw WireError.invalidArgument(field: "input.iteration", "must be at least 1") }
        let workspace = try await ScaffoldWorkspace(root: sandbox.workspaceRoot).resolve(input.workspace, run: input.runID, iteration: input.iteration, field: "input.workspace")
        guard await FileSystemLane.run({ FileManager.default.fileExists(atPath: workspace + "/app/__init__.py") }) else {
            throw WireError.invalidArgument(field: "input.workspace", "is not a prepared scaffold workspace")
        }
        let deadline = Deadline.after(.seconds(input.timeoutSeconds ?? 600)).earliest(RequestScope.current?.deadline)
        return try await PreviewDatabase.connect(url: databaseURL, name: "agent-service-qa", logger: logger) { database in
            try await database.unlessRestarted(failed: { !$0.passed }) {
                try await runChecks(input, workspace: workspace, databaseURL: databaseURL, database: database, deadline: deadline)
            }
        }
    }

    /// The checks of one evaluation in order, sharing one preview-database connection.
    private func runChecks(_ input: QAInput, workspace: String, databaseURL: String, database: PreviewDatabase, deadline: Deadline) async throws -> EvalReport {
        let preview = PreviewEnvironment.make(run: input.runID, previewKey: previewKey)
        let environment = preview.variables(databaseURL: databaseURL, sandbox: sandbox)
        /// Runs the venv's python, bounded by the time left; nil once there is none.
        func python(_ arguments: [String], cap: Duration) async throws -> ProcessResult? {
            guard !deadline.isExpired else { return nil }
            return try await sandbox.runPython(arguments, in: workspace, environment: environment, timeout: min(cap, deadline.remaining))
        }
        var checks: [EvaluationStep] = []
        var tests = (passed: 0, failed: 0)
        if let compiled = try await python(["-m", "compileall", "-q", "app", "tests"], cap: .seconds(60)) {
            checks.append(EvaluationStep(name: "compile", result: compiled, files: MigrationFailure.matches(#"(?:app|tests)/[A-Za-z0-9_/]+\.py"#, in: compiled.output)))
        } else {
            checks.append(.notRun("compile"))
        }
        let perTest = Self.perTestTimeout(remaining: deadline.remaining)
        if let pytest = try await python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no", "--timeout=\(perTest)", "--timeout-method=signal"], cap: .seconds(300)) {
            tests = Self.counts(pytest.output)
            checks.append(EvaluationStep(name: "pytest", result: pytest, files: await implicatedFiles(pytest.output, plan: input.plan, workspace: workspace)))
        } else {
            checks.append(.notRun("pytest"))
        }
        if deadline.isExpired {
            checks += [.notRun("smoke")] + input.plan.spec.acceptanceCriteria.map { .notRun("golden:\($0.id)") }
        } else {
            checks += try await serveAndProbe(input: input, workspace: workspace, environment: environment, preview: preview, database: database, deadline: deadline)
        }
        for (name, arguments) in [("rollback:down", ["-m", "app.migrate", "down"]), ("rollback:up", ["-m", "app.migrate", "up"])] {
            guard let result = try await python(arguments, cap: .seconds(120)) else {
                checks.append(.notRun(name))
                continue
            }
            var step = EvaluationStep(name: name, result: result, files: await MigrationFailure.files(in: result.output, workspace: workspace))
            if name == "rollback:down", result.succeeded {
                do {
                    let left = try await database.leftovers(in: preview.schema, deadline: deadline)
                    if !left.isEmpty {
                        step = EvaluationStep(name: name, passed: false, duration: result.duration, output: "left behind after down: \(left.joined(separator: ", "))", files: await downMigrations(in: workspace))
                    }
                } catch {
                    step = EvaluationStep(name: name, passed: false, duration: result.duration, output: "the schema could not be inspected after down: \(error)")
                }
            }
            checks.append(step)
            if !step.passed { break }
        }
        return EvalReport(
            runID: input.runID, iteration: input.iteration, checks: checks, testsPassed: tests.passed, testsFailed: tests.failed,
            sandbox: SandboxEvidence(sandbox)
        )
    }

    /// pytest-timeout's per-test limit: a third of the time left (so a hung test leaves time for
    /// the other checks), between 1 and 60 seconds.
    static func perTestTimeout(remaining: Duration) -> Int {
        min(60, max(1, Int(remaining.components.seconds) / 3))
    }

    /// Starts the app, runs the smoke flow and the golden tasks, stops the app.
    private func serveAndProbe(input: QAInput, workspace: String, environment: [String: String], preview: PreviewEnvironment, database: PreviewDatabase, deadline: Deadline) async throws -> [EvaluationStep] {
        let listener = try await AppListener.make(for: sandbox)
        let server: (server: BackgroundProcess, limit: ProcessCountLimit?)
        do {
            server = try await sandbox.startPython(["-m", "app"] + listener.arguments, in: workspace, writable: listener.writable, environment: environment, timeout: min(.seconds(300), deadline.remaining))
        } catch {
            await listener.remove()
            throw error
        }
        let client = ScaffoldClient(http: http, baseURL: listener.baseURL, plan: input.plan, jwtSecret: preview.jwtSecret, deadline: deadline, unixSocketPath: listener.socketPath)
        let started = ContinuousClock.now
        var steps: [EvaluationStep] = []
        do {
            let detail = try await smoke(client, appRunning: { !server.server.hasEnded })
            steps.append(EvaluationStep(name: "smoke", passed: true, duration: .now - started, output: detail))
            steps += await GoldenTasks(client: client, preview: database, schema: preview.schema).run(input.plan.spec.acceptanceCriteria)
        } catch {
            let output = await sandbox.stopPython(server)
            await listener.remove()
            let entity = input.plan.spec.entities.first.map { ["app/resources/\($0.plural).py", "app/__init__.py"] } ?? []
            let smoke = EvaluationStep(name: "smoke", passed: false, duration: .now - started, output: "\(error)\n\(output.tail(20))", files: entity)
            return [smoke] + (deadline.isExpired ? input.plan.spec.acceptanceCriteria.map { .notRun("golden:\($0.id)") } : [])
        }
        _ = await sandbox.stopPython(server)
        await listener.remove()
        return steps
    }

    /// Health, then create, read and list one entity over HTTP. Waiting for health ends at
    /// once when the app has exited.
    private func smoke(_ client: ScaffoldClient, appRunning: () -> Bool) async throws -> String {
        var healthy = false
        for _ in 0..<300 where !healthy && !client.deadline.isExpired && appRunning() {
            healthy = (try? await client.send("GET", "/health", token: nil).status) == 200
            if !healthy { try await Task.sleep(for: min(.milliseconds(100), client.deadline.remaining)) }
        }
        guard healthy else {
            if !appRunning() { throw ScaffoldProbeFailure("the app exited before it answered /health") }
            throw ScaffoldProbeFailure(client.deadline.isExpired ? "the evaluation's time limit was reached before the app answered /health" : "the app did not answer /health within 30 s")
        }
        guard let entity = client.plan.spec.entities.first(where: { client.role(allowing: .create, on: $0.name) != nil }),
              let role = client.role(allowing: .create, on: entity.name)
        else { return "healthy (no role may create anything)" }
        let user = try await client.user("smoke", role: role, tenant: UUID(), creating: entity)
        let token = client.token(for: user)
        let id = try await client.create(entity, as: user)
        let (readStatus, item) = try await client.send("GET", "/api/\(entity.plural)/\(id)", token: token)
        guard readStatus == 200, item["id"]?.stringValue == id else { throw ScaffoldProbeFailure("GET /api/\(entity.plural)/\(id) answered \(readStatus)") }
        let (listStatus, list) = try await client.send("GET", "/api/\(entity.plural)", token: token)
        guard listStatus == 200, case .array(let items)? = list["items"], items.contains(where: { $0["id"]?.stringValue == id }) else {
            throw ScaffoldProbeFailure("GET /api/\(entity.plural) answered \(listStatus) without the created row")
        }
        return "health, create, read and list of \(entity.name) as \(role)"
    }

    /// `N passed`, `M failed` (+ errors) from pytest's summary line.
    static func counts(_ output: String) -> (passed: Int, failed: Int) {
        func number(_ word: String) -> Int {
            MigrationFailure.matches("([0-9]+) \(word)", in: output, group: 1).last.flatMap(Int.init) ?? 0
        }
        return (number("passed"), number("failed") + number("errors?"))
    }

    /// The scaffold files a pytest failure implicates: migrations named in errors, and for each
    /// failing `tests/test_<plural>.py` that entity's resource module and table migration.
    private func implicatedFiles(_ output: String, plan: ScaffoldPlan, workspace: String) async -> [String] {
        var files = Set(await MigrationFailure.files(in: output, workspace: workspace))
        let failingTests = Set(MigrationFailure.matches(#"(?:FAILED|ERROR) tests/test_([a-z0-9_]+)\.py"#, in: output, group: 1))
        for entity in plan.spec.entities where failingTests.contains(entity.plural) {
            files.insert("app/resources/\(entity.plural).py")
            if let migration = plan.migrations.first(where: { $0.name == "create_\(entity.plural)" }) {
                files.insert("migrations/" + String(format: "%04d_%@", migration.version, migration.name) + ".up.sql")
            }
        }
        return files.sorted()
    }

    private func downMigrations(in workspace: String) async -> [String] {
        await FileSystemLane.run {
            ((try? FileManager.default.contentsOfDirectory(atPath: workspace + "/migrations")) ?? []).filter { $0.hasSuffix(".down.sql") }.map { "migrations/\($0)" }.sorted()
        }
    }
}
