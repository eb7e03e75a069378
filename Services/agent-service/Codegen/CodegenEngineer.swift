import Foundation
import Shared

/// What Codegen receives.
struct CodegenInput: Codable, Sendable {
    /// The plan to realise.
    var plan: ScaffoldPlan
    /// A git repository under the repositories root whose `HEAD` is the base tree (nil: an empty
    /// tree); see `BaseRepositories`.
    var baseRepository: String?
    /// A documented fault to inject on purpose (see `InjectedFault`), to prove the fix loop.
    var fault: InjectedFault?

    enum CodingKeys: String, CodingKey {
        case plan, fault
        case baseRepository = "base_repository"
    }
}

/// What Codegen returns.
struct CodegenOutput: Codable, Sendable, Equatable {
    /// A unified diff over the base tree that `git apply` accepts.
    var diff: String
    /// The files the diff creates or changes, sorted.
    var files: [String]
    /// The fault injected, if any.
    var fault: InjectedFault?
}

/// Plan (+ base tree) → unified diff. The diff is computed by real git over a scratch copy of
/// the base tree, with fixed configuration, so the same input gives a byte-identical diff.
struct CodegenEngineer: Sendable {
    let renderer: ScaffoldRenderer
    /// Where `base_repository` may point.
    let repositories: BaseRepositories

    /// Generates the diff; a plan whose owner fields do not resolve is INVALID_ARGUMENT naming them.
    func generate(_ input: CodegenInput) async throws -> CodegenOutput {
        try input.plan.spec.validateOwnership(at: "input.plan.spec")
        var files = try renderer.render(input.plan)
        if let fault = input.fault { files = try fault.inject(into: files, plan: input.plan) }
        let base = try await repositories.resolve(input.baseRepository)
        let diff = try await Self.diff(files, over: base)
        return CodegenOutput(diff: diff, files: files.keys.sorted(), fault: input.fault)
    }

    /// Holds model-written code to the same rules as a model's fix: a well-formed diff of regular
    /// files inside the workspace (no symlinks, no `..`, nothing in `.git`) that changes something,
    /// and `files` naming only files the diff touches; INVALID_ARGUMENT naming the field otherwise.
    static func checkModelOutput(_ output: CodegenOutput, for input: CodegenInput) throws {
        let touched = try DiffPaths.touched(by: output.diff, field: "output.diff")
        guard !touched.isEmpty else { throw WireError.invalidArgument(field: "output.diff", "changes no file") }
        let unlisted = Set(output.files).subtracting(touched)
        guard unlisted.isEmpty else {
            throw WireError.invalidArgument(field: "output.files", "names \(unlisted.sorted().joined(separator: ", ")), which the diff does not touch")
        }
    }

    /// The unified diff that turns the base tree into the base tree with `files` written over it.
    static func diff(_ files: [String: String], over baseRepository: String?) async throws -> String {
        let scratch: GitWorkspace
        if let baseRepository {
            guard await FileSystemLane.run({ FileManager.default.fileExists(atPath: baseRepository + "/.git") }) else {
                throw WireError.invalidArgument(field: "input.base_repository", "is not a local git repository")
            }
            scratch = GitWorkspace(path: FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-\(UUID().lowercaseText)").path)
            try await GitWorkspace(path: FileManager.default.temporaryDirectory.path).git(["clone", "--quiet", "--no-hardlinks", baseRepository, scratch.path])
        } else {
            scratch = try await GitWorkspace.scratch()
        }
        do {
            for path in files.keys {
                guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                    throw WireError.invalidArgument(field: "files", "path '\(path)' leaves the repository")
                }
            }
            try await scratch.write(files)
            try await scratch.git(["add", "--all"])
            // Written to a file, not read from the pipe: a subprocess's captured output keeps only
            // its tail (`ProcessRunner.outputLimit`), and a diff is read whole, however large.
            let output = scratch.path + ".diff"
            try await scratch.git(["diff", "--cached", "--no-color", "--no-ext-diff", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", "--output=\(output)"])
            let diff = try await FileSystemLane.run {
                defer { try? FileManager.default.removeItem(atPath: output) }
                return String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)), as: UTF8.self)
            }
            await scratch.remove()
            return diff
        } catch {
            await scratch.remove()
            try? await FileSystemLane.run { try FileManager.default.removeItem(atPath: scratch.path + ".diff") }
            throw error
        }
    }
}
