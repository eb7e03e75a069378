import Foundation
import Metrics
import Shared
import Testing
@testable import AgentService

/// The OpenAI-compatible provider against a local chat server over real HTTP (libcurl).
@Suite struct OpenAIProviderTests {
    private static let validReply = ###"{"title":"Scaffold: CRM","markdown":"## Summary\nok\n"}"###
    /// The tenant the calls run for.
    private let tenant = UUID()

    private struct Harness {
        let provider: OpenAIProvider
        let loop: CurlLoop
        let metrics: MetricsRegistry
    }

    private func harness(baseURL: String, timeoutMilliseconds: Int = 5000) throws -> Harness {
        let loop = CurlLoop(logger: AgentTestEnvironment.logger)
        let http = HTTPClient.external(loop: loop, logger: AgentTestEnvironment.logger, retryPolicy: .init(maxAttempts: 2, initialBackoff: .milliseconds(20)))
        let config = try AgentTestEnvironment.providerConfig(baseURL: baseURL, timeoutMilliseconds: timeoutMilliseconds)
        let metrics = MetricsRegistry()
        let provider = OpenAIProvider(
            chat: ChatCompletionClient(http: http, baseURL: baseURL, apiKey: config.openAIKey, timeout: .milliseconds(timeoutMilliseconds)),
            prompts: try PromptLibrary(),
            redis: RedisClient(config: try RedisConfig(url: try AgentTestEnvironment.require("META_BUILDER_REDIS_URL")), logger: AgentTestEnvironment.logger),
            config: config,
            logger: AgentTestEnvironment.logger,
            cacheHits: Counter(label: "meta_builder_agent_cache_hits_total", factory: metrics.factory),
            cacheMisses: Counter(label: "meta_builder_agent_cache_misses_total", factory: metrics.factory)
        )
        return Harness(provider: provider, loop: loop, metrics: metrics)
    }

    /// A reviewer input unique per test, so cache entries never collide between tests.
    private func uniqueInput() throws -> JSONValue {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        return try AgentJSON.encode(RunSummary(runID: UUID().uuidString, plan: plan, files: ["a.py"], iterations: 1, testsPassed: 1, testsFailed: 0, score: 100))
    }

    private var reviewer: RoleAgent { get throws { try AgentTestEnvironment.registry().agent(for: .reviewer) } }

    @Test func validReplyIsReturnedWithItsUsage() async throws {
        let server = FakeChatServer([.reply(Self.validReply, promptTokens: 321, completionTokens: 45)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let outcome = try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            #expect(outcome.output["title"]?.stringValue == "Scaffold: CRM")
            #expect(outcome.promptTokens == 321)
            #expect(outcome.completionTokens == 45)
            #expect(!outcome.cacheHit)
            #expect(h.provider.cost(promptTokens: 1000, completionTokens: 1000, model: "test-model") > 0)
        }
        let request = try #require(server.calls.first)
        #expect(request.contains(#""model":"test-model""#))
        #expect(request.contains("Reviewer of Meta-Builder"))
        #expect(request.contains("json_object"))
    }

    @Test func aReviewersRiskIsKeptWithItsReason() async throws {
        let reply = ###"{"title":"Scaffold: CRM","markdown":"## Summary\nok\n","risk":{"score":88,"reason":"payments are stored unencrypted"}}"###
        let server = FakeChatServer([.reply(reply)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let outcome = try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            #expect(outcome.output["risk"] == .object(["score": .number(88), "reason": .string("payments are stored unencrypted")]), "\(outcome.output)")
        }
    }

    @Test func invalidReplyIsRepairedOnce() async throws {
        let server = FakeChatServer([.reply("Sure! Here is the JSON you asked for."), .reply(Self.validReply)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let outcome = try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            #expect(outcome.output["markdown"] != nil)
            #expect(outcome.promptTokens == 200)
        }
        #expect(server.calls.count == 2)
        #expect(server.calls[1].contains("Your reply is invalid"))
    }

    @Test func schemaViolationTwiceIsAClearFailure() async throws {
        let server = FakeChatServer([.reply(#"{"title":""}"#), .reply(#"{"title":"x","markdown":"y","extra":1}"#)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let failure = await #expect(throws: ProviderFailure.self) {
                try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            }
            let error = failure?.wireError
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("stayed invalid after one repair attempt") == true)
            #expect(error?.message.contains("/extra") == true)
            #expect(failure?.promptTokens == 200 && failure?.completionTokens == 100, "both paid completions are carried")
        }
        #expect(server.calls.count == 2)
        #expect(server.calls[1].contains("/markdown: is required"))
    }

    @Test func rateLimitedProviderIsResourceExhausted() async throws {
        let server = FakeChatServer([.status(429, retryAfter: 7)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: WireError.self) {
                try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.retryAfter == 7)
        }
    }

    @Test func unavailableProviderIsRetriedThenUnavailable() async throws {
        let server = FakeChatServer([.status(503), .status(503)], fallback: .status(503))
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: WireError.self) {
                try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            }
            #expect(error?.code == .unavailable)
        }
        #expect(server.calls.count == 2)
    }

    @Test func aRedirectingProviderIsAFailedPreconditionAndIsNotRetried() async throws {
        let server = FakeChatServer([.status(302)], fallback: .status(302))
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: WireError.self) {
                try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("redirect") == true)
        }
        #expect(server.calls.count == 1)
    }

    @Test func slowProviderHitsTheTimeout() async throws {
        let server = FakeChatServer([.hang(.seconds(5))])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL, timeoutMilliseconds: 300)
            defer { h.loop.stop() }
            let error = await #expect(throws: WireError.self) {
                try await h.provider.run(try reviewer, input: try uniqueInput(), model: nil, tenant: tenant)
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test func secondIdenticalCallIsACacheHitWithoutTokens() async throws {
        let server = FakeChatServer([.reply(Self.validReply, promptTokens: 500, completionTokens: 80)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let input = try uniqueInput()
            let first = try await h.provider.run(try reviewer, input: input, model: nil, tenant: tenant)
            let second = try await h.provider.run(try reviewer, input: input, model: nil, tenant: tenant)
            #expect(!first.cacheHit)
            #expect(second.cacheHit)
            #expect(second.promptTokens == 0 && second.completionTokens == 0)
            #expect(second.output == first.output)
            let metrics = h.metrics.render()
            #expect(metrics.contains("meta_builder_agent_cache_hits_total 1"))
            #expect(metrics.contains("meta_builder_agent_cache_misses_total 1"))
        }
        #expect(server.calls.count == 1)
    }

    /// Another tenant sending the same prompt is a miss that reaches the model: a hit would tell it
    /// that someone else had asked the same.
    @Test func theCacheIsPerTenant() async throws {
        let server = FakeChatServer([.reply(Self.validReply, promptTokens: 500, completionTokens: 80), .reply(Self.validReply, promptTokens: 400, completionTokens: 60)])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let input = try uniqueInput()
            let mine = try await h.provider.run(try reviewer, input: input, model: nil, tenant: tenant)
            let theirs = try await h.provider.run(try reviewer, input: input, model: nil, tenant: UUID())
            #expect(!mine.cacheHit && !theirs.cacheHit)
            #expect(theirs.promptTokens == 400 && theirs.completionTokens == 60)
            #expect(try await h.provider.run(try reviewer, input: input, model: nil, tenant: tenant).cacheHit)
        }
        #expect(server.calls.count == 2)
    }

    // MARK: - A model-written Auto-Fixer diff stays inside the failing files

    private func fixerInput(failing: [String]) throws -> JSONValue {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let step = EvaluationStep(name: "pytest", passed: false, duration: .zero, output: "FAILED", files: failing)
        let report = EvalReport(runID: "fix-\(UUID().uuidString.prefix(8).lowercased())", iteration: 1, checks: [step], testsPassed: 0, testsFailed: 1)
        return try AgentJSON.encode(FixerInput(plan: plan, report: report, workspace: "/unused/by/the/model"))
    }

    private func reply(diff: String, files: [String]) throws -> String {
        String(decoding: try AgentJSON.text(FixerOutput(diff: diff, files: files)), as: UTF8.self)
    }

    private var fixer: RoleAgent { get throws { try AgentTestEnvironment.registry().agent(for: .autoFixer) } }

    @Test func aModelFixTouchingFilesOutsideTheFailingOnesIsRejected() async throws {
        let outside = """
            diff --git a/app/resources/deals.py b/app/resources/deals.py
            --- a/app/resources/deals.py
            +++ b/app/resources/deals.py
            @@ -1 +1 @@
            -old
            +new
            diff --git a/app/auth.py b/app/auth.py
            --- a/app/auth.py
            +++ b/app/auth.py
            @@ -1 +1 @@
            -def verify(token):
            +def verify(token): return True

            """
        let server = FakeChatServer([.reply(try reply(diff: outside, files: ["app/resources/deals.py"])), .reply(try reply(diff: outside, files: ["app/resources/deals.py"]))])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: ProviderFailure.self) {
                try await h.provider.run(try fixer, input: try fixerInput(failing: ["app/resources/deals.py"]), model: nil, tenant: tenant)
            }
            #expect(error?.wireError.code == .failedPrecondition)
            #expect(error?.wireError.message.contains("touches app/auth.py, outside the report's failing files (app/resources/deals.py)") == true, "\(error?.wireError.message ?? "")")
        }
        #expect(server.calls.count == 2)
        #expect(server.calls[1].contains("Your reply is invalid"))
    }

    /// Model-written code passes the fixer's checks too: a symlink or a path out of the workspace
    /// is refused (twice, after the model is told why) before anything reaches a workspace.
    @Test(arguments: [
        ("diff --git a/app/x.py b/app/x.py\nnew file mode 120000\n--- /dev/null\n+++ b/app/x.py\n@@ -0,0 +1 @@\n+/proc/1/environ\n", "app/x.py", "only regular files"),
        ("diff --git a/../../etc/x b/../../etc/x\nnew file mode 100644\n--- /dev/null\n+++ b/../../etc/x\n@@ -0,0 +1 @@\n+x\n", "../../etc/x", "a path must be relative"),
        ("diff --git a/.git/hooks/post-checkout b/.git/hooks/post-checkout\nnew file mode 100755\n--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+x\n", ".git/hooks/post-checkout", "outside .git"),
    ])
    func modelCodeOutsideTheWorkspaceIsRejected(diff: String, file: String, reason: String) async throws {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let answer = String(decoding: try AgentJSON.text(CodegenOutput(diff: diff, files: [file])), as: UTF8.self)
        let server = FakeChatServer([], fallback: .reply(answer))
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: ProviderFailure.self) {
                try await h.provider.run(try AgentTestEnvironment.registry().agent(for: .codegenEngineer), input: try AgentJSON.encode(CodegenInput(plan: plan)), model: nil, tenant: tenant)
            }
            #expect(error?.wireError.code == .failedPrecondition)
            #expect(error?.wireError.message.contains(reason) == true, "\(error?.wireError.message ?? "")")
        }
        #expect(server.calls.count == 2)
    }

    @Test func aModelFixListingAFileOutsideTheFailingOnesIsRejected() async throws {
        let diff = "diff --git a/app/resources/deals.py b/app/resources/deals.py\n--- a/app/resources/deals.py\n+++ b/app/resources/deals.py\n@@ -1 +1 @@\n-old\n+new\n"
        let server = FakeChatServer([], fallback: .reply(try reply(diff: diff, files: ["app/resources/deals.py", "app/config.py"])))
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let error = await #expect(throws: ProviderFailure.self) {
                try await h.provider.run(try fixer, input: try fixerInput(failing: ["app/resources/deals.py"]), model: nil, tenant: tenant)
            }
            #expect(error?.wireError.message.contains("names app/config.py") == true, "\(error?.wireError.message ?? "")")
        }
    }

    @Test func aModelFixInsideTheFailingFilesIsAcceptedEvenWhenItRemovesACommentLine() async throws {
        // "--- keep the order" is a removed SQL comment inside a hunk, not a file header.
        let migration = "migrations/0003_create_deals.up.sql"
        let diff = "diff --git a/\(migration) b/\(migration)\n--- a/\(migration)\n+++ b/\(migration)\n@@ -1,2 +1,2 @@\n--- keep the order\n+-- keep the order of columns\n CREATE TABLE deals (id uuid);\n"
        let server = FakeChatServer([.reply(try reply(diff: diff, files: [migration]))])
        try await server.run { baseURL in
            let h = try harness(baseURL: baseURL)
            defer { h.loop.stop() }
            let outcome = try await h.provider.run(try fixer, input: try fixerInput(failing: [migration, "app/resources/deals.py"]), model: nil, tenant: tenant)
            #expect(outcome.output["files"] == .array([.string(migration)]))
        }
        #expect(server.calls.count == 1)
    }
}
