import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Forged credentials against the whole mesh: every authenticated route of every service's
    /// served contract, with every forgery of `ForgedCredentials`, answers 401 with a Bearer
    /// challenge — never 2xx, never 5xx — while the matching valid credential gets past
    /// authentication on the same route (so the matrix could fail).
    @Suite(.serialized) struct ReliabilityTokenMatrixTests {
        @Test func everyServiceRefusesEveryForgedCredentialOnEveryRoute() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "forged tokens", settings: settings)
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, _, client, _ in
                let services = mesh.services(approvalPort: approvalPort)
                let tenant = UUID()
                var wrong: [String] = []
                var blocked: [String] = []
                var requests = 0
                var accepted = 0
                var serverErrors = 0
                for (service, port) in services {
                    let contract = try await client.call("GET", "http://127.0.0.1:\(port)/openapi.json", token: nil)
                    let routes = RouteContract.all(in: contract.json ?? .null)
                    try #require(routes.count >= 2, "\(service) serves no authenticated routes: \(contract.status)")
                    for route in routes {
                        let url = "http://127.0.0.1:\(port)" + route.path { _ in UUID().lowercaseText }
                        let body = ["POST", "PUT", "PATCH"].contains(route.method) ? Data("{}".utf8) : nil
                        func send(_ credential: ForgedCredentials.Credential) async throws -> MeshClient.Answer {
                            var headers = credential.authorization.map { [("Authorization", $0)] } ?? []
                            if body != nil { headers.append(("Content-Type", "application/json")) }
                            return try await client.exchange(route.method, url, headers: headers, body: body)
                        }
                        for credential in ForgedCredentials.all(userSecret: RunMesh.jwtSecret, tenant: tenant, receiver: service, route: route) {
                            let answer = try await send(credential)
                            requests += 1
                            if (200..<300).contains(answer.status) { accepted += 1 }
                            if answer.status >= 500 { serverErrors += 1 }
                            if answer.status != 401 || answer.header("WWW-Authenticate")?.hasPrefix("Bearer realm=") != true {
                                wrong.append("\(service) \(route) with \(credential.name): \(answer.status) \(answer.header("WWW-Authenticate") ?? "no challenge") \(answer.text.prefix(160))")
                            }
                        }
                        if let valid = ForgedCredentials.valid(userSecret: RunMesh.jwtSecret, tenant: tenant, receiver: service, route: route) {
                            let answer = try await send(valid)
                            if answer.status == 401 || answer.status >= 500 {
                                blocked.append("\(service) \(route) with \(valid.name): \(answer.status) \(answer.text.prefix(160))")
                            }
                        }
                    }
                }
                report.check("every forged or misplaced credential is refused with 401 and a Bearer challenge (\(requests) requests)", failures: wrong)
                report.check("the matching valid credential gets past authentication on every route", failures: blocked)
                report.count("forged_requests", requests)
                report.count("forged_tokens_accepted", accepted)
                report.count("http_5xx", serverErrors)
            }
            try report.finish()
        }
    }
}
