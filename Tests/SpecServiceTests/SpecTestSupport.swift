import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared

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
