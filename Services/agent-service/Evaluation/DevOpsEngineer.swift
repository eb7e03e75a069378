import Foundation
import Logging
import Shared

/// What the DevOps agent receives.
struct DevOpsInput: Codable, Sendable {
    var runID: String
    var iteration: Int
    /// The diff of this iteration (Codegen's or the Auto-Fixer's).
    var diff: String
    /// A git repository under the repositories root as the base tree of iteration 1 (nil: empty);
    /// see `BaseRepositories`.
    var baseRepository: String?

    enum CodingKeys: String, CodingKey {
        case iteration, diff
        case runID = "run_id"
        case baseRepository = "base_repository"
    }
}

/// What the DevOps agent returns.
struct DevOpsOutput: Codable, Sendable, Equatable {
    /// The iteration's working tree.
    var workspace: String
    /// The run's preview schema.
    var schema: String
    /// The steps: apply, schema, migrate up, seed.
    var steps: [EvaluationStep]
    /// True when every step passed.
    var ready: Bool
}

/// Applies a diff to the iteration's workspace (all or nothing), recreates the run's preview
/// schema and its two roles, and runs the scaffold's own migrations up (as the owner role) and
/// seed (as the app's role) there, with the project-level virtualenv and a minimal environment.
/// When they fail because the database restarted under them, the step is UNAVAILABLE (retried)
/// rather than failed.
struct DevOpsEngineer: Sendable {
    let sandbox: SandboxConfig
    let previewKey: PreviewKey
    /// Where `base_repository` may point.
    let repositories: BaseRepositories
    let logger: Logger

    /// Prepares the iteration.
    func prepare(_ input: DevOpsInput) async throws -> DevOpsOutput {
        guard input.iteration >= 1 else { throw WireError.invalidArgument(field: "input.iteration", "must be at least 1") }
        let databaseURL = try sandbox.requirePreviewDatabase()
        let base = try await repositories.resolve(input.baseRepository)
        let started = ContinuousClock.now
        let workspace = try await ScaffoldWorkspace(root: sandbox.workspaceRoot).apply(input.diff, run: input.runID, iteration: input.iteration, baseRepository: base)
        let applied = [EvaluationStep(name: "apply_diff", passed: true, duration: .now - started, output: "applied to \(workspace)")]
        let preview = PreviewEnvironment.make(run: input.runID, previewKey: previewKey)
        return try await PreviewDatabase.connect(url: databaseURL, name: "agent-service-devops", logger: logger) { database in
            try await database.unlessRestarted(failed: { !$0.ready }) {
                var steps = applied
                let schemaStarted = ContinuousClock.now
                try await database.recreate(preview)
                steps.append(EvaluationStep(name: "create_schema", passed: true, duration: .now - schemaStarted, output: "schema \(preview.schema) created, owned by \(preview.roles.owner); the app runs as \(preview.roles.app)"))
                let environment = preview.variables(databaseURL: databaseURL, sandbox: sandbox)
                for (name, module, arguments) in [("migrate_up", "app.migrate", ["up"]), ("seed", "app.seed", [String]())] {
                    let result = try await sandbox.runPython(["-m", module] + arguments, in: workspace, environment: environment, timeout: .seconds(120))
                    let blamed = await MigrationFailure.files(in: result.output, workspace: workspace)
                    steps.append(EvaluationStep(name: name, result: result, files: blamed.isEmpty && name == "seed" ? ["seed/seed.json"] : blamed))
                    if !result.succeeded { break }
                }
                return DevOpsOutput(workspace: workspace, schema: preview.schema, steps: steps, ready: steps.allSatisfy(\.passed))
            }
        }
    }
}
