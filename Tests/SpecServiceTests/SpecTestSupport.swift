import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Testing

/// Requests and decoding shared by the spec-service tests.
extension TestClientProtocol {
    /// Sends JSON with a bearer token.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestClientProtocol {
    /// The plans of a spec (first page); fails the test when the answer has no `plans` array.
    func plans(of specID: String, token: String) async throws -> [JSONValue] {
        let response = try await send(.get, "/api/meta/v2/specs/\(specID)/plans", token: token)
        guard case .array(let plans)? = response.json["plans"] else {
            Issue.record("no plans in \(response.status)")
            return []
        }
        return plans
    }
}

extension TestResponse {
    /// The body as JSON.
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null }
    /// The wire error in the body, if any.
    var wireError: WireError? { WireError.decode(from: Data(buffer: body)) }
}

/// Request bodies.
enum SpecBodies {
    static let crmDescription = "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner. Sales reps see only their own deals; managers see all."

    static func freeform(title: String = "CRM", description: String = crmDescription) -> String {
        let body: [String: Any] = ["title": title, "description": description, "mode": "freeform", "acceptance_criteria": ["A sales rep cannot see another rep's deals"]]
        return String(decoding: try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }

    static let guided = #"{"title":"Library","mode":"guided","form":{"entities":[{"name":"author","fields":[{"name":"name","type":"string","required":true}]},{"name":"book","fields":[{"name":"title","type":"string","required":true},{"name":"author","type":"reference","references":"author"}]}]}}"#
}

extension JSONValue {
    /// The string at a key.
    func string(_ key: String) -> String? { self[key]?.stringValue }
}

/// Requests to a live service over separate connections (curl), for tests of concurrency: the
/// HummingbirdTesting client has one connection, so its requests are served one after another.
struct ParallelClient: Sendable {
    let baseURL: String
    private let http: HTTPClient

    /// Runs `body` with a client for the live test server's port.
    static func with<T: Sendable>(_ client: any TestClientProtocol, _ body: (ParallelClient) async throws -> T) async throws -> T {
        let port = try #require(client.port)
        let logger = Logger(label: "parallel-client") { _ in SwiftLogNoOpLogHandler() }
        let loop = CurlLoop(logger: logger)
        defer { loop.stop() }
        return try await body(ParallelClient(baseURL: "http://127.0.0.1:\(port)", http: HTTPClient(loop: loop, authenticator: nil, logger: logger, retryPolicy: .init(maxAttempts: 1))))
    }

    /// Sends a request with a bearer token, optional JSON body and extra headers; the timeout
    /// travels as `Grpc-Timeout`.
    func send(_ method: String, _ path: String, token: String, json: String? = nil, headers extra: [(String, String)] = [], timeout: Duration = .seconds(30)) async throws -> HTTPClientResponse {
        var headers = [("Authorization", "Bearer \(token)")] + extra
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return try await http.send(HTTPClientRequest(method: method, url: baseURL + path, headers: headers, body: json.map { Data($0.utf8) }), deadline: .after(timeout))
    }
}

extension HTTPClientResponse {
    /// The body as JSON.
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }
}
