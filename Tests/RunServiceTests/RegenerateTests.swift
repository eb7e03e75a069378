import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Regeneration as a merge on the real mesh: a run's branch is edited by its user, the spec
    /// is revised (a new spec), and regenerating merges the new generation three-way with the
    /// edits — those that do not overlap survive untouched, overlapping ones are marked
    /// conflicts — onto a new branch in the same repository, with what each side changed in the
    /// pull request and the manifest.
    @Suite(.serialized) struct RegenerateTests {
        typealias Helpers = ArtifactTests
        static let api = "/api/meta/v2"
        static let revised = RunLoopTests.helpdesk + " Tickets also have a due date and an assignee name."

        @Test func userEditsSurviveARegenerationAndOverlapsBecomeMarkedConflicts() async throws {
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                let first = try await mesh.waitForRun(try #require(try await mesh.startRun(spec: spec, token: owner).json?["id"]?.stringValue), token: owner)
                try #require(first["status"]?.stringValue == "succeeded", "\(first)")
                let firstID = try #require(first["id"]?.stringValue)
                let repository = try #require(first[path: "branch", "repository"]?.stringValue)
                let branch = "meta-builder/run-\(firstID)"

                // Refused before anything starts: other roles, another tenant, a run without a branch, bad bodies.
                let regenerate = "\(Self.api)/runs/\(firstID)/regenerate"
                for role in [Role.member, .viewer] {
                    #expect(try await mesh.call("POST", regenerate, token: RunMesh.token(tenant: tenant, role: role), body: "{}").status == 403)
                }
                #expect(try await mesh.call("POST", regenerate, token: RunMesh.token(tenant: UUID(), role: .owner), body: "{}").status == 404)
                let paused = try #require(try await mesh.startRun(spec: spec, token: owner, body: #"{"token_budget":1000}"#).json?["id"]?.stringValue)
                _ = try await mesh.waitForRun(paused, token: owner)
                #expect(try await mesh.call("POST", "\(Self.api)/runs/\(paused)/regenerate", token: owner, body: "{}").status == 412)
                _ = try await mesh.call("POST", "\(Self.api)/runs/\(paused)/cancel", token: owner)
                for (body, field) in [(#"{"base_repository":"x"}"#, "base_repository"), (#"{"spec_id":"nope"}"#, "spec_id"), (#"{"colour":"red"}"#, "colour")] {
                    let answer = try await mesh.call("POST", regenerate, token: owner, body: body)
                    #expect(answer.status == 400 && answer.json?[path: "error", "details"]?.array?.contains { $0["field"]?.stringValue == field } == true, "\(body): \(answer.text)")
                }

                // The user works on the run's branch: a note of their own, an ignore rule, and
                // app/schema.json rewritten (the revised spec changes it too: an overlap).
                let clone = try Helpers.scratch("user-clone")
                defer { try? FileManager.default.removeItem(atPath: clone) }
                try await Helpers.git(["clone", "--quiet", "--branch", branch, repository, "work"], in: clone)
                let work = "\(clone)/work"
                try FileManager.default.createDirectory(atPath: "\(work)/docs", withIntermediateDirectories: true)
                let note = "# Our notes\n\nDeploy on Tuesdays.\n"
                try Data(note.utf8).write(to: URL(fileURLWithPath: "\(work)/docs/notes.md"))
                let ignore = try String(contentsOfFile: "\(work)/.gitignore", encoding: .utf8) + "local-scratch/\n"
                try Data(ignore.utf8).write(to: URL(fileURLWithPath: "\(work)/.gitignore"))
                try Data("{\"edited\": \"by hand\"}\n".utf8).write(to: URL(fileURLWithPath: "\(work)/app/schema.json"))
                try await Helpers.git(["add", "--all"], in: work)
                try await Helpers.git(["commit", "--quiet", "-m", "Our edits"], in: work)
                try await Helpers.git(["push", "--quiet", "origin", branch], in: work)
                let userTip = try await Helpers.git(["rev-parse", "HEAD"], in: work)

                // The spec is revised (a new spec) and the run regenerated from it.
                let revisedSpec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.revised)
                let started = try await mesh.call("POST", regenerate, token: owner, body: #"{"spec_id":"\#(revisedSpec)"}"#)
                #expect(started.status == 202, "\(started.text)")
                #expect(started.json?["regenerates"]?.stringValue == firstID && started.json?["spec_id"]?.stringValue == revisedSpec)
                let second = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue), token: owner)
                try #require(second["status"]?.stringValue == "succeeded", "\(second)\n\(mesh.logTail("run-service-0"))")
                let secondID = try #require(second["id"]?.stringValue)
                let newBranch = "meta-builder/run-\(secondID)"
                #expect(second[path: "branch", "repository"]?.stringValue == repository && second[path: "branch", "name"]?.stringValue == newBranch)
                #expect(second[path: "branch", "base_commit"]?.stringValue == userTip)

                // The merge commit sits on the user's tip and the new generation; the user's branch is untouched.
                try await Helpers.git(["fetch", "--quiet", "origin"], in: work)
                let parents = try await Helpers.git(["rev-list", "--parents", "-n", "1", "origin/\(newBranch)"], in: work).split(separator: " ").map(String.init)
                #expect(parents.count == 3 && parents[1] == userTip, "\(parents)")
                #expect(try await Helpers.git(["rev-parse", "origin/\(branch)"], in: work) == userTip)

                let manifestHref = try #require(second["artifacts"]?.array?.first { $0["kind"]?.stringValue == "manifest" }?["href"]?.stringValue)
                let manifest = try JSONDecoder().decode(JSONValue.self, from: try await RawHTTP.get(port: mesh.runPorts[0], manifestHref, token: owner).body)
                let merge = try #require(manifest["regeneration"], "\(manifest)")
                #expect(merge["from_run"]?.stringValue == firstID && merge["user_commit"]?.stringValue == userTip && merge["generated_commit"]?.stringValue == parents.last)
                let userChanged = merge["user_changed"]?.array?.compactMap(\.stringValue) ?? []
                let generatorChanged = merge["generator_changed"]?.array?.compactMap(\.stringValue) ?? []
                #expect(Set(userChanged) == ["A docs/notes.md", "M .gitignore", "M app/schema.json"], "\(userChanged)")
                #expect(generatorChanged.contains("M app/schema.json") && !generatorChanged.contains { $0.hasSuffix(" .gitignore") || $0.hasSuffix(" docs/notes.md") }, "\(generatorChanged)")
                #expect(merge["conflicts"] == .array([.string("app/schema.json")]), "\(merge)")

                // Edits that do not overlap survive untouched; the overlap is marked; what only the generator changed is the generator's.
                let show = { (path: String) in try await Helpers.git(["show", "origin/\(newBranch):\(path)"], in: work) }
                #expect(try await show("docs/notes.md") + "\n" == note)
                #expect(try await show(".gitignore") + "\n" == ignore)
                let schema = try await show("app/schema.json")
                #expect(schema.contains("<<<<<<<") && schema.contains(">>>>>>>") && schema.contains("\"edited\": \"by hand\"") && schema.contains("due_date"), "\(schema.prefix(400))")
                let generatorOnly = generatorChanged.filter { $0.hasPrefix("M ") || $0.hasPrefix("A ") }.map { String($0.dropFirst(2)) }.filter { path in !userChanged.contains { $0.hasSuffix(" \(path)") } }
                #expect(!generatorOnly.isEmpty)
                for path in generatorOnly {
                    #expect(try await show(path) == (try await Helpers.git(["show", "\(parents[2]):\(path)"], in: work)), "\(path)")
                }

                // The pull request says what each side changed and what to resolve.
                let pullRequest = try #require(second["artifacts"]?.array?.first { $0["kind"]?.stringValue == "pull_request" }?["href"]?.stringValue)
                let markdown = String(decoding: try await RawHTTP.get(port: mesh.runPorts[0], pullRequest, token: owner).body, as: UTF8.self)
                #expect(markdown.contains("## Regeneration") && markdown.contains("### What you changed") && markdown.contains("`A docs/notes.md`"), "\(markdown.suffix(800))")
                #expect(markdown.contains("### Conflicts") && markdown.contains("`app/schema.json`"), "\(markdown.suffix(800))")
                #expect(merge["base_changed"] == .array([]) && !markdown.contains("base repository"), "a run of its own repository has no base to move")
            }
        }

        /// A regeneration over a base repository that moved on since the regenerated run — its
        /// ignore rules, which the scaffold rewrites, among what changed: the new generation is
        /// built on the base as it is now, and the merge brings the base's changes in, listed.
        @Test func aRegenerationOverABaseThatMovedOnIsBuiltOnTheBaseAsItIsNow() async throws {
            let repositories = try Helpers.scratch("repositories")
            defer { try? FileManager.default.removeItem(atPath: repositories) }
            let base = "\(repositories)/helpdesk"
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try await Helpers.git(["init", "--quiet"], in: base)
            try Data("# Helpdesk\n\nThe team's notes.\n".utf8).write(to: URL(fileURLWithPath: "\(base)/TEAM.md"))
            try Data("*.log\n".utf8).write(to: URL(fileURLWithPath: "\(base)/.gitignore"))
            try await Helpers.git(["add", "--all"], in: base)
            try await Helpers.git(["commit", "--quiet", "-m", "The base"], in: base)

            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with(environment: ["META_BUILDER_REPOSITORIES_ROOT": repositories]) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                let first = try await mesh.waitForRun(try #require(try await mesh.startRun(spec: spec, token: owner, body: #"{"base_repository":"helpdesk"}"#).json?["id"]?.stringValue), token: owner)
                try #require(first["status"]?.stringValue == "succeeded", "\(first)")
                let firstID = try #require(first["id"]?.stringValue)
                let branch = "meta-builder/run-\(firstID)"
                let earlierBase = try #require(first[path: "branch", "base_commit"]?.stringValue)

                // The user adds a note on the run's branch.
                try await Helpers.git(["checkout", "--quiet", branch], in: base)
                try FileManager.default.createDirectory(atPath: "\(base)/docs", withIntermediateDirectories: true)
                try Data("# Our notes\n".utf8).write(to: URL(fileURLWithPath: "\(base)/docs/notes.md"))
                try await Helpers.git(["add", "--all"], in: base)
                try await Helpers.git(["commit", "--quiet", "-m", "Our notes"], in: base)
                let userTip = try await Helpers.git(["rev-parse", "HEAD"], in: base)
                // Meanwhile the base moves on: an ignore rule (the scaffold rewrites that file) and a new file.
                try await Helpers.git(["checkout", "--quiet", "-"], in: base)
                try Data("*.log\n*.tmp\n".utf8).write(to: URL(fileURLWithPath: "\(base)/.gitignore"))
                try FileManager.default.createDirectory(atPath: "\(base)/ops", withIntermediateDirectories: true)
                try Data("on call: the team\n".utf8).write(to: URL(fileURLWithPath: "\(base)/ops/rota.txt"))
                try await Helpers.git(["add", "--all"], in: base)
                try await Helpers.git(["commit", "--quiet", "-m", "Later work"], in: base)
                let movedBase = try await Helpers.git(["rev-parse", "HEAD"], in: base)

                let revisedSpec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.revised)
                let started = try await mesh.call("POST", "\(Self.api)/runs/\(firstID)/regenerate", token: owner, body: #"{"spec_id":"\#(revisedSpec)"}"#)
                #expect(started.status == 202, "\(started.text)")
                let second = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue), token: owner)
                try #require(second["status"]?.stringValue == "succeeded", "\(second)\n\(mesh.logTail("run-service-0"))")
                let newBranch = "meta-builder/run-\(try #require(second["id"]?.stringValue))"

                // The new generation sits on the moved base; the merge joins it with the user's tip.
                let parents = try await Helpers.git(["rev-list", "--parents", "-n", "1", newBranch], in: base).split(separator: " ").map(String.init)
                try #require(parents.count == 3 && parents[1] == userTip, "\(parents)")
                #expect(try await Helpers.git(["rev-parse", "\(parents[2])^"], in: base) == movedBase)
                let show = { (path: String) in try await Helpers.git(["show", "\(newBranch):\(path)"], in: base) }
                #expect(try await show("ops/rota.txt") == "on call: the team")
                #expect(try await show("docs/notes.md") == "# Our notes")
                #expect(try await show("TEAM.md").hasPrefix("# Helpdesk"))
                #expect(try await show("app/schema.json").contains("due_date"))
                // The base's checkout and the user's branch are as they were.
                #expect(try await Helpers.git(["rev-parse", "HEAD"], in: base) == movedBase)
                #expect(try await Helpers.git(["status", "--porcelain"], in: base).isEmpty)
                #expect(try await Helpers.git(["rev-parse", branch], in: base) == userTip)

                let manifestHref = try #require(second["artifacts"]?.array?.first { $0["kind"]?.stringValue == "manifest" }?["href"]?.stringValue)
                let manifest = try JSONDecoder().decode(JSONValue.self, from: try await RawHTTP.get(port: mesh.runPorts[0], manifestHref, token: owner).body)
                let baseChanged = manifest[path: "regeneration", "base_changed"]?.array?.compactMap(\.stringValue) ?? []
                #expect(baseChanged == ["M .gitignore", "A ops/rota.txt"], "\(manifest["regeneration"] ?? .null)")
                #expect(manifest[path: "fingerprint", "base_commit"]?.stringValue == movedBase && earlierBase != movedBase)
                let pullRequest = try #require(second["artifacts"]?.array?.first { $0["kind"]?.stringValue == "pull_request" }?["href"]?.stringValue)
                let markdown = String(decoding: try await RawHTTP.get(port: mesh.runPorts[0], pullRequest, token: owner).body, as: UTF8.self)
                #expect(markdown.contains("### What changed in the base repository") && markdown.contains("`A ops/rota.txt`"), "\(markdown.suffix(900))")
            }
        }
    }
}
