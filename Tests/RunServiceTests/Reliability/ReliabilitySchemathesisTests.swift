import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Every service's served contract under schemathesis (`META_BUILDER_SCHEMATHESIS`: its `st`
    /// executable, which `scripts/install-deps` installs; settings and hooks in
    /// `scripts/schemathesis`): all checks, the examples, coverage, fuzzing and stateful phases,
    /// the run's seed; public routes with an owner's token, internal routes with a token of each
    /// service the contract admits there (without the stateful phase: links join public
    /// operations). Any failure or error fails the suite, with schemathesis's own account of it;
    /// each run's output is kept beside the report (`schemathesis/`).
    @Suite(.serialized) struct ReliabilitySchemathesisTests {
        @Test func everyServedContractHoldsUnderSchemathesis() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "schemathesis", settings: settings)
            let st = try RequiredEnvironment.value("META_BUILDER_SCHEMATHESIS")
            let approvalPort = try LoopbackPort.free()
            let limits = ["META_BUILDER_RATE_LIMIT_RUNS": "1000000", "META_BUILDER_RATE_LIMIT_PLANS": "1000000", "META_BUILDER_RATE_LIMIT_SPECS": "1000000", "META_BUILDER_RATE_LIMIT_APPROVALS": "1000000"]
            let environment = limits.merging(["META_BUILDER_APPROVAL_URL": "http://127.0.0.1:\(approvalPort)", "META_BUILDER_RUN_WORKERS": "0", "META_BUILDER_LOG_LEVEL": "warning"]) { $1 }
            try await RunMesh.with(environment: environment) { mesh in
                let approval = ServiceProcess(name: "approval-service", port: approvalPort, environment: try ApprovalGateTests.approvalEnvironment(mesh).merging(limits) { $1 }, logPath: "\(mesh.logDirectory)/approval-service.log")
                defer { approval.stop() }
                try await approval.start()
                let client = MeshClient(jwtSecret: RunMesh.jwtSecret)
                let tenant = UUID()
                let owner = client.token(tenant: tenant, role: .owner)
                var failures: [String] = []
                var operations = 0
                for (service, port) in mesh.services(approvalPort: approvalPort) {
                    let contract = try await client.call("GET", "http://127.0.0.1:\(port)/openapi.json", token: nil)
                    let routes = RouteContract.all(in: contract.json ?? .null)
                    let publicRoutes = routes.filter { !$0.isInternal }
                    var runs: [(token: String, routes: [RouteContract], who: String)] = [(owner, publicRoutes, "an owner")]
                    for caller in Set(routes.filter(\.isInternal).flatMap(\.callers)).sorted() {
                        let token = client.serviceToken(for: Principal(userID: "user-1", tenantID: tenant, role: .owner), from: caller, to: service)
                        runs.append((token, routes.filter { $0.isInternal && $0.callers.contains(caller) }, caller))
                    }
                    for run in runs where !run.routes.isEmpty {
                        operations += run.routes.count
                        // Links (the stateful phase) join public operations only.
                        let phases = run.routes.allSatisfy(\.isInternal) ? "examples,coverage,fuzzing" : "examples,coverage,fuzzing,stateful"
                        let outcome = try await Self.schemathesis(st, url: "http://127.0.0.1:\(port)", token: run.token, routes: run.routes, phases: phases, seed: settings.seed, size: settings.size)
                        try Self.keep(outcome.output, as: "\(service)-as-\(run.who.replacingOccurrences(of: " ", with: "-")).txt", settings: settings)
                        print("reliability: schemathesis: \(service) as \(run.who): \(outcome.summary)")
                        failures += outcome.failures.map { "\(service) as \(run.who): \($0)" }
                    }
                }
                report.check("schemathesis finds nothing on any served contract (\(operations) operations)", failures: failures)
                report.count("schemathesis_failures", failures.count)
            }
            try report.finish()
        }

        /// What one schemathesis run found: its summary line, each failure it reported, and its
        /// whole output.
        struct Outcome {
            let summary: String
            let failures: [String]
            let output: String
        }

        /// Keeps a run's output beside the report file (`schemathesis/<name>`), when there is one.
        static func keep(_ output: String, as name: String, settings: ReliabilitySettings) throws {
            guard let report = settings.reportPath else { return }
            let directory = URL(fileURLWithPath: report).deletingLastPathComponent().appendingPathComponent("schemathesis")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try output.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        /// `scripts/schemathesis`: the settings (`schemathesis.toml`) and hooks (`hooks.py`).
        static let configuration = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/schemathesis")

        /// Runs schemathesis on the operations `routes` of the service at `url` with `token`.
        static func schemathesis(_ st: String, url: String, token: String, routes: [RouteContract], phases: String, seed: UInt64, size: ReliabilitySettings.Size) async throws -> Outcome {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().lowercaseText)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let operations = routes.map { "^\($0.method) \(NSRegularExpression.escapedPattern(for: $0.template))$" }.joined(separator: "|")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: st)
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = ProcessInfo.processInfo.environment.merging([
                "SCHEMATHESIS_HOOKS": "hooks", "PYTHONPATH": configuration.path,
            ]) { $1 }
            process.arguments = [
                "--config-file", configuration.appendingPathComponent("schemathesis.toml").path,
                "--no-color", "run", "\(url)/openapi.json", "--url", url,
                "--header", "Authorization: Bearer \(token)",
                "--checks", "all", "--phases", phases,
                "--seed", String(seed), "--max-examples", size == .ci ? "10" : "100",
                "--include-name-regex", operations, "--generation-database", "none",
                "--workers", "1", "--request-timeout", "30",
                "--report", "junit", "--report-dir", directory,
            ]
            let log = directory + "/output.txt"
            FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            try handle.close()
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            // The closing line, e.g. "==== 1 failure, 2 warnings in 5.45s ====" or "==== 699 passed in 4.10s ====".
            let summary = output.split(separator: "\n").last { $0.hasPrefix("=") && $0.contains(" in ") }
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "= ")) } ?? "exit status \(process.terminationStatus)"
            guard process.terminationStatus != 0 else { return Outcome(summary: summary, failures: [], output: output) }
            return Outcome(summary: summary, failures: [output.suffix(6000).description], output: output)
        }
    }
}
