import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MeshTestSupport
import ServiceLifecycle
import Shared
import Synchronization
import Testing

/// `HTTPClient` over a real `CurlLoop` against Hummingbird servers on 127.0.0.1: JSON calls with
/// the propagated deadline, trace, request id and service token; deadline exceeded; UNAVAILABLE
/// retried for idempotent calls only; wire error bodies mapped back; connection refused; task
/// cancellation and loop shutdown ending calls without waiting for the server.
@Suite struct HTTPClientTests {
    /// A body the echo route decodes.
    struct Greeting: Codable, Sendable {
        let name: String
        let count: Int
    }

    /// What the echo route answers.
    struct Reply: Codable, Sendable, ResponseEncodable {
        let message: String
        let count: Int
    }

    static let fastRetries = HTTPClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50))

    /// A client on its own curl loop; the test calls `loop.stop()` when done.
    static func client(serviceName: String = "run-service", peers: PeerConfig = PeerConfig(), retryPolicy: HTTPClient.RetryPolicy = fastRetries, defaultTimeout: Duration = .seconds(10)) -> (HTTPClient, CurlLoop) {
        let loop = CurlLoop(logger: TestEnvironment.logger)
        let authenticator = Authenticator(config: MeshKeys.auth(jwtSecret: TestEnvironment.auth.jwtSecret, for: serviceName), serviceName: serviceName)
        return (HTTPClient(loop: loop, authenticator: authenticator, peers: peers, logger: TestEnvironment.logger, retryPolicy: retryPolicy, defaultTimeout: defaultTimeout), loop)
    }

    // MARK: - A JSON call and what travels with it

    @Test func jsonCallPropagatesDeadlineTraceRequestIDAndIdentity() async throws {
        let received = RequestLog()
        let serverAuthenticator = Authenticator(config: TestEnvironment.auth, serviceName: "spec-service")
        let router = Router()
        router.post("greetings") { request, context -> Response in
            let greeting = try await request.decode(as: Greeting.self, context: context)
            received.record(request.headers, principal: try? serverAuthenticator.authenticate(authorization: request.headers[.authorization]))
            let reply = try JSONEncoder().encode(Reply(message: "hello \(greeting.name)", count: greeting.count + 1))
            return Response(status: .created, headers: [.contentType: "application/json", HTTPField.Name("X-Served-By")!: "test"], body: .init(byteBuffer: ByteBuffer(bytes: reply)))
        }

        let caller = Principal(userID: "user-7", tenantID: UUID(), role: .member)
        let scope = RequestScope(deadline: .after(.seconds(20)), requestID: "req-0123456789", principal: caller)

        try await withLoopbackServer(router) { baseURL in
            // The server stands for the spec-service: tokens sent to its URL are addressed to it.
            let (client, loop) = Self.client(peers: PeerConfig(spec: baseURL))
            defer { loop.stop() }
            let reply = try await RequestScope.$current.withValue(scope) {
                try await client.call("POST", "\(baseURL)/greetings", body: Greeting(name: "Ada", count: 41), as: Reply.self)
            }
            #expect(reply.message == "hello Ada")
            #expect(reply.count == 42)

            let request = try #require(received.requests.first)
            #expect(received.requests.count == 1)
            // The remaining deadline, in milliseconds, no more than the caller's 20 s.
            let timeout = try #require(request.headers[.grpcTimeout])
            #expect(timeout.hasSuffix("m"))
            let parsed = try #require(GRPCTimeout.parse(timeout))
            #expect(parsed > .zero && parsed <= .seconds(20))
            // Same trace, a new span for this hop.
            let trace = try #require(request.headers[.traceparent].flatMap(TraceContext.init(traceparent:)))
            #expect(trace.traceID == scope.trace.traceID)
            #expect(trace.spanID != scope.trace.spanID)
            #expect(request.headers[.xRequestID] == "req-0123456789")
            #expect(request.headers[.contentType] == "application/json")
            // A service token the receiving service verifies to the caller, via run-service.
            #expect(request.headers[.authorization]?.hasPrefix("Bearer ") == true)
            #expect(request.principal == Principal(userID: "user-7", tenantID: caller.tenantID, role: .member, callingService: "run-service"))

            // `send` exposes status and headers of the same exchange.
            let response = try await RequestScope.$current.withValue(scope) {
                try await client.send(HTTPClientRequest(method: "POST", url: "\(baseURL)/greetings", headers: [("Content-Type", "application/json")], body: Data(#"{"name":"Bob","count":1}"#.utf8)))
            }
            #expect(response.status == 201)
            #expect(response.header("x-served-by") == "test")
            #expect(try JSONDecoder().decode(Reply.self, from: response.body).message == "hello Bob")

            // A caller's identity is never sent to a URL that is no service of the mesh.
            let (stray, strayLoop) = Self.client(peers: PeerConfig(spec: "http://127.0.0.1:9"))
            defer { strayLoop.stop() }
            await #expect(throws: WireError.self) {
                try await RequestScope.$current.withValue(scope) { try await stray.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/greetings")) }
            }
            #expect(received.requests.count == 2)
        }
    }

    @Test func withoutARequestScopeNoIdentityOrRequestIDIsSent() async throws {
        let received = RequestLog()
        let router = Router()
        router.get("plain") { request, _ -> Response in
            received.record(request.headers, principal: nil)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"ok","count":0}"#)))
        }
        let (client, loop) = Self.client(defaultTimeout: .seconds(10))
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            let reply = try await client.call("GET", "\(baseURL)/plain", as: Reply.self)
            #expect(reply.message == "ok")
            let request = try #require(received.requests.first)
            #expect(request.headers[.authorization] == nil)
            #expect(request.headers[.xRequestID] == nil)
            #expect(request.headers[.traceparent].flatMap(TraceContext.init(traceparent:)) != nil)
            let timeout = try #require(request.headers[.grpcTimeout].flatMap(GRPCTimeout.parse))
            #expect(timeout > .zero && timeout <= .seconds(10))
        }
    }

    @Test func anExternalClientSendsNoTokenOrMeshHeadersEvenInsideARequestScope() async throws {
        let received = RequestLog()
        let router = Router()
        router.get("outside") { request, _ -> Response in
            received.record(request.headers, principal: nil)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"ok","count":0}"#)))
        }
        let loop = CurlLoop(logger: TestEnvironment.logger)
        defer { loop.stop() }
        let client = HTTPClient.external(loop: loop, logger: TestEnvironment.logger)
        let scope = RequestScope(deadline: .after(.seconds(20)), requestID: "req-mesh-only", principal: Principal(userID: "user-7", tenantID: UUID(), role: .owner))

        try await withLoopbackServer(router) { baseURL in
            let reply = try await RequestScope.$current.withValue(scope) {
                try await client.call("GET", "\(baseURL)/outside", as: Reply.self)
            }
            #expect(reply.message == "ok")
            let request = try #require(received.requests.first)
            #expect(request.headers[.authorization] == nil)
            #expect(request.headers[.xRequestID] == nil)
            #expect(request.headers[.traceparent] == nil)
            #expect(request.headers[.grpcTimeout] == nil)
        }
    }

    // MARK: - Deadlines, retries, errors

    @Test func slowServerExceedsTheDeadline() async throws {
        let slow = SlowRoute()
        let router = Router()
        // The server holds far longer than the deadline; the deadline itself is generous enough that
        // the request reaches the handler even on a loaded CI machine (where 300 ms was not).
        slow.register(on: router, path: "slow", holdAtMost: .seconds(30))
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            defer { slow.gate.open() }
            let error = await #expect(throws: WireError.self) {
                try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/slow"), deadline: .after(.seconds(2)))
            }
            #expect(error?.code == .deadlineExceeded)
            // The client gave up while the server was still holding the request, and did not retry.
            #expect(slow.started.load(ordering: .sequentiallyConsistent) == 1)
            #expect(slow.answered.load(ordering: .sequentiallyConsistent) == 0)
            let timeout = try #require(slow.headers.first?[.grpcTimeout].flatMap(GRPCTimeout.parse))
            #expect(timeout <= .seconds(2))
        }
    }

    /// A 2xx body that is not the documented type is the peer's bug: INTERNAL, sent once (never
    /// retried, no Retry-After), counted per peer; the message names neither types nor paths.
    @Test func aBodyThatBreaksTheContractIsInternalAndCounted() async throws {
        let calls = Atomic<Int>(0)
        let router = Router()
        router.get("drifted") { _, _ -> Response in
            calls.add(1, ordering: .sequentiallyConsistent)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":42}"#)))
        }
        let loop = CurlLoop(logger: TestEnvironment.logger)
        defer { loop.stop() }
        let metrics = MetricsRegistry()
        let client = HTTPClient(loop: loop, authenticator: nil, logger: TestEnvironment.logger, metrics: metrics, retryPolicy: Self.fastRetries)
        try await withLoopbackServer(router) { baseURL in
            let error = await #expect(throws: WireError.self) {
                _ = try await client.call("GET", "\(baseURL)/drifted", idempotent: true, as: Reply.self)
            }
            #expect(error?.code == .internal && error?.retryAfter == nil)
            #expect(error?.message.contains("Reply") == false && error?.message.contains("/drifted") == false, "\(error?.message ?? "")")
            #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
            let port = try #require(URLComponents(string: baseURL)?.port)
            #expect(metrics.render().contains("meta_builder_peer_contract_violations_total{peer=\"127.0.0.1:\(port)\"} 1"), "\(metrics.render())")
        }
    }

    @Test func unavailableIdempotentCallIsRetriedUntilItSucceeds() async throws {
        let flaky = FlakyRoute(failures: 2)
        let router = Router()
        flaky.register(on: router)
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            let response = try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/flaky"))
            #expect(response.status == 200)
            #expect(flaky.calls.load(ordering: .sequentiallyConsistent) == 3)
        }
    }

    @Test func unavailableNonIdempotentCallIsNotRetried() async throws {
        let flaky = FlakyRoute(failures: 2)
        let router = Router()
        flaky.register(on: router)
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            let error = await #expect(throws: WireError.self) {
                try await client.call("POST", "\(baseURL)/flaky", body: Greeting(name: "once", count: 1), as: Reply.self)
            }
            #expect(error?.code == .unavailable)
            #expect(flaky.calls.load(ordering: .sequentiallyConsistent) == 1)

            // Declared idempotent (e.g. it carries an Idempotency-Key), the same POST is retried.
            let reply = try await client.call("POST", "\(baseURL)/flaky", body: Greeting(name: "again", count: 1), idempotent: true, as: Reply.self)
            #expect(reply.message == "ok after 3 calls")
            #expect(flaky.calls.load(ordering: .sequentiallyConsistent) == 3)
        }
    }

    @Test func alwaysUnavailableSurfacesAfterMaxAttempts() async throws {
        let down = FlakyRoute(failures: .max)
        let router = Router()
        down.register(on: router)
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            let error = await #expect(throws: WireError.self) {
                try await client.call("GET", "\(baseURL)/flaky", as: Reply.self)
            }
            #expect(error?.code == .unavailable)
            #expect(down.calls.load(ordering: .sequentiallyConsistent) == Self.fastRetries.maxAttempts)
        }
    }

    @Test func wireErrorBodyIsMappedBack() async throws {
        let calls = Atomic<Int>(0)
        let router = Router()
        router.get("specs/:id") { _, context -> Response in
            calls.add(1, ordering: .sequentiallyConsistent)
            let id = context.parameters.get("id") ?? ""
            return Response(status: .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"NOT_FOUND","status":404,"message":"spec \#(id) not found","details":[]}}"#)))
        }
        router.post("specs") { _, _ -> Response in
            Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"INVALID_ARGUMENT","status":400,"message":"invalid field 'name': is required","details":[{"field":"name","reason":"is required"}]}}"#)))
        }
        router.get("html") { _, _ -> Response in
            Response(status: .notFound, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<h1>Not Found</h1>")))
        }
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            await #expect(throws: WireError(.notFound, "spec x not found")) {
                try await client.call("GET", "\(baseURL)/specs/x", as: Reply.self)
            }
            #expect(calls.load(ordering: .sequentiallyConsistent) == 1, "a NOT_FOUND is not retried")

            await #expect(throws: WireError(.invalidArgument, "invalid field 'name': is required", details: [.init(field: "name", reason: "is required")])) {
                try await client.call("POST", "\(baseURL)/specs", body: Greeting(name: "", count: 0), as: Reply.self)
            }

            // A body that is not a wire error: the code comes from the status.
            let error = await #expect(throws: WireError.self) {
                try await client.call("GET", "\(baseURL)/html", as: Reply.self)
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("404") == true)
        }
    }

    @Test func connectionRefusedIsUnavailable() async throws {
        let (client, loop) = Self.client(retryPolicy: .init(maxAttempts: 1))
        defer { loop.stop() }
        try await TestEnvironment.withRefusingPort { port in
            let error = await #expect(throws: WireError.self) {
                try await client.send(HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(port)/anything"))
            }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func onlyHTTPLeavesTheProcessAndNoRedirectIsFollowed() async throws {
        let (client, loop) = Self.client(retryPolicy: .init(maxAttempts: 1))
        defer { loop.stop() }
        // Other schemes are refused before anything is opened or connected.
        let listener = try SilentPort()
        for url in ["file:///etc/hostname", "gopher://127.0.0.1:\(listener.port)/_FLUSHALL", "dict://127.0.0.1:\(listener.port)/info", "ftp://127.0.0.1:\(listener.port)/"] {
            let error = await #expect(throws: WireError.self, "\(url)") {
                try await client.send(HTTPClientRequest(method: "GET", url: url))
            }
            #expect(error?.code == .failedPrecondition, "\(url): \(String(describing: error))")
        }
        #expect(listener.connectionsMade == 0)
        // A redirect is an answer, not an instruction: its target (here a loopback port) is
        // never connected to.
        let router = Router()
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "http://127.0.0.1:\(listener.port)/inside"]) }
        try await withLoopbackServer(router) { baseURL in
            let answer = try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/moved"))
            #expect(answer.status == 302)
        }
        #expect(listener.connectionsMade == 0, "the redirect's target was connected to")
        // The count is real: a plain TCP connection shows in it.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(listener.port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        #expect(connected)
        // The kernel queues the handshake's last ACK, so the count may lag the connect a moment.
        #expect(await eventually { listener.connectionsMade == 1 }, "a plain connection was not counted")
    }

    // MARK: - Ending calls early

    /// Starts a GET the server holds (up to 10 s), waits until the server has it, interrupts it
    /// with `interrupt`, and hands the call's result to `check` while the server still holds it.
    private func interruptHeldCall(
        _ interrupt: (Task<HTTPClientResponse, any Error>, CurlLoop) -> Void,
        check: (Result<HTTPClientResponse, any Error>, SlowRoute, HTTPClient, String) async throws -> Void
    ) async throws {
        let slow = SlowRoute()
        let router = Router()
        slow.register(on: router, path: "slow", holdAtMost: .seconds(10))
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            defer { slow.gate.open() }
            let call = Task {
                try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/slow"))
            }
            let arrived = await pollUntil { slow.started.load(ordering: .sequentiallyConsistent) == 1 }
            try #require(arrived, "the request never reached the server")
            interrupt(call, loop)
            let result = await call.result
            // Had the client ignored the interruption, it would have waited for the server's
            // answer (up to 10 s) and returned it; the server has not answered.
            #expect(slow.answered.load(ordering: .sequentiallyConsistent) == 0)
            try await check(result, slow, client, baseURL)
        }
    }

    @Test func cancellingTheTaskEndsAnInFlightCall() async throws {
        try await interruptHeldCall({ call, _ in call.cancel() }) { result, _, _, _ in
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }

    @Test func callFromAnAlreadyCancelledTaskIsNotSent() async throws {
        let calls = Atomic<Int>(0)
        let router = Router()
        router.get("fast") { _, _ -> String in
            calls.add(1, ordering: .sequentiallyConsistent)
            return "sent anyway"
        }
        let (client, loop) = Self.client()
        defer { loop.stop() }

        try await withLoopbackServer(router) { baseURL in
            var leaked = 0
            for _ in 0..<100 {
                let call = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/fast"))
                }
                if case .success = await call.result { leaked += 1 }
            }
            #expect(leaked == 0, "\(leaked) of 100 cancelled calls completed")
            #expect(calls.load(ordering: .sequentiallyConsistent) == 0)
        }
    }

    @Test func stoppingTheLoopFailsCallsInFlightAndAfter() async throws {
        try await interruptHeldCall({ _, loop in loop.stop() }) { result, slow, client, baseURL in
            #expect(throws: WireError(.unavailable, "HTTP client is shutting down")) { try result.get() }
            await #expect(throws: WireError(.unavailable, "HTTP client is shutting down")) {
                try await client.send(HTTPClientRequest(method: "GET", url: "\(baseURL)/slow"))
            }
            #expect(slow.started.load(ordering: .sequentiallyConsistent) == 1, "a stopped loop sent a request")
        }
    }
}

// MARK: - Test servers

/// Runs a Hummingbird server on 127.0.0.1 (a free port) for the duration of `body`, which gets
/// its base URL; the server shuts down gracefully afterwards.
private func withLoopbackServer<Value: Sendable>(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Value) async throws -> Value {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "http-client-test"),
        onServerRunning: { channel in
            if let port = channel.localAddress?.port { portContinuation.yield(port) }
            portContinuation.finish()
        },
        logger: TestEnvironment.logger
    )
    let serviceGroup = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: TestEnvironment.logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { portContinuation.finish() }
            try await serviceGroup.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await group.waitForAll()
            throw ServerDidNotStart()
        }
        let outcome: Result<Value, any Error>
        do {
            outcome = .success(try await body("http://127.0.0.1:\(port)"))
        } catch {
            outcome = .failure(error)
        }
        await serviceGroup.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}

private struct ServerDidNotStart: Error {}

/// Polls `condition` every 10 ms until it holds (true) or `timeout` passes (false).
private func pollUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let giveUp = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= giveUp { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// The requests a route received, with the principal the server verified from each.
private final class RequestLog: Sendable {
    struct Entry: Sendable {
        let headers: HTTPFields
        let principal: Principal?
    }

    private let entries = Mutex<[Entry]>([])

    var requests: [Entry] { entries.withLock { $0 } }

    func record(_ headers: HTTPFields, principal: Principal?) {
        entries.withLock { $0.append(Entry(headers: headers, principal: principal)) }
    }
}

/// A latch the test opens; a route waits on it (bounded).
private final class Gate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() { isOpen.store(true, ordering: .sequentiallyConsistent) }

    /// Waits until opened or `limit` passes; false when the task was cancelled first.
    func wait(atMost limit: Duration) async -> Bool {
        let giveUp = ContinuousClock.now + limit
        while !isOpen.load(ordering: .sequentiallyConsistent), ContinuousClock.now < giveUp {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return false }
        }
        return true
    }
}

/// A route that holds each request until the test opens its gate (or a bound passes), counting
/// requests that arrived and requests it answered.
private final class SlowRoute: Sendable {
    let gate = Gate()
    let started = Atomic<Int>(0)
    let answered = Atomic<Int>(0)
    private let received = Mutex<[HTTPFields]>([])

    var headers: [HTTPFields] { received.withLock { $0 } }

    func register(on router: Router<BasicRequestContext>, path: RouterPath, holdAtMost limit: Duration) {
        router.get(path) { request, _ -> Response in
            self.received.withLock { $0.append(request.headers) }
            self.started.add(1, ordering: .sequentiallyConsistent)
            guard await self.gate.wait(atMost: limit) else {
                // Cancelled by the server (client went away): no answer.
                return Response(status: .serviceUnavailable)
            }
            self.answered.add(1, ordering: .sequentiallyConsistent)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "finally")))
        }
    }
}

/// `GET`/`POST /flaky`: 503 (no `Retry-After`) for the first `failures` calls, then 200.
private final class FlakyRoute: Sendable {
    let calls = Atomic<Int>(0)
    private let failures: Int

    init(failures: Int) {
        self.failures = failures
    }

    func register(on router: Router<BasicRequestContext>) {
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            let call = self.calls.add(1, ordering: .sequentiallyConsistent).newValue
            guard call > self.failures else { return Response(status: .serviceUnavailable) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"ok after \#(call) calls","count":\#(call)}"#)))
        }
        router.get("flaky", use: handler)
        router.post("flaky", use: handler)
    }
}

// MARK: - Streamed answers

extension HTTPClientTests {
    /// `stream` hands a 2xx body over chunk by chunk while the answer is still coming (the second
    /// chunk is written only after the client saw the first), and keeps an error answer's body
    /// whole so its wire error is read as usual.
    @Test func streamHandsOverChunksAsTheyArriveAndKeepsAnErrorBody() async throws {
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.get("events") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "id: 1\n\n"))
                for await _ in released { break }
                try await writer.write(ByteBuffer(string: "id: 2\n\n"))
                try await writer.finish(nil)
            })
        }
        router.get("missing") { _, _ -> Response in
            throw WireError(.notFound, "no such stream")
        }
        let (client, loop) = Self.client()
        defer { loop.stop() }
        try await withLoopbackServer(router) { baseURL in
            let chunks = Mutex<[String]>([])
            let response = try await client.stream(HTTPClientRequest(method: "GET", url: "\(baseURL)/events", headers: [("Accept", "text/event-stream")]), deadline: .after(.seconds(20))) { chunk in
                let first = chunks.withLock { chunks in
                    chunks.append(String(decoding: chunk, as: UTF8.self))
                    return chunks.count == 1
                }
                // Only the first chunk's arrival lets the server write the second.
                if first { release.yield(()) }
            }
            #expect(response.status == 200)
            #expect(response.body.isEmpty, "a streamed body is not kept")
            #expect(chunks.withLock { $0.joined() } == "id: 1\n\nid: 2\n\n")
            #expect(chunks.withLock { $0.count } >= 2)

            let missing = try await client.stream(HTTPClientRequest(method: "GET", url: "\(baseURL)/missing"), deadline: .after(.seconds(20))) { _ in
                Issue.record("an error answer's body was streamed")
            }
            #expect(missing.status == 404)
            #expect(missing.wireError?.code == .notFound && missing.wireError?.message == "no such stream")
        }
    }
}
