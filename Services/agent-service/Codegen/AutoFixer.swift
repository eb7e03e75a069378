import Foundation
import Shared

/// What the Auto-Fixer receives.
struct FixerInput: Codable, Sendable {
    var plan: ScaffoldPlan
    /// The failing report.
    var report: EvalReport
    /// The iteration's workspace the report was made on:
    /// `<workspace root>/<report.run_id>/<report.iteration>`, nothing else.
    var workspace: String
}

/// What the Auto-Fixer returns.
struct FixerOutput: Codable, Sendable, Equatable {
    /// A diff over the workspace touching only the failing files.
    var diff: String
    /// The files it changes.
    var files: [String]
}

/// Repairs known failure classes by re-deriving the implicated files from the plan: every file
/// the report names that the plan generates and whose content drifted from what the plan says is
/// written anew. The diff touches those files and nothing else.
struct AutoFixer: Sendable {
    let renderer: ScaffoldRenderer
    /// The per-run workspaces the input's workspace must belong to.
    let workspaces: ScaffoldWorkspace

    /// Produces the fix, or FAILED_PRECONDITION when no implicated file can be re-derived.
    func fix(_ input: FixerInput) async throws -> FixerOutput {
        guard !input.report.passed else {
            throw WireError.invalidArgument(field: "input.report", "the report has no failure to fix")
        }
        try ScaffoldWorkspace.checkRun(input.report.runID, field: "input.report.run_id")
        guard input.report.iteration >= 1 else { throw WireError.invalidArgument(field: "input.report.iteration", "must be at least 1") }
        let workspace = try await workspaces.resolve(input.workspace, run: input.report.runID, iteration: input.report.iteration, field: "input.workspace")
        guard await FileSystemLane.run({ FileManager.default.fileExists(atPath: workspace + "/.git") }) else {
            throw WireError.invalidArgument(field: "input.workspace", "is not a scaffold workspace")
        }
        let expected = try renderer.render(input.plan)
        let candidates = input.report.failingFiles.compactMap { path in expected[path].map { (path, $0) } }
        let repaired = await FileSystemLane.run {
            var repaired: [String: String] = [:]
            for (path, content) in candidates where (try? String(contentsOfFile: workspace + "/" + path, encoding: .utf8)) != content {
                repaired[path] = content
            }
            return repaired
        }
        guard !repaired.isEmpty else {
            throw WireError(.failedPrecondition, "no failing file differs from what the plan generates: the failures are not of a class the fixer repairs (\(input.report.failingFiles.joined(separator: ", ")))")
        }
        let diff = try await CodegenEngineer.diff(repaired, over: workspace)
        return FixerOutput(diff: diff, files: repaired.keys.sorted())
    }

    /// Holds a model-written fix to the fixer's contract: its diff and its `files` touch at least
    /// one file and only the report's failing files; INVALID_ARGUMENT naming `output.diff` or
    /// `output.files` otherwise.
    static func checkModelFix(_ output: FixerOutput, for input: FixerInput) throws {
        let allowed = Set(input.report.failingFiles)
        let failing = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
        let touched = try DiffPaths.touched(by: output.diff, field: "output.diff")
        guard !touched.isEmpty else { throw WireError.invalidArgument(field: "output.diff", "changes no file") }
        let outside = touched.subtracting(allowed)
        guard outside.isEmpty else {
            throw WireError.invalidArgument(field: "output.diff", "touches \(outside.sorted().joined(separator: ", ")), outside the report's failing files (\(failing))")
        }
        let listed = Set(output.files).subtracting(allowed)
        guard listed.isEmpty else {
            throw WireError.invalidArgument(field: "output.files", "names \(listed.sorted().joined(separator: ", ")), outside the report's failing files (\(failing))")
        }
    }
}
