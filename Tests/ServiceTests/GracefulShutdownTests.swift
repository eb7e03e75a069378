import Foundation
import Hummingbird
import MeshTestSupport
import ServiceLifecycle
import Shared
import Synchronization
import Testing

/// The real service binaries start, become ready, and exit 0 on SIGTERM — after finishing the
/// requests in flight.
@Suite struct GracefulShutdownTests {
    @Test(arguments: ServiceEnvironment.services.map(\.name))
    func serviceExitsCleanlyOnSIGTERM(name: String) async throws {
        let service = try #require(ServiceEnvironment.services.first { $0.name == name })
        let output = Pipe()
        let process = try await ServiceEnvironment.launchUntilReady(service.name, key: service.key, output: output)
        defer { if process.isRunning { process.terminate() } }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "\(service.name) did not stop within 20 s of SIGTERM")
        #expect(process.terminationStatus == 0)
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // JSON log lines, one object each.
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
    }

    @Test func aServiceWhosePortIsTakenExitsWithAMessageNotACrash() async throws {
        let port = try LoopbackPort.free()
        let holder = try await ServiceEnvironment.launchUntilReady("spec-service", key: "SPEC", port: port)
        defer { holder.terminate() }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ServiceEnvironment.require("META_BUILDER_BIN_DIR")).appendingPathComponent("spec-service")
        process.environment = try ServiceEnvironment.variables(for: "SPEC", port: port)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = output
        try process.run()
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "the second spec-service did not stop")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        let message = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("spec-service:"))
        #expect(!message.contains("Fatal error"))
    }

    @Test func specServiceFinishesAnInFlightPlanBeforeExiting() async throws {
        // A stand-in agent-service that holds the planning call until the test lets it answer.
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        let released = Atomic<Bool>(false)
        let router = Router()
        router.post("internal/v1/agents/:role/execute") { _, _ -> Response in
            arrived.yield()
            while !released.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(10)) }
            return Response(status: .preconditionFailed, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"FAILED_PRECONDITION","status":412,"message":"held, then refused","details":[]}}"#)))
        }
        let peerPort = try LoopbackPort.free()
        let peer = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: peerPort)), logger: ServiceEnvironment.logger)
        let peerGroup = ServiceGroup(configuration: .init(services: [peer], gracefulShutdownSignals: [], logger: ServiceEnvironment.logger))
        let peerTask = Task { try await peerGroup.run() }
        defer { released.store(true, ordering: .sequentiallyConsistent); peerTask.cancel() }

        let port = try LoopbackPort.free()
        let process = try await ServiceEnvironment.launchUntilReady("spec-service", key: "SPEC", port: port, environment: ["META_BUILDER_AGENT_URL": "http://127.0.0.1:\(peerPort)"])
        defer { if process.isRunning { process.terminate() } }

        let loop = CurlLoop(logger: ServiceEnvironment.logger)
        defer { loop.stop() }
        let http = HTTPClient(loop: loop, authenticator: nil, logger: ServiceEnvironment.logger, retryPolicy: .init(maxAttempts: 1))
        let jwt = JWT(secret: ServiceEnvironment.jwtSecret, issuer: "meta-builder", audience: "meta-builder")
        let token = jwt.sign(JWTClaims(sub: "user-1", tid: UUID().uuidString.lowercased(), role: "owner", exp: Date().timeIntervalSince1970 + 600))
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        let body = #"{"title":"CRM","mode":"freeform","description":"contacts with a name and an email"}"#
        let created = try await http.send(HTTPClientRequest(method: "POST", url: "http://127.0.0.1:\(port)/api/meta/v2/specs", headers: headers, body: Data(body.utf8)), deadline: .after(.seconds(10)))
        #expect(created.status == 201)
        let specID = try #require(try JSONDecoder().decode(JSONValue.self, from: created.body)["id"]?.stringValue)

        // The plan call is in flight (the peer holds it) when SIGTERM arrives.
        let planning = Task {
            try await http.send(HTTPClientRequest(method: "POST", url: "http://127.0.0.1:\(port)/api/meta/v2/specs/\(specID)/plan", headers: headers), deadline: .after(.seconds(30)))
        }
        var iterator = arrivals.makeAsyncIterator()
        await iterator.next()
        kill(process.processIdentifier, SIGTERM)
        // Still serving the held request: the process does not exit under it.
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning, "spec-service exited with a request in flight")
        released.store(true, ordering: .sequentiallyConsistent)
        let answer = try await planning.value
        // The request ran to its end: the peer's answer came back through the service.
        #expect(answer.status == 412)
        #expect(WireError.decode(from: answer.body)?.message.contains("held, then refused") == true)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "spec-service did not stop within 20 s of SIGTERM")
        #expect(process.terminationStatus == 0)
        await peerGroup.triggerGracefulShutdown()
    }

    /// Starts a service binary on `port` with the test environment (plus `environment`), its
    /// output to `output` (or discarded), and waits until it answers `/readyz` with 200.
}
