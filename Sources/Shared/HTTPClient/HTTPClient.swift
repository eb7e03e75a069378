import Foundation
import Logging
import Metrics

/// JSON over HTTP between the services of the mesh, in the style of gRPC: the remaining deadline
/// travels as `Grpc-Timeout` and bounds the curl transfer, `traceparent` and the request id
/// propagate, the caller's identity travels in a service token, error bodies map back to the
/// wire error, and UNAVAILABLE is retried with backoff for idempotent calls only. A peer's answer
/// that breaks the contract is INTERNAL (a bug to fix, never retried), logged with the peer and
/// the trace id and counted. Calls that leave the mesh use an `external(loop:logger:)` client,
/// which sends none of that context.
public struct HTTPClient: Sendable {
    /// How UNAVAILABLE failures of idempotent calls are retried.
    public struct RetryPolicy: Sendable {
        /// Attempts in all, including the first.
        public var maxAttempts: Int
        /// Backoff before the second attempt; doubled each time, with jitter.
        public var initialBackoff: Duration
        /// Upper bound of one backoff.
        public var maxBackoff: Duration

        /// Creates a policy.
        public init(maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2)) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
        }
    }

    private let loop: CurlLoop
    private let authenticator: Authenticator?
    private let peers: PeerConfig
    private let sendsMeshContext: Bool
    private let retryPolicy: RetryPolicy
    private let defaultTimeout: Duration
    private let maximumResponseBytes: Int
    private let logger: Logger
    private let metricsFactory: (any MetricsFactory)?

    /// Creates a client over a curl loop; with an authenticator it sends service tokens, each
    /// addressed to the peer whose base URL the request's URL starts with. With `metrics`,
    /// contract violations are counted in `meta_builder_peer_contract_violations_total`.
    public init(loop: CurlLoop, authenticator: Authenticator?, peers: PeerConfig = PeerConfig(), logger: Logger, metrics: MetricsRegistry? = nil, retryPolicy: RetryPolicy = RetryPolicy(), defaultTimeout: Duration = .seconds(30), maximumResponseBytes: Int = 16 << 20) {
        self.init(loop: loop, authenticator: authenticator, peers: peers, sendsMeshContext: true, logger: logger, metricsFactory: metrics?.factory, retryPolicy: retryPolicy, defaultTimeout: defaultTimeout, maximumResponseBytes: maximumResponseBytes)
    }

    /// A client for calls that leave the mesh (a model provider, a generated app under test): it
    /// sends no service token and none of the mesh's `Grpc-Timeout`, `traceparent` or
    /// `X-Request-Id` headers. The deadline still bounds the transfer.
    public static func external(loop: CurlLoop, logger: Logger, retryPolicy: RetryPolicy = RetryPolicy(), defaultTimeout: Duration = .seconds(30), maximumResponseBytes: Int = 16 << 20) -> HTTPClient {
        HTTPClient(loop: loop, authenticator: nil, peers: PeerConfig(), sendsMeshContext: false, logger: logger, metricsFactory: nil, retryPolicy: retryPolicy, defaultTimeout: defaultTimeout, maximumResponseBytes: maximumResponseBytes)
    }

    private init(loop: CurlLoop, authenticator: Authenticator?, peers: PeerConfig, sendsMeshContext: Bool, logger: Logger, metricsFactory: (any MetricsFactory)?, retryPolicy: RetryPolicy, defaultTimeout: Duration, maximumResponseBytes: Int) {
        self.loop = loop
        self.authenticator = authenticator
        self.peers = peers
        self.sendsMeshContext = sendsMeshContext
        self.retryPolicy = retryPolicy
        self.defaultTimeout = defaultTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Sends a request; transport failures throw wire errors, HTTP errors are returned.
    public func send(_ request: HTTPClientRequest, deadline: Deadline? = RequestScope.current?.deadline) async throws -> HTTPClientResponse {
        let deadline = deadline ?? .after(defaultTimeout)
        var attempt = 1
        var backoff = retryPolicy.initialBackoff
        while true {
            try Task.checkCancellation()
            try deadline.check("sending the upstream call")
            let outcome: Result<HTTPClientResponse, any Error>
            do {
                outcome = .success(try await sendOnce(request, deadline: deadline))
            } catch {
                outcome = .failure(error)
            }
            let failure: WireError? = switch outcome {
            case .success(let response): response.wireError
            case .failure(let error as WireError): error
            case .failure(let error): throw error
            }
            guard let failure, failure.code == .unavailable, request.isIdempotent, attempt < retryPolicy.maxAttempts else {
                return try outcome.get()
            }
            var delay = min(backoff, retryPolicy.maxBackoff)
            if let retryAfter = failure.retryAfter { delay = max(delay, .seconds(retryAfter)) }
            delay = delay + .milliseconds(Int.random(in: 0...50))
            guard delay < deadline.remaining else { return try outcome.get() }
            logger.debug("retrying upstream call", metadata: ["http.url": "\(request.url)", "attempt": "\(attempt + 1)"])
            try await Task.sleep(for: delay)
            attempt += 1
            backoff = backoff * 2
        }
    }

    /// Sends JSON and decodes a JSON reply; a non-2xx reply throws its wire error.
    public func call<Response: Decodable>(
        _ method: String,
        _ url: String,
        body: (some Encodable & Sendable)? = Optional<Empty>.none,
        headers: [(String, String)] = [],
        idempotent: Bool? = nil,
        as type: Response.Type = Response.self,
        deadline: Deadline? = RequestScope.current?.deadline
    ) async throws -> Response {
        var data: Data?
        if let body {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            data = try encoder.encode(body)
        }
        let request = HTTPClientRequest(method: method, url: url, headers: headers + [("Content-Type", "application/json")], body: data, isIdempotent: idempotent)
        let response = try await send(request, deadline: deadline)
        if let error = response.wireError { throw error }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Response.self, from: response.body)
        } catch {
            throw contractViolation(url: url, "\(method) answered with a body that is not the documented \(Response.self): \(error)")
        }
    }

    /// The error for a peer's answer that breaks the contract: INTERNAL (500, no Retry-After:
    /// retrying gets the same answer), logged with the peer, the URL and the trace id, and counted
    /// in `meta_builder_peer_contract_violations_total{peer}`. `peer` names the service (its host
    /// and port when nil); the error's message names only the peer, the details go to the log.
    public func contractViolation(peer: String? = nil, url: String, _ problem: String) -> WireError {
        let components = URLComponents(string: url)
        let peer = peer ?? components.flatMap { parts in parts.host.map { "\($0)\(parts.port.map { ":\($0)" } ?? "")" } } ?? "a peer"
        logger.error("peer broke the contract", metadata: [
            "peer": "\(peer)", "http.url": "\(url)", "problem": "\(problem)",
            "trace.id": "\(RequestScope.current?.trace.traceID ?? "")", "request.id": "\(RequestScope.current?.requestID ?? "")",
        ])
        if let metricsFactory {
            Counter(label: "meta_builder_peer_contract_violations_total", dimensions: [("peer", peer)], factory: metricsFactory).increment()
        }
        return WireError(.internal, "the \(peer) gave an answer that breaks its API contract")
    }

    /// Sends a request whose 2xx body is handed to `onBody` chunk by chunk as it arrives, for
    /// long-lived answers such as Server-Sent Events. `onBody` runs on the curl loop's thread and
    /// must not block (yield into an `AsyncStream`). Returns when the transfer ends, with the
    /// status and headers, and the body only of an error answer; never retried. Transport
    /// failures throw wire errors, as `send` does.
    public func stream(_ request: HTTPClientRequest, deadline: Deadline, onBody: @escaping @Sendable (Data) -> Void) async throws -> HTTPClientResponse {
        try Task.checkCancellation()
        return try await sendOnce(request, deadline: deadline, bodySink: onBody)
    }

    /// An empty JSON body.
    public struct Empty: Codable, Sendable {
        /// Creates it.
        public init() {}
    }

    private func sendOnce(_ request: HTTPClientRequest, deadline: Deadline, bodySink: (@Sendable (Data) -> Void)? = nil) async throws -> HTTPClientResponse {
        var request = request
        let scope = RequestScope.current
        if !request.headers.contains(where: { $0.0.caseInsensitiveCompare("Accept") == .orderedSame }) {
            request.headers.append(("Accept", "application/json"))
        }
        if sendsMeshContext {
            request.headers.append((GRPCTimeout.headerName, GRPCTimeout.format(milliseconds: deadline.remainingMilliseconds)))
            request.headers.append(("traceparent", (scope?.trace ?? .random()).child().traceparent))
            if let requestID = scope?.requestID { request.headers.append(("X-Request-Id", requestID)) }
        }
        if let authenticator, let principal = scope?.principal,
           !request.headers.contains(where: { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }) {
            guard let peer = peers.service(at: request.url) else {
                logger.error("a mesh call to a URL of no peer", metadata: ["http.url": "\(request.url)"])
                throw WireError(.internal, "an upstream call was addressed to no service of the mesh")
            }
            request.headers.append(("Authorization", "Bearer \(authenticator.serviceToken(for: principal, audience: peer))"))
        }
        let transfer = try CurlTransfer(request: request, deadline: deadline, maximumResponseBytes: maximumResponseBytes, bodySink: bodySink)
        return try await loop.perform(transfer)
    }
}
