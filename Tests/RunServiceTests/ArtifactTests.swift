import Foundation
import Logging
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// What a run leaves behind, on the real mesh: the ZIP, the manifest, the pull-request body
    /// and the branch built while finalizing, and the diff, report and artifact routes.
    @Suite(.serialized) struct ArtifactTests {
        static let helpdesk = RunLoopTests.helpdesk
        static let api = "/api/meta/v2"

        @Test func theZIPUnpacksToTheManifestsFilesAndTheBranchHasOneCommit() async throws {
            let root = try Self.scratch("artifact-root")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let (tenant, stranger) = (UUID(), RunMesh.token(tenant: UUID(), role: .owner))
            let (owner, viewer) = (RunMesh.token(tenant: tenant, role: .owner), RunMesh.token(tenant: tenant, role: .viewer))
            let id = try await RunMesh.with(environment: ["META_BUILDER_ARTIFACT_ROOT": root]) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.helpdesk)
                let started = try await mesh.startRun(spec: spec, token: owner)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: owner)
                try #require(run["status"]?.stringValue == "succeeded", "\(run)\n\(mesh.logTail("run-service-0"))")
                let port = mesh.runPorts[0]

                // The run's detail and the list name the same artifacts and branch.
                let listed = try await mesh.call("GET", "\(Self.api)/runs/\(id)/artifacts", token: viewer)
                #expect(listed.status == 200, "\(listed.text)")
                let artifacts = try #require(listed.json?["artifacts"]?.array)
                #expect(artifacts.compactMap { $0["kind"]?.stringValue } == ["manifest", "pull_request", "zip"])
                #expect(run["artifacts"]?.array == artifacts)
                #expect(run["branch"] == listed.json?["branch"])
                let branch = try #require(listed.json?["branch"])
                #expect(branch["name"]?.stringValue == "meta-builder/run-\(id)")
                #expect(branch["repository_kind"]?.stringValue == "bare")
                #expect(branch["repository"]?.stringValue == "\(root)/repositories/\(id).git")
                #expect(branch["base_commit"] == nil)
                func artifact(_ kind: String) throws -> JSONValue { try #require(artifacts.first { $0["kind"]?.stringValue == kind }) }

                // The ZIP: its headers tell its length, type, name and sha256.
                let zipPath = try #require(try artifact("zip")["href"]?.stringValue)
                let zip = try await RawHTTP.get(port: port, zipPath, token: viewer)
                #expect(zip.status == 200)
                #expect(zip.header("Content-Type") == "application/zip")
                #expect(zip.header("Content-Length") == String(zip.body.count))
                #expect(zip.headers("Content-Length").count == 1)
                let zipSHA = Digest.sha256Hex(zip.body)
                #expect(zip.header("ETag") == "\"\(zipSHA)\"")
                #expect(try artifact("zip")["sha256"]?.stringValue == zipSHA)
                #expect(try artifact("zip")["size"]?.int == zip.body.count)
                #expect(zip.header("Content-Disposition") == "attachment; filename=\"meta-builder-run-\(id).zip\"")

                // The manifest names the run, spec, plan, branch and the ZIP's own sha256.
                let manifestAnswer = try await RawHTTP.get(port: port, try #require(try artifact("manifest")["href"]?.stringValue), token: viewer)
                #expect(manifestAnswer.header("Content-Type") == "application/json")
                #expect(manifestAnswer.header("ETag") == "\"\(Digest.sha256Hex(manifestAnswer.body))\"")
                let manifest = try JSONDecoder().decode(JSONValue.self, from: manifestAnswer.body)
                #expect(manifest["run_id"]?.stringValue == id)
                #expect(manifest["spec_id"]?.stringValue == spec)
                #expect(manifest["plan_id"] == run["plan_id"])
                #expect(manifest[path: "zip", "sha256"]?.stringValue == zipSHA)
                #expect(manifest[path: "zip", "size"]?.int == zip.body.count)
                #expect(manifest[path: "branch", "name"] == branch["name"])
                #expect(manifest[path: "branch", "commit"] == branch["commit"])
                #expect(manifest["iterations"]?.int == 1)
                #expect(manifest["scores"] == .array([.object(["iteration": .number(1), "score": .number(100), "passed": .bool(true)])]))
                #expect(manifest[path: "tokens", "spent"] == run[path: "spent", "tokens"])
                // What it cost: the steps' tokens by provider and model, the provider's estimate
                // (the deterministic provider is free) and the build time until review.
                let cost = try #require(manifest["cost"])
                let models = try #require(cost["models"]?.array)
                #expect(models.map { $0["provider"]?.stringValue } == ["deterministic"], "\(cost)")
                #expect(models.first?["steps"]?.int == run["steps"]?.array?.count)
                #expect((cost["prompt_tokens"]?.int ?? 0) + (cost["completion_tokens"]?.int ?? 0) == run[path: "spent", "tokens"]?.int)
                #expect(cost["cost_usd"] == .number(0) && run[path: "spent", "cost_usd"] == .number(0))
                // What was proven about the app's isolation, and under which sandbox.
                let isolation = try #require(manifest["isolation"])
                let crossTenant = isolation[path: "cross_tenant", "checks"]?.array?.compactMap(\.stringValue) ?? []
                #expect(!crossTenant.isEmpty && crossTenant.allSatisfy { $0.hasPrefix("golden:AC-") }, "\(isolation)")
                #expect(isolation[path: "cross_tenant", "proven"] == .bool(true) && isolation[path: "cross_tenant", "passed"]?.int == crossTenant.count)
                let roleDenial = isolation[path: "role_denial", "checks"]?.array?.compactMap(\.stringValue) ?? []
                #expect(roleDenial.contains { $0.hasPrefix("golden:permissions:") } && Set(roleDenial).isDisjoint(with: crossTenant), "\(isolation)")
                #expect(isolation[path: "role_denial", "proven"] == .bool(true) && isolation[path: "role_denial", "failed"]?.int == 0)
                #expect(isolation[path: "sandbox", "isolation"]?.stringValue == "bubblewrap" && isolation[path: "sandbox", "network"]?.stringValue == "none", "\(isolation)")
                #expect(isolation[path: "sandbox", "limits", "cpu_seconds"]?.int == 900)
                let buildSeconds = try #require(cost["build_seconds"]?.double)
                #expect(buildSeconds > 0 && buildSeconds <= (run[path: "spent", "seconds"]?.double ?? 0), "\(cost) vs \(run)")
                #expect(manifest[path: "evaluation", "tests_passed"] == run[path: "report", "tests_passed"])
                #expect(manifest[path: "fingerprint", "plan_sha256"]?.stringValue?.count == 64)

                // The ZIP unpacks to exactly the manifest's files, with their sha256 and size.
                let files = try #require(manifest["files"]?.array)
                #expect(files.count > 10)
                let listedFiles = Dictionary(uniqueKeysWithValues: try files.map { file in
                    (try #require(file["path"]?.stringValue), Self.Content(sha256: file["sha256"]?.stringValue ?? "", size: file["size"]?.int ?? -1))
                })
                let unpacked = try Self.scratch("unzipped")
                defer { try? FileManager.default.removeItem(atPath: unpacked) }
                try Data(zip.body).write(to: URL(fileURLWithPath: "\(unpacked)/scaffold.zip"))
                try await Self.run("unzip", ["-q", "scaffold.zip", "-d", "tree"], in: unpacked)
                #expect(try Self.files(under: "\(unpacked)/tree") == listedFiles)
                #expect(files.compactMap { $0["path"]?.stringValue } == listedFiles.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

                // The branch has exactly one commit, whose tree is the ZIP's files.
                let repository = try #require(branch["repository"]?.stringValue)
                let name = try #require(branch["name"]?.stringValue)
                #expect(try await Self.git(["rev-list", "--count", name], in: repository) == "1")
                #expect(try await Self.git(["rev-parse", name], in: repository) == branch["commit"]?.stringValue)
                let tree = try await Self.git(["ls-tree", "-r", "--name-only", name], in: repository)
                #expect(Set(tree.split(separator: "\n").map(String.init)) == Set(listedFiles.keys))
                #expect(try await Self.git(["symbolic-ref", "HEAD"], in: repository) == "refs/heads/\(name)")

                // The pull-request body: markdown, titled, as the run holds it.
                let pullRequest = try await RawHTTP.get(port: port, try #require(try artifact("pull_request")["href"]?.stringValue), token: viewer)
                #expect(pullRequest.header("Content-Type") == "text/markdown; charset=utf-8")
                let markdown = String(decoding: pullRequest.body, as: UTF8.self)
                let title = try #require(run[path: "pull_request", "title"]?.stringValue)
                #expect(markdown == "# \(title)\n\n\(run[path: "pull_request", "markdown"]?.stringValue ?? "")")
                #expect(manifest[path: "pull_request", "markdown", "sha256"]?.stringValue == Digest.sha256Hex(pullRequest.body))

                // If-None-Match with the tag (strong, weak or among others, or `*`): 304, no body.
                for header in ["\"\(zipSHA)\"", "W/\"\(zipSHA)\"", "\"other\", \"\(zipSHA)\"", "*"] {
                    let again = try await RawHTTP.get(port: port, zipPath, token: viewer, headers: [("If-None-Match", header)])
                    #expect(again.status == 304, "\(header)")
                    #expect(again.body.isEmpty)
                    #expect(again.header("ETag") == "\"\(zipSHA)\"")
                }
                #expect(try await RawHTTP.get(port: port, zipPath, token: viewer, headers: [("If-None-Match", "\"\(String(repeating: "0", count: 64))\"")]).status == 200)

                try await Self.expectDiffAndReport(of: id, mesh: mesh, token: viewer)

                // Another tenant's id is not found on every route, even with a matching tag.
                for path in ["diff", "diff?iteration=1", "report", "report?iteration=1", "artifacts"] {
                    let answer = try await mesh.call("GET", "\(Self.api)/runs/\(id)/\(path)", token: stranger)
                    #expect(answer.status == 404, "\(path): \(answer.text)")
                    #expect(answer.json?[path: "error", "code"]?.stringValue == "NOT_FOUND")
                }
                for kind in ["zip", "manifest", "pull_request"] {
                    let path = try #require(try artifact(kind)["href"]?.stringValue)
                    #expect(try await RawHTTP.get(port: port, path, token: stranger).status == 404)
                    #expect(try await RawHTTP.get(port: port, path, token: stranger, headers: [("If-None-Match", "*")]).status == 404)
                }
                // Unknown and malformed ids.
                #expect(try await mesh.call("GET", "\(Self.api)/runs/\(id)/artifacts/\(UUID().lowercaseText)", token: viewer).status == 404)
                #expect(try await mesh.call("GET", "\(Self.api)/runs/\(id)/artifacts/not-an-id", token: viewer).status == 404)
                #expect(try await mesh.call("GET", "\(Self.api)/runs/not-an-id/diff", token: viewer).status == 404)
                #expect(try await mesh.call("GET", "\(Self.api)/runs/\(id)/artifacts", token: nil).status == 401)
                return id
            }
            try await Self.expectRebuildingChangesNothing(run: id, tenant: tenant, root: root, repositoriesRoot: nil)
        }

        @Test func aRunOnABaseRepositoryGetsItsBranchThereWithOneCommitOnTopOfHead() async throws {
            let root = try Self.scratch("artifact-root")
            let repositories = try Self.scratch("repositories")
            defer {
                try? FileManager.default.removeItem(atPath: root)
                try? FileManager.default.removeItem(atPath: repositories)
            }
            let base = "\(repositories)/helpdesk"
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try await Self.git(["init", "--quiet"], in: base)
            try Data("# Helpdesk\n\nThe team's notes.\n".utf8).write(to: URL(fileURLWithPath: "\(base)/TEAM.md"))
            try FileManager.default.createDirectory(atPath: "\(base)/notes", withIntermediateDirectories: true)
            try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: "\(base)/notes/keep.txt"))
            try await Self.git(["add", "--all"], in: base)
            try await Self.git(["commit", "--quiet", "-m", "The base"], in: base)
            let head = try await Self.git(["rev-parse", "HEAD"], in: base)
            let headBranch = try await Self.git(["symbolic-ref", "HEAD"], in: base)

            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            let environment = ["META_BUILDER_ARTIFACT_ROOT": root, "META_BUILDER_REPOSITORIES_ROOT": repositories]
            let id = try await RunMesh.with(environment: environment) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.helpdesk)
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"base_repository":"helpdesk"}"#)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: owner)
                try #require(run["status"]?.stringValue == "succeeded", "\(run)\n\(mesh.logTail("run-service-0"))")

                let branch = try #require(run["branch"])
                let name = "meta-builder/run-\(id)"
                #expect(branch["name"]?.stringValue == name)
                #expect(branch["repository_kind"]?.stringValue == "base")
                #expect(branch["repository"]?.stringValue == base)
                #expect(branch["base_commit"]?.stringValue == head)
                // One commit on top of the base's HEAD, in the base repository; its checkout untouched.
                #expect(try await Self.git(["rev-list", "--count", "\(head)..\(name)"], in: base) == "1")
                #expect(try await Self.git(["rev-parse", "\(name)^"], in: base) == head)
                #expect(try await Self.git(["rev-parse", name], in: base) == branch["commit"]?.stringValue)
                #expect(try await Self.git(["rev-parse", "HEAD"], in: base) == head)
                #expect(try await Self.git(["symbolic-ref", "HEAD"], in: base) == headBranch)
                #expect(try await Self.git(["status", "--porcelain"], in: base).isEmpty)
                #expect(!FileManager.default.fileExists(atPath: "\(root)/repositories/\(id).git"))

                // The ZIP holds the branch's whole tree: the base's files and the scaffold's.
                let artifacts = try #require(run["artifacts"]?.array)
                let zipPath = try #require(artifacts.first { $0["kind"]?.stringValue == "zip" }?["href"]?.stringValue)
                let zip = try await RawHTTP.get(port: mesh.runPorts[0], zipPath, token: owner)
                #expect(zip.status == 200)
                let unpacked = try Self.scratch("unzipped")
                defer { try? FileManager.default.removeItem(atPath: unpacked) }
                try zip.body.write(to: URL(fileURLWithPath: "\(unpacked)/scaffold.zip"))
                try await Self.run("unzip", ["-q", "scaffold.zip", "-d", "tree"], in: unpacked)
                let files = try Self.files(under: "\(unpacked)/tree")
                let notes = Data("# Helpdesk\n\nThe team's notes.\n".utf8)
                #expect(files["TEAM.md"] == Self.Content(sha256: Digest.sha256Hex(notes), size: notes.count))
                #expect(files["notes/keep.txt"] != nil)
                #expect(files["app/__init__.py"] != nil)
                let tree = try await Self.git(["ls-tree", "-r", "--name-only", name], in: base)
                #expect(Set(tree.split(separator: "\n").map(String.init)) == Set(files.keys))
                return id
            }
            // The base moves on; building the artifacts again keeps the branch where it was.
            try Data("more\n".utf8).write(to: URL(fileURLWithPath: "\(base)/notes/later.txt"))
            try await Self.git(["add", "--all"], in: base)
            try await Self.git(["commit", "--quiet", "-m", "Later work"], in: base)
            try await Self.expectRebuildingChangesNothing(run: id, tenant: tenant, root: root, repositoriesRoot: repositories)
        }

        @Test func aRunOverABaseRepositoryIsScoredOnWhatItsDiffChanges() async throws {
            let repositories = try Self.scratch("repositories")
            defer { try? FileManager.default.removeItem(atPath: repositories) }
            // The base has its own sign-in code where the scaffold writes app/auth.py.
            let base = "\(repositories)/legacy"
            try FileManager.default.createDirectory(atPath: "\(base)/app", withIntermediateDirectories: true)
            try Data("def verify(token):\n    return token == LEGACY_SECRET\n".utf8).write(to: URL(fileURLWithPath: "\(base)/app/auth.py"))
            try await Self.git(["init", "--quiet"], in: base)
            try await Self.git(["add", "--all"], in: base)
            try await Self.git(["commit", "--quiet", "-m", "Legacy sign-in"], in: base)

            let owner = RunMesh.token(tenant: UUID(), role: .owner)
            try await RunMesh.with(environment: ["META_BUILDER_REPOSITORIES_ROOT": repositories, "META_BUILDER_APPROVAL_THRESHOLD": "101"]) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.helpdesk)
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"base_repository":"legacy"}"#)
                let run = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue, "\(started.text)"), token: owner)
                try #require(run["status"]?.stringValue == "succeeded", "\(run)")
                // Replacing existing auth code is a reviewer's business: the rule says which file and adds its weight.
                let reasons = run[path: "risk", "reasons"]?.array?.compactMap(\.stringValue) ?? []
                #expect(reasons.contains("auth_changed (+15): app/auth.py (2 existing lines removed)"), "\(reasons)")
                #expect(!reasons.contains { $0.hasPrefix("files_outside_plan") || $0.hasPrefix("outside_calls") || $0.hasPrefix("destructive_migration") }, "\(reasons)")
                let score = try #require(run[path: "risk", "score"]?.int)
                let planScore = try #require(run[path: "risk", "plan_score"]?.int)
                #expect(score >= min(100, planScore + 15), "\(run[path: "risk"] ?? .null)")
            }
        }

        @Test func aRunWhoseArtifactsCannotBeBuiltFailsWithArtifactError() async throws {
            // An artifact root below a regular file cannot be created.
            let blocker = try Self.scratch("blocker") + "/file"
            defer { try? FileManager.default.removeItem(atPath: (blocker as NSString).deletingLastPathComponent) }
            try Data("not a directory\n".utf8).write(to: URL(fileURLWithPath: blocker))
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with(environment: ["META_BUILDER_ARTIFACT_ROOT": "\(blocker)/artifacts"]) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: Self.helpdesk)
                let started = try await mesh.startRun(spec: spec, token: owner)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: owner)
                #expect(run["status"]?.stringValue == "failed", "\(run)")
                #expect(run[path: "failure", "reason"]?.stringValue == "artifact_error")
                let detail = try #require(run[path: "failure", "detail"]?.stringValue)
                #expect(detail.hasPrefix("building the run's artifacts failed: the artifact store cannot be written"), "\(detail)")
                #expect(!detail.contains(blocker), "\(detail)")
                #expect(run["artifacts"]?.array?.isEmpty == true)
                #expect(run["branch"] == .null)
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(events.map(\.type).suffix(2) == ["run.finalizing", "run.failed"])
                // What the run has is still served; what it lacks is NOT_FOUND naming it.
                #expect(try await mesh.call("GET", "\(Self.api)/runs/\(id)/diff", token: owner).status == 200)
                let none = try await mesh.call("GET", "\(Self.api)/runs/\(id)/artifacts", token: owner)
                #expect(none.status == 404)
                #expect(none.json?[path: "error", "message"]?.stringValue?.contains("has no artifacts yet (it is failed)") == true, "\(none.text)")

                // A run paused before its first step has no diff and no report either.
                let poor = try await mesh.startRun(spec: spec, token: owner, body: #"{"token_budget":99999}"#)
                let poorID = try #require(poor.json?["id"]?.stringValue)
                _ = try await mesh.waitForRun(poorID, token: owner)
                for (path, missing) in [("diff", "has no diff yet"), ("report", "has no evaluation report yet"), ("artifacts", "has no artifacts yet")] {
                    let answer = try await mesh.call("GET", "\(Self.api)/runs/\(poorID)/\(path)", token: owner)
                    #expect(answer.status == 404, "\(path)")
                    #expect(answer.json?[path: "error", "message"]?.stringValue?.contains(missing) == true, "\(path): \(answer.text)")
                }
            }
        }

        // MARK: - Diff and report

        /// The diff as text and JSON (per-file figures adding up), the report, and `iteration`
        /// checked: malformed → 400 naming it, one the run does not have → 404 naming it.
        static func expectDiffAndReport(of id: String, mesh: RunMesh, token: String) async throws {
            let text = try await RawHTTP.get(port: mesh.runPorts[0], "\(api)/runs/\(id)/diff", token: token)
            #expect(text.status == 200)
            #expect(text.header("Content-Type") == "text/x-diff; charset=utf-8")
            let diff = String(decoding: text.body, as: UTF8.self)
            #expect(diff.hasPrefix("diff --git a/"))
            #expect(text.header("Vary") == "Accept")
            let answer = try await RawHTTP.get(port: mesh.runPorts[0], "\(api)/runs/\(id)/diff", token: token, headers: [("Accept", "application/json")])
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/json; charset=utf-8")
            let json = try JSONDecoder().decode(JSONValue.self, from: answer.body)
            #expect(json["iteration"]?.int == 1)
            #expect(json["role"]?.stringValue == "codegen_engineer")
            let files = try #require(json["files"]?.array)
            #expect(files.count == diff.components(separatedBy: "diff --git ").count - 1)
            #expect(files.compactMap { $0["additions"]?.int }.reduce(0, +) == json["additions"]?.int)
            #expect(files.compactMap { $0["deletions"]?.int }.reduce(0, +) == json["deletions"]?.int)
            let added = diff.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("+") && !$0.hasPrefix("+++ ") }.count
            #expect(json["additions"]?.int == added)
            #expect(added > 100)
            // q-values decide; `*/*` alone keeps the text.
            let weighted = try await RawHTTP.get(port: mesh.runPorts[0], "\(api)/runs/\(id)/diff", token: token, headers: [("Accept", "text/x-diff;q=0.5, application/json")])
            #expect(weighted.header("Content-Type") == "application/json; charset=utf-8")
            let anything = try await RawHTTP.get(port: mesh.runPorts[0], "\(api)/runs/\(id)/diff?iteration=1", token: token, headers: [("Accept", "*/*")])
            #expect(anything.header("Content-Type") == "text/x-diff; charset=utf-8")
            #expect(anything.body == text.body)

            let report = try await mesh.call("GET", "\(api)/runs/\(id)/report", token: token)
            #expect(report.status == 200)
            #expect(report.json?["iteration"]?.int == 1)
            #expect(report.json?["score"]?.int == 100)
            #expect(report.json?["run_id"]?.stringValue == id)
            #expect((report.json?["checks"]?.array?.count ?? 0) > 3)
            let first = try await mesh.call("GET", "\(api)/runs/\(id)/report?iteration=1", token: token)
            #expect(first.json == report.json)

            for bad in ["0", "-1", "abc", "1.5", "", "2147483648", "99999999999999999999"] {
                for route in ["diff", "report"] {
                    let answer = try await mesh.call("GET", "\(api)/runs/\(id)/\(route)?iteration=\(bad)", token: token)
                    #expect(answer.status == 400, "\(route)?iteration=\(bad): \(answer.text)")
                    #expect(answer.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "iteration")
                }
            }
            for route in ["diff", "report"] {
                let missing = try await mesh.call("GET", "\(api)/runs/\(id)/\(route)?iteration=2", token: token)
                #expect(missing.status == 404, "\(route): \(missing.text)")
                #expect(missing.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "iteration")
            }
        }

        // MARK: - Rebuilding

        /// Builds the (succeeded, ended) run's artifacts again in this process, as a worker that
        /// took the run over during finalizing would: same blobs, same commit, rows unchanged; and
        /// once more under a stale claim, which records nothing.
        static func expectRebuildingChangesNothing(run id: String, tenant: UUID, root: String, repositoriesRoot: String?) async throws {
            let runID = try #require(UUID(text: id))
            try await RunTestDatabase.withPool { pool in
                let before = try await artifactRows(runID, tenant: tenant, pool: pool)
                #expect(before.count == 4)
                let blobs = try FileManager.default.subpathsOfDirectory(atPath: "\(root)/blobs").sorted()
                // The ended run is claimed again (its queue row put back with a live lease) by this process.
                try await pool.work("""
                    INSERT INTO run_queue (run_id, tenant_id, lease_owner, lease_expires_at, fencing, claims)
                    VALUES (\(runID), \(tenant), 'artifact-tests', clock_timestamp() + interval '1 minute', 7, 2)
                    """, deadline: .after(.seconds(30)))
                let claim = RunClaim(runID: runID, tenantID: tenant, owner: "artifact-tests", fencing: 7, claims: 2)
                let builder = ArtifactBuilder(journal: RunJournal(pool: pool), store: ArtifactStore(root: root), repositories: BaseRepositories(root: repositoriesRoot), logger: RunTestDatabase.logger)
                try await builder.build(claim)
                // A worker whose claim is stale builds, but records nothing.
                let stale = RunClaim(runID: runID, tenantID: tenant, owner: "artifact-tests-before", fencing: 6, claims: 1)
                await #expect(throws: LostClaim.self) { try await builder.build(stale) }
                try await pool.work("DELETE FROM run_queue WHERE run_id = \(runID)", deadline: .after(.seconds(30)))
                #expect(try await artifactRows(runID, tenant: tenant, pool: pool) == before)
                #expect(try FileManager.default.subpathsOfDirectory(atPath: "\(root)/blobs").sorted() == blobs)
                #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp").isEmpty)
            }
        }

        /// The run's artifact and branch rows, as text, in a stable order.
        static func artifactRows(_ run: UUID, tenant: UUID, pool: PostgresPool) async throws -> [String] {
            let results = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                "SELECT (to_jsonb(a))::text AS row FROM run_artifacts a WHERE run_id = \(run) ORDER BY kind",
                "SELECT (to_jsonb(b))::text AS row FROM run_branches b WHERE run_id = \(run)",
            ])
            return try (results[0] + results[1]).map { try $0.decode("row") }
        }

        // MARK: - Files and processes

        /// A file's sha256 and size.
        struct Content: Equatable, CustomStringConvertible {
            var sha256: String
            var size: Int
            var description: String { "\(sha256.prefix(12))…/\(size)" }
        }

        /// Every regular file under `directory`, by relative path.
        static func files(under directory: String) throws -> [String: Content] {
            var files: [String: Content] = [:]
            for path in try FileManager.default.subpathsOfDirectory(atPath: directory) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: "\(directory)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(path)"))
                files[path] = Content(sha256: Digest.sha256Hex(data), size: data.count)
            }
            return files
        }

        /// A new scratch directory.
        static func scratch(_ label: String) throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().lowercaseText.prefix(8))").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        /// Runs a tool in `directory`; its output, trimmed. Fails the test when it fails.
        @discardableResult
        static func run(_ tool: String, _ arguments: [String], in directory: String) async throws -> String {
            let result = try await ProcessRunner.run(tool, arguments, in: directory, environment: ProcessRunner.environment([
                "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@localhost", "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@localhost",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
            ]), timeout: .seconds(60))
            try #require(result.succeeded, "\(tool) \(arguments.joined(separator: " ")): \(result.output)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Runs git in `repository`.
        @discardableResult
        static func git(_ arguments: [String], in repository: String) async throws -> String {
            try await run("git", ["-c", "init.defaultBranch=main"] + arguments, in: repository)
        }
    }
}
