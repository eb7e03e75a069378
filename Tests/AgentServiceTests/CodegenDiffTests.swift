import Foundation
import Shared
import Testing
@testable import AgentService

/// Diffs made by real git, applied by real git, into per-iteration workspaces.
@Suite struct CodegenDiffTests {
    private let files = [
        "app/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n",
        "README.md": "# Demo\n\nRun it.\n",
        "migrations/0001_create_things.up.sql": "CREATE TABLE things (id uuid PRIMARY KEY);\n",
    ]

    private func workspaceRoot() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mb-ws-\(UUID().uuidString.prefix(8))").path
    }

    @Test func sameFilesGiveAByteIdenticalDiff() async throws {
        let first = try await CodegenEngineer.diff(files, over: nil)
        let second = try await CodegenEngineer.diff(files, over: nil)
        #expect(first == second)
        #expect(first.contains("diff --git a/app/__init__.py b/app/__init__.py"))
        #expect(first.contains("new file mode 100644"))
        #expect(first.contains("+CREATE TABLE things (id uuid PRIMARY KEY);"))
    }

    @Test func aDiffLargerThanTheCapturedOutputOfAProcessIsWhole() async throws {
        // 60 files of 8 KiB: well past the tail a subprocess's output is cut to.
        let large = Dictionary(uniqueKeysWithValues: (0..<60).map { index in
            (String(format: "app/module_%02d.py", index), String(repeating: "value_\(index) = \(index)\n", count: 600))
        })
        let diff = try await CodegenEngineer.diff(large, over: nil)
        #expect(diff.utf8.count > ProcessRunner.outputLimit)
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let applied = try await ScaffoldWorkspace(root: root).apply(diff, run: "run-large", iteration: 1, baseRepository: nil)
        for (path, content) in large {
            #expect(try String(contentsOfFile: "\(applied)/\(path)", encoding: .utf8) == content, "\(path)")
        }
    }

    @Test func diffAppliesToAnEmptyWorkspaceAndTheNextIterationBuildsOnIt() async throws {
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = ScaffoldWorkspace(root: root)
        let first = try await workspace.apply(try await CodegenEngineer.diff(files, over: nil), run: "run-1", iteration: 1, baseRepository: nil)
        #expect(try String(contentsOfFile: first + "/README.md", encoding: .utf8) == "# Demo\n\nRun it.\n")
        // Iteration 2 changes one file on top of iteration 1.
        var changed = files
        changed["README.md"] = "# Demo\n\nRun it with care.\n"
        let fix = try await CodegenEngineer.diff(["README.md": changed["README.md"]!], over: first)
        #expect(fix.contains("-Run it."))
        #expect(fix.contains("+Run it with care."))
        #expect(!fix.contains("app/__init__.py"))
        let second = try await workspace.apply(fix, run: "run-1", iteration: 2, baseRepository: nil)
        #expect(try String(contentsOfFile: second + "/README.md", encoding: .utf8) == changed["README.md"])
        #expect(FileManager.default.fileExists(atPath: second + "/app/__init__.py"))
        #expect(try String(contentsOfFile: first + "/README.md", encoding: .utf8) == files["README.md"], "iteration 1 is left as it was")
    }

    @Test func anIterationWhosePredecessorIsMissingIsAFailedPreconditionNotAFreshStart() async throws {
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = ScaffoldWorkspace(root: root)
        let diff = try await CodegenEngineer.diff(files, over: nil)
        // Nothing of run-5 exists yet: iteration 2 must not start from the (empty) base tree.
        let never = await #expect(throws: WireError.self) {
            try await workspace.apply(diff, run: "run-5", iteration: 2, baseRepository: nil)
        }
        #expect(never?.code == .failedPrecondition)
        #expect(never?.message.contains("iteration 1 of run 'run-5'") == true)
        #expect(!FileManager.default.fileExists(atPath: workspace.path(run: "run-5", iteration: 2)))
        // Iteration 1 exists, then is cleaned up before iteration 3 is asked for on top of 2.
        _ = try await workspace.apply(diff, run: "run-5", iteration: 1, baseRepository: nil)
        let fix = try await CodegenEngineer.diff(["README.md": "# Demo\n\nRun it again.\n"], over: workspace.path(run: "run-5", iteration: 1))
        _ = try await workspace.apply(fix, run: "run-5", iteration: 2, baseRepository: nil)
        try FileManager.default.removeItem(atPath: workspace.path(run: "run-5", iteration: 2))
        let cleaned = await #expect(throws: WireError.self) {
            try await workspace.apply(fix, run: "run-5", iteration: 3, baseRepository: nil)
        }
        #expect(cleaned?.code == .failedPrecondition)
        #expect(cleaned?.message.contains("iteration 2 of run 'run-5'") == true)
    }

    @Test func aHunkThatDoesNotApplyNamesTheFileAndChangesNothing() async throws {
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = ScaffoldWorkspace(root: root)
        let first = try await workspace.apply(try await CodegenEngineer.diff(files, over: nil), run: "run-2", iteration: 1, baseRepository: nil)
        let stale = """
            diff --git a/README.md b/README.md
            --- a/README.md
            +++ b/README.md
            @@ -1,3 +1,3 @@
             # Demo
             
            -Run it quickly.
            +Run it slowly.
            diff --git a/app/new.py b/app/new.py
            new file mode 100644
            --- /dev/null
            +++ b/app/new.py
            @@ -0,0 +1 @@
            +print("half")

            """
        let error = await #expect(throws: WireError.self) {
            try await workspace.apply(stale, run: "run-2", iteration: 2, baseRepository: nil)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.first?.field == "README.md")
        #expect(error?.message.contains("line 1") == true)
        let second = workspace.path(run: "run-2", iteration: 2)
        #expect(!FileManager.default.fileExists(atPath: second + "/app/new.py"), "nothing half-applied")
        #expect(FileManager.default.fileExists(atPath: first + "/README.md"))
    }

    @Test func garbageIsAMalformedDiff() async throws {
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = await #expect(throws: WireError.self) {
            try await ScaffoldWorkspace(root: root).apply("diff --git a/x b/x\n@@ nonsense @@\n+1\n", run: "run-3", iteration: 1, baseRepository: nil)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.first?.field != nil)
    }

    @Test func pathsOutsideTheRepositoryAreRefused() async throws {
        let error = await #expect(throws: WireError.self) {
            try await CodegenEngineer.diff(["../escape.txt": "x"], over: nil)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func diffOverAnExistingRepositoryOnlyAddsAndChanges() async throws {
        let base = try await GitWorkspace.scratch()
        try await base.write(["README.md": "# Existing project\n", "src/keep.py": "print('keep')\n"])
        try await base.git(["add", "--all"])
        try await base.git(["commit", "--quiet", "-m", "base"])
        let diff = try await CodegenEngineer.diff(["README.md": "# Existing project\n\nNow with a scaffold.\n", "app/__init__.py": "x = 1\n"], over: base.path)
        #expect(diff.contains("+Now with a scaffold."))
        #expect(diff.contains("new file mode 100644"))
        #expect(!diff.contains("src/keep.py"))
        let root = workspaceRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let applied = try await ScaffoldWorkspace(root: root).apply(diff, run: "run-4", iteration: 1, baseRepository: base.path)
        #expect(FileManager.default.fileExists(atPath: applied + "/src/keep.py"))
        #expect(try String(contentsOfFile: applied + "/app/__init__.py", encoding: .utf8) == "x = 1\n")
        await base.remove()
    }
}
