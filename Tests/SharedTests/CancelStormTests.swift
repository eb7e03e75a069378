import Foundation
import MeshTestSupport
import Testing
@testable import Shared

/// Cancelling statements never blocks anyone else: 64 statements cancelled at once, whose
/// cancel requests hang (the server's address black-holes new connections), leave other
/// requests served, because each cancel is sent from its connection's own thread and never from
/// the cooperative pool or a global queue. Had a cancel blocked a caller's thread, the other
/// handler's requests would wait for the black hole, which only ends when the test stops it.
@Suite struct CancelStormTests {
    static let statements = 64

    @Test(.timeLimit(.minutes(2)))
    func sixtyFourHangingCancellationsLeaveOtherRequestsServed() async throws {
        var through = try TestEnvironment.database(poolSize: Self.statements)
        var address = try #require(URLComponents(string: through.url))
        let proxy = try FaultProxy(upstreamPort: try #require(address.port))
        defer { proxy.stop() }
        address.port = proxy.port
        through.url = try #require(address.string)
        let name = "cancel-storm-\(UUID().uuidString.prefix(8).lowercased())"
        let slow = PostgresPool(config: through, applicationName: name, logger: TestEnvironment.logger)
        defer { slow.close() }
        let pool = PostgresPool(config: try TestEnvironment.database(poolSize: 4), applicationName: name + "-bystander", logger: TestEnvironment.logger)
        defer { pool.close() }
        func running() async throws -> Int {
            try await pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND application_name = \(name)")[0].decode("n", as: Int.self)
        }

        let sleepers = (0..<Self.statements).map { _ in
            Task { try await slow.query("SELECT pg_sleep(30)", deadline: .after(.seconds(90))) }
        }
        var started = 0
        for _ in 0..<400 where started < Self.statements {
            try await Task.sleep(for: .milliseconds(50))
            started = try await running()
        }
        try #require(started == Self.statements, "\(started) of \(Self.statements) statements started")

        proxy.blackHole()
        sleepers.forEach { $0.cancel() }
        // Another handler's requests, one after another, while every cancel request hangs.
        var served = 0
        for index in 0..<40 {
            let row = try await pool.query("SELECT \(index)::int + 1 AS n", deadline: .after(.seconds(30)))[0]
            if try row.decode("n", as: Int.self) == index + 1 { served += 1 }
        }
        #expect(served == 40)
        #expect(try await running() == Self.statements, "no cancel request reached the server while the other handler was served")

        // Let the cancels through; the statements end and their callers see the cancellation.
        proxy.stop()
        for sleeper in sleepers {
            let result = await sleeper.result
            #expect(throws: (any Error).self) { try result.get() }
        }
        _ = try await pool.query("SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = \(name)")
    }
}
