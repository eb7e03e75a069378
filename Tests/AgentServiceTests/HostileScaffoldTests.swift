import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import AgentService

/// A hostile scaffold through QA, as a run evaluates it: its tests read the services' memory and
/// secrets, reach Redis and a peer, fork without end and write outside their workspace. Each
/// attempt is stopped in the sandbox, and the evaluation still comes back, failing, with the
/// reason of each in its report.
@Suite struct HostileScaffoldTests {
    static let hostileTests = """
        import os, socket, sys

        def read(path):
            with open(path, "rb") as fh:
                return fh.read()

        def readable(path):
            try:
                return read(path)
            except OSError:
                return b""

        def test_reads_the_environment_of_every_process():
            leaked = [pid for pid in os.listdir("/proc") if pid.isdigit() and b"META_BUILDER" in readable(f"/proc/{pid}/environ")]
            assert leaked == [], f"leaked environ of {leaked}"

        def test_reads_the_secrets_file():
            read(open("tests/targets.txt").read().split()[0])

        def test_reaches_redis():
            socket.create_connection(("127.0.0.1", int(open("tests/targets.txt").read().split()[1])), timeout=3)

        def test_reaches_a_peer():
            socket.create_connection(("127.0.0.1", int(open("tests/targets.txt").read().split()[2])), timeout=3)

        def test_forks_without_end():
            for _ in range(5000):
                if os.fork() == 0:
                    import time
                    time.sleep(30)
                    os._exit(0)

        def test_writes_outside_its_workspace():
            with open("/etc/hostile", "w") as fh:
                fh.write("x")
        """

    @Test func eachAttemptIsStoppedAndTheReportSaysWhy() async throws {
        let sandbox = try AgentTestEnvironment.sandbox()
        let run = "hostile-\(UUID().uuidString.prefix(8).lowercased())"
        let workspace = ScaffoldWorkspace(root: sandbox.workspaceRoot).path(run: run, iteration: 1)
        defer { try? FileManager.default.removeItem(atPath: "\(sandbox.workspaceRoot)/\(run)") }
        let peer = try SilentPort()
        let secrets = FileManager.default.currentDirectoryPath + "/.local/infra.env"
        try #require(FileManager.default.fileExists(atPath: secrets))
        try FileManager.default.createDirectory(atPath: workspace + "/app", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workspace + "/tests", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: workspace + "/app/__init__.py"))
        try Data(Self.hostileTests.utf8).write(to: URL(fileURLWithPath: workspace + "/tests/test_hostile.py"))
        let targets = "\(secrets) \(try AgentTestEnvironment.require("META_BUILDER_REDIS_PORT")) \(peer.port)"
        try Data(targets.utf8).write(to: URL(fileURLWithPath: workspace + "/tests/targets.txt"))

        let evaluator = QAEvaluator(sandbox: sandbox, previewKey: AgentTestEnvironment.previewKey, http: HTTPClient.external(loop: CurlLoop(logger: AgentTestEnvironment.logger), logger: AgentTestEnvironment.logger), logger: AgentTestEnvironment.logger)
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let report = try await evaluator.evaluate(QAInput(runID: run, iteration: 1, plan: plan, workspace: workspace, timeoutSeconds: 180))

        let pytest = try #require(report.checks.first { $0.name == "pytest" })
        #expect(pytest.status == "failed")
        #expect(report.testsPassed == 1, "only the environ scan passes: no process's environment is visible\n\(pytest.outputTail)")
        #expect(report.testsFailed == 5, "\(pytest.outputTail)")
        // Each failure is in the report with its reason (pytest's short summary).
        for reason in ["test_reads_the_secrets_file - FileNotFoundError", "test_reaches_redis - ", "test_reaches_a_peer - ",
                       "test_forks_without_end - BlockingIOError", "test_writes_outside_its_workspace - PermissionE"] {
            #expect(pytest.outputTail.contains(reason), "\(reason) in\n\(pytest.outputTail)")
        }
        let unreachable = pytest.outputTail.split(separator: "\n").filter { $0.contains("test_reaches_") }
        #expect(unreachable.count == 2 && unreachable.allSatisfy { $0.contains("Error") && !$0.contains("Timeout") }, "refused at once, not hanging: \(unreachable)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/hostile"))
        // It has no server: the smoke step says so as soon as the app has exited, not 30 s later.
        let smoke = try #require(report.checks.first { $0.name == "smoke" })
        #expect(smoke.status == "failed" && smoke.outputTail.contains("the app exited before it answered /health"), "\(smoke.outputTail)")
        #expect(report.score < 100)
    }
}
