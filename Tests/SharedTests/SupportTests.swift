import Foundation
import MeshTestSupport
import Testing
@testable import Shared

/// Deadlines, `Grpc-Timeout`, W3C trace context, configuration.
@Suite struct SupportTests {
    @Test(arguments: [("5S", Duration.seconds(5)), ("250m", .milliseconds(250)), ("2M", .seconds(120)), ("1H", .seconds(3600)), ("100u", .microseconds(100)), ("7n", .nanoseconds(7))])
    func grpcTimeoutParses(header: String, expected: Duration) {
        #expect(GRPCTimeout.parse(header) == expected)
    }

    @Test(arguments: ["", "5", "S", "5s", "123456789S", "-5S", "1.5S", "５S"])
    func malformedGrpcTimeoutIsRejected(header: String) {
        #expect(GRPCTimeout.parse(header) == nil)
    }

    @Test func grpcTimeoutFormatsMillisecondsWithinEightDigits() {
        #expect(GRPCTimeout.format(milliseconds: 1500) == "1500m")
        #expect(GRPCTimeout.format(milliseconds: -3) == "0m")
        #expect(GRPCTimeout.format(milliseconds: 1_000_000_000) == "99999999m")
    }

    @Test func deadlineCountsDown() throws {
        let deadline = Deadline.after(.seconds(10))
        #expect(deadline.remainingMilliseconds > 9_000 && deadline.remainingMilliseconds <= 10_000)
        #expect(!deadline.isExpired)
        let past = Deadline.after(.milliseconds(-1))
        #expect(past.isExpired)
        #expect(past.remaining == .zero)
        let error = #expect(throws: WireError.self) { try past.check("the test") }
        #expect(error?.code == .deadlineExceeded)
        #expect(deadline.earliest(past) == past)
    }

    @Test func traceparentParsesAndPropagates() throws {
        let trace = try #require(TraceContext(traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        let child = trace.child()
        #expect(child.traceID == trace.traceID)
        #expect(child.spanID != trace.spanID)
        #expect(TraceContext(traceparent: child.traceparent) == child)
    }

    @Test(arguments: ["", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-zzzzzzzzzzzzzzzz-01"])
    func malformedTraceparentStartsANewTrace(header: String) {
        #expect(TraceContext(traceparent: header) == nil)
    }

    @Test func configurationErrorsNameTheKey() throws {
        let base = [
            "META_BUILDER_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
            "META_BUILDER_JWT_SECRET": String(repeating: "a", count: 32),
        ].merging(MeshKeys.environment(for: "spec-service")) { $1 }
        let config = try ServiceConfig(serviceName: "spec-service", defaultPort: 8081, reader: ConfigReader(base))
        #expect(config.server.port == 8081)
        #expect(config.server.maxBodyBytes == 1 << 20)
        #expect(config.rateLimits.limit(for: .specs) == 20)
        #expect(config.redis.port == 6379)
        for (key, value) in [("META_BUILDER_PORT", "eighty"), ("META_BUILDER_JWT_SECRET", "short"), ("META_BUILDER_REDIS_URL", "http://x"), ("META_BUILDER_RATE_LIMIT_RUNS", "0"), ("META_BUILDER_LOG_LEVEL", "loud"), ("META_BUILDER_SERVICE_KEY", "not-a-key"), ("META_BUILDER_SERVICE_PUBLIC_KEYS", "spec-service:short")] {
            let error = #expect(throws: ConfigError.self) {
                try ServiceConfig(serviceName: "spec-service", defaultPort: 8081, reader: ConfigReader(base.merging([key: value]) { $1 }))
            }
            #expect(error?.key == key)
        }
        let missing = #expect(throws: ConfigError.self) {
            try ServiceConfig(serviceName: "spec-service", defaultPort: 8081, reader: ConfigReader([:]))
        }
        #expect(missing?.key == "META_BUILDER_DATABASE_URL")
    }

    @Test func wireErrorBodyRoundTrips() throws {
        let error = WireError.invalidArgument(field: "title", "must not be empty")
        let decoded = try #require(WireError.decode(from: error.jsonBody))
        #expect(decoded.code == .invalidArgument)
        #expect(decoded.details == [.init(field: "title", reason: "must not be empty")])
        #expect(String(decoding: error.jsonBody, as: UTF8.self).contains(#""status":400"#))
        #expect(StatusCode.allCases.allSatisfy { StatusCode(httpStatus: $0.httpStatus).httpStatus == $0.httpStatus })
    }
}

/// UUIDs in the lowercase text form the platform writes, without Foundation's sprintf/sscanf.
@Suite struct UUIDTextTests {
    @Test func textRoundTripsAndMatchesFoundation() {
        for _ in 0..<500 {
            let uuid = UUID()
            #expect(uuid.lowercaseText == uuid.uuidString.lowercased())
            #expect(UUID(text: uuid.lowercaseText) == uuid)
            #expect(UUID(text: uuid.uuidString) == uuid)
        }
    }

    @Test(arguments: ["", "not-a-uuid", "6f1c1c7e2b1a4f7e9a550d3c8b1e2f40", "6f1c1c7e-2b1a-4f7e-9a55-0d3c8b1e2f4", "6f1c1c7e-2b1a-4f7e-9a55-0d3c8b1e2f400",
                      "6f1c1c7e-2b1a-4f7e-9a55_0d3c8b1e2f40", "6g1c1c7e-2b1a-4f7e-9a55-0d3c8b1e2f40", " 6f1c1c7e-2b1a-4f7e-9a55-0d3c8b1e2f40"])
    func malformedTextIsNotAUUID(_ text: String) {
        #expect(UUID(text: text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }
}
