import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// A tenant's setting never outlives its transaction: with one pooled connection per
    /// service, requests of alternating tenants — reads, a miss that fails inside the tenant's
    /// transaction, and writes — all share that connection, and every answer shows only its
    /// caller's rows.
    @Suite(.serialized) struct ReliabilityPoolLeakTests {
        @Test func alternatingTenantsOnOneConnectionNeverSeeEachOther() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "pool leak", settings: settings)
            let requests = settings.size == .ci ? 1_000 : 10_000
            try await RunMesh.with(environment: ["META_BUILDER_DB_POOL_SIZE": "1"]) { mesh in
                let tenants = [UUID(), UUID()]
                let tokens = tenants.map { RunMesh.token(tenant: $0, role: .owner) }
                var specs: [Set<String>] = []
                for token in tokens {
                    specs.append([try await mesh.createSpec(token: token, title: "Leak check", description: ChaosRun.description)])
                }
                let own = specs
                var leaks: [String] = []
                var failures: [String] = []
                try await withThrowingTaskGroup(of: (leaks: [String], failures: [String]).self) { group in
                    for lane in 0..<8 {
                        group.addTask {
                            var leaks: [String] = []
                            var failures: [String] = []
                            for index in stride(from: lane, to: requests, by: 8) {
                                let caller = index % 2
                                let others = own[1 - caller]
                                let answer: RunMesh.Answer = switch index % 4 {
                                case 0: try await mesh.call("GET", "/api/meta/v2/specs?page_size=50", on: "spec", token: tokens[caller])
                                case 1: try await mesh.call("GET", "/api/meta/v2/specs/\(own[caller].first!)", on: "spec", token: tokens[caller])
                                case 2: try await mesh.call("GET", "/api/meta/v2/specs/\(others.first!)", on: "spec", token: tokens[caller])
                                default: try await mesh.call("GET", "/api/meta/v2/runs?page_size=50", token: tokens[caller])
                                }
                                let expected = index % 4 == 2 ? 404 : 200
                                if answer.status != expected { failures.append("request \(index): \(answer.status) \(answer.text.prefix(120))") }
                                if others.contains(where: { answer.text.contains($0) && index % 4 != 2 }) || answer.text.contains(tenants[1 - caller].lowercaseText) {
                                    leaks.append("request \(index) of tenant \(caller) shows the other tenant: \(answer.text.prefix(120))")
                                }
                            }
                            return (leaks, failures)
                        }
                    }
                    for try await lane in group {
                        leaks += lane.leaks
                        failures += lane.failures
                    }
                }
                report.check("\(requests) requests of alternating tenants on one connection per service: no row of the other tenant", failures: leaks)
                report.check("each of them answered as it should (200, or 404 for the other tenant's spec)", failures: failures)
                report.count("pool_leaks", leaks.count)
            }
            try report.finish()
        }
    }
}
