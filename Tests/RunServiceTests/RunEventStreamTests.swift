import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// `GET /runs/{id}/events` on the real mesh: every transition in order, live, resumable from
    /// `Last-Event-ID`, and many idle streams at the cost of neither threads nor connections.
    @Suite(.serialized) struct RunEventStreamTests {
        /// One received SSE message.
        struct Message: Equatable {
            var id: Int
            var event: String
            var data: JSONValue?
        }

        /// The messages of an SSE body (comments and `retry:` skipped).
        static func messages(_ text: String) -> [Message] {
            text.components(separatedBy: "\n\n").compactMap { block in
                var message = Message(id: 0, event: "", data: nil)
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { message.id = Int(line.dropFirst(4)) ?? -1 }
                    if line.hasPrefix("event: ") { message.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { message.data = try? JSONDecoder().decode(JSONValue.self, from: Data(line.dropFirst(6).utf8)) }
                }
                return message.event.isEmpty ? nil : message
            }
        }

        @Test func everyTransitionArrivesLiveInOrderAndAStreamResumesFromLastEventID() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Tasks", description: RunAPITests.tasks)
                let started = try await mesh.startRun(spec: spec, token: token)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")

                // A live reader: curl prints each message as it arrives.
                let reader = try EventStreamReader(url: "http://127.0.0.1:\(mesh.runPorts[0])/api/meta/v2/runs/\(id)/events", headers: ["Authorization: Bearer \(token)"])
                let firstArrived = try await reader.waitFor("event: run.started")
                // The first event came while the run was still going: the stream is live.
                let whenFirst = try await mesh.call("GET", "/api/meta/v2/runs/\(id)", token: token)
                #expect(firstArrived && !RunMesh.isSettled(whenFirst.json ?? .null), "the first event should arrive before the run ends")
                let ended = await reader.waitForExit(timeout: .seconds(120))
                #expect(ended, "the stream should end after the terminal event")
                let live = Self.messages(reader.output)
                #expect(live.map(\.id) == Array(1...live.count))
                #expect(live.first?.event == "run.started")
                #expect(live.last?.event == "run.succeeded")
                #expect(live.filter { $0.event == "run.step.started" }.map { $0.data?[path: "data", "role"]?.stringValue } == ["codegen_engineer", "devops", "qa_evaluator", "reviewer"])
                #expect(live.allSatisfy { $0.data?["sequence"]?.int == $0.id && $0.data?[path: "data", "run_id"]?.stringValue == id })
                let stored = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(live.map(\.event) == stored.map(\.type))

                // Resuming after event 3 gives exactly 4…N, then the stream ends.
                let resumed = try await mesh.call("GET", "/api/meta/v2/runs/\(id)/events", token: token, headers: [("Last-Event-ID", "3")])
                #expect(resumed.status == 200)
                #expect(resumed.header("Content-Type")?.hasPrefix("text/event-stream") == true)
                #expect(Self.messages(resumed.text) == Array(live.dropFirst(3)))
                // After the terminal event there is nothing more: the stream ends at once.
                let done = try await mesh.call("GET", "/api/meta/v2/runs/\(id)/events", token: token, headers: [("Last-Event-ID", "\(live.count)")])
                #expect(Self.messages(done.text).isEmpty)
                // Bad resume points and other tenants.
                let bad = try await mesh.call("GET", "/api/meta/v2/runs/\(id)/events", token: token, headers: [("Last-Event-ID", "three")])
                #expect(bad.status == 400)
                #expect(bad.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "Last-Event-ID")
                let stranger = try await mesh.call("GET", "/api/meta/v2/runs/\(id)/events", token: RunMesh.token(tenant: UUID(), role: .owner))
                #expect(stranger.status == 404)
            }
        }

        @Test func twoHundredIdleStreamsHoldWithoutAThreadOrAConnectionEachAndAllSeeTheEnd() async throws {
            // No workers: the run stays queued, so its streams stay open and idle.
            try await RunMesh.with(environment: ["META_BUILDER_RUN_WORKERS": "0", "META_BUILDER_SSE_HEARTBEAT_SECONDS": "2"]) { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Tasks", description: RunAPITests.tasks)
                let id = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let streams = 200
                let bodies = Task {
                    try await withThrowingTaskGroup(of: String.self) { group in
                        for _ in 0..<streams {
                            group.addTask {
                                try await mesh.call("GET", "/api/meta/v2/runs/\(id)/events", token: token, timeout: .seconds(120)).text
                            }
                        }
                        return try await group.reduce(into: [String]()) { $0.append($1) }
                    }
                }
                // All of them open.
                #expect(try await mesh.waitForEventStreams(streams, timeout: .seconds(20)) == streams)
                // Held across a few heartbeats: threads and database connections stay bounded.
                try await Task.sleep(for: .seconds(5))
                let pid = try #require(mesh.pid(runService: 0))
                let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
                let threads = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap { Int($0.split(separator: "\t").last ?? "") } ?? 0
                #expect(threads > 0 && threads < 64, "threads: \(threads)")
                let postgresPort = try #require(Int(try RequiredEnvironment.value("META_BUILDER_PG_PORT")))
                let connections = ProcessSockets.connections(pid: pid, toPort: postgresPort)
                #expect(connections <= 8, "postgres connections: \(connections)")
                #expect(try await mesh.call("GET", "/healthz", token: nil, timeout: .seconds(2)).status == 200)
                // The end reaches every stream.
                let cancelled = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: token)
                #expect(cancelled.status == 200)
                let texts = try await bodies.value
                #expect(texts.count == streams)
                #expect(texts.allSatisfy { Self.messages($0).map(\.event) == ["run.started", "run.cancelled"] })
                #expect(texts.allSatisfy { $0.contains(": heartbeat") })
            }
        }
    }
}
