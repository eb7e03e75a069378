import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import Shared

/// The common endpoints and the request pipeline of every service, over real HTTP.
@Suite struct ServerTests {
    private func withApp(maxBodyBytes: Int = 1 << 20, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try TestServiceApp.make(config: try TestEnvironment.serviceConfig(maxBodyBytes: maxBodyBytes))
        try await app.test(.live) { client in try await test(client) }
    }

    private func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func healthAndReadiness() async throws {
        try await withApp { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#""status":"ok""#))
                #expect(response.headers[.xRequestID] != nil)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#""postgres":"ok""#))
                #expect(response.text.contains(#""redis":"ok""#))
            }
        }
    }

    @Test func metricsAreLabelledByRouteTemplate() async throws {
        try await withApp { client in
            _ = try await client.execute(uri: "/sleep/0", method: .get)
            _ = try await client.execute(uri: "/sleep/0.01", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#"meta_builder_http_requests_total{method="GET",route="/sleep/{seconds}",status="200"} 2"#))
                #expect(response.text.contains("meta_builder_http_request_duration_seconds_bucket"))
                #expect(!response.text.contains("/sleep/0.01"))
            }
        }
    }

    @Test func openAPIDocumentIsServed() async throws {
        try await withApp { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                #expect(document["openapi"]?.stringValue == "3.1.0")
            }
        }
    }

    @Test func traceparentAndRequestIDAreEchoed() async throws {
        try await withApp { client in
            let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            var headers = HTTPFields()
            headers[.traceparent] = traceparent
            headers[.xRequestID] = "req-123"
            try await client.execute(uri: "/healthz", method: .get, headers: headers) { response in
                #expect(response.headers[.traceparent]?.contains("0af7651916cd43dd8448eb211c80319c") == true)
                #expect(response.headers[.xRequestID] == "req-123")
            }
        }
    }

    @Test func malformedJSONIsInvalidArgument() async throws {
        try await withApp { client in
            try await client.execute(uri: "/echo", method: .post, body: json(#"{"name": "x", "#)) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.code == .invalidArgument)
                #expect(response.wireError?.message.contains("not valid JSON") == true)
            }
        }
    }

    @Test func wrongTypesAndMissingFieldsNameTheField() async throws {
        try await withApp { client in
            try await client.execute(uri: "/echo", method: .post, body: json(#"{"name": "x", "count": "three"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.details.first?.field == "count")
                #expect(response.wireError?.message.contains("expected number") == true)
            }
            try await client.execute(uri: "/echo", method: .post, body: json(#"{"count": 3}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.details.first?.field == "name")
            }
            try await client.execute(uri: "/echo", method: .post, body: json(#"{"name": "x", "count": 1, "tags": ["a", 2]}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.details.first?.field == "tags[1]")
            }
            try await client.execute(uri: "/echo", method: .post) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.code == .invalidArgument)
            }
            try await client.execute(uri: "/echo", method: .post, body: json(#"{"name": "ok", "count": 2}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#""count":2"#))
            }
        }
    }

    @Test func oversizedBodyIsRejected() async throws {
        try await withApp(maxBodyBytes: 4096) { client in
            let big = #"{"name": ""# + String(repeating: "a", count: 10_000) + #"", "count": 1}"#
            try await client.execute(uri: "/echo", method: .post, body: json(big)) { response in
                #expect(response.status.code == 413)
                #expect(response.wireError?.code == .invalidArgument)
                #expect(response.wireError?.message.contains("4096") == true)
            }
        }
    }

    @Test func unknownPathsAreNotFound() async throws {
        try await withApp { client in
            for (uri, method) in [("/nope", HTTPRequest.Method.get), ("/api/meta/v2/unknown", .post), ("/sleep/1/more", .get), ("/echo/x", .post)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(response.wireError?.code == .notFound)
                    #expect(response.headers[.allow] == nil)
                }
            }
        }
    }

    /// A method the contract does not declare on a path it declares is 405 with the methods it
    /// does declare, authenticated route or not (HEAD too: the contract declares none).
    @Test func undeclaredMethodsOnDeclaredPathsAreMethodNotAllowed() async throws {
        try await withApp { client in
            for (uri, method, allowed) in [
                ("/healthz", HTTPRequest.Method.trace, "GET"), ("/healthz", .head, "GET"), ("/echo", .get, "POST"),
                ("/sleep/3", .post, "GET"), ("/api/meta/v2/whoami", .put, "GET"), ("/internal/v1/audit", .delete, "GET"),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status.code == 405, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allowed, "\(method) \(uri)")
                    // A HEAD answer has no body.
                    if method != .head { #expect(response.wireError?.code == .unimplemented) }
                }
            }
        }
    }

    @Test func malformedDeadlineHeaderIsInvalidArgument() async throws {
        try await withApp { client in
            try await client.execute(uri: "/healthz", method: .get, headers: [.grpcTimeout: "soon"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.details.first?.field == "Grpc-Timeout")
            }
        }
    }

    @Test func requestPastItsDeadlineAnswersDeadlineExceeded() async throws {
        try await withApp { client in
            try await client.execute(uri: "/sleep/3", method: .get, headers: [.grpcTimeout: "300m"]) { response in
                #expect(response.status == .gatewayTimeout)
                #expect(response.wireError?.code == .deadlineExceeded)
            }
        }
    }

    @Test func slowQueryDoesNotDelayHealthz() async throws {
        try await withApp { client in
            let port = try #require(client.port)
            // Separate connections through the curl client: the test client has only one.
            let loop = CurlLoop(logger: TestEnvironment.logger)
            defer { loop.stop() }
            let http = HTTPClient(loop: loop, authenticator: nil, logger: TestEnvironment.logger)
            let sleepFinished = Atomic<Bool>(false)
            async let slow: Void = {
                let response = try await http.send(HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(port)/sleep/3"), deadline: .after(.seconds(10)))
                #expect(response.status == 200)
                sleepFinished.store(true, ordering: .sequentiallyConsistent)
            }()
            try await Task.sleep(for: .milliseconds(300))
            for _ in 0..<5 {
                let health = try await http.send(HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz"), deadline: .after(.seconds(10)))
                #expect(health.status == 200)
            }
            // Health answered while the 3 s query was still running.
            let finishedBeforeHealth = sleepFinished.load(ordering: .sequentiallyConsistent)
            #expect(!finishedBeforeHealth)
            try await slow
            let finishedAtEnd = sleepFinished.load(ordering: .sequentiallyConsistent)
            #expect(finishedAtEnd)
        }
    }

    @Test func authenticatedRoutesNeedAValidToken() async throws {
        try await withApp { client in
            let tenant = UUID()
            try await client.execute(uri: "/api/meta/v2/whoami", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.wireError?.code == .unauthenticated)
            }
            let expired = TestEnvironment.userToken(tenant: tenant, role: .viewer, expiresIn: -3600)
            try await client.execute(uri: "/api/meta/v2/whoami", method: .get, headers: [.authorization: "Bearer \(expired)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.wireError?.message.contains("expired") == true)
            }
            let valid = TestEnvironment.userToken(sub: "alice", tenant: tenant, role: .member)
            try await client.execute(uri: "/api/meta/v2/whoami", method: .get, headers: [.authorization: "Bearer \(valid)"]) { response in
                #expect(response.status == .ok)
                #expect(response.text == "alice@\(tenant.uuidString.lowercased()):member")
            }
        }
    }
}
