import Foundation
import Shared

/// Talks to a generated app running on loopback, as its users would: JSON over HTTP with
/// bearer tokens of the app's own key, never a token or header of the mesh.
struct ScaffoldClient: Sendable {
    /// An `HTTPClient.external` client.
    let http: HTTPClient
    let baseURL: String
    let plan: ScaffoldPlan
    let jwtSecret: String
    /// The evaluation's deadline: no request outlives it.
    let deadline: Deadline

    /// A token of the app for a user, tenant and role.
    func token(user: String, tenant: UUID, role: String) -> String {
        let now = Date().timeIntervalSince1970
        return JWT(secret: jwtSecret, issuer: "", audience: "").sign(JWTClaims(sub: user, tid: tenant.lowercaseText, role: role, exp: now + 600, iat: now), exactly: true)
    }

    /// Sends a request; returns status and JSON body.
    func send(_ method: String, _ path: String, token: String?, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let data = try body.map { try JSONEncoder().encode($0) }
        let response = try await http.send(HTTPClientRequest(method: method, url: baseURL + path, headers: headers, body: data, isIdempotent: false), deadline: .after(.seconds(15)).earliest(deadline))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    /// Creates a row of `entity` (creating rows it must reference first); returns its id.
    func create(_ entity: EntitySpec, token: String, overrides: [String: JSONValue] = [:]) async throws -> String {
        var payload = ScaffoldRenderModel.samplePayload(entity)
        for field in entity.fields where field.type == .reference && field.required {
            guard let target = field.references.flatMap(plan.spec.entity(named:)) else { continue }
            payload["\(field.name)_id"] = .string(try await create(target, token: token))
        }
        for field in entity.fields where field.unique && (field.type == .string || field.type == .text || field.type == .email) {
            let suffix = UUID().uuidString.prefix(8).lowercased()
            payload[field.name] = .string(field.type == .email ? "u\(suffix)@example.com" : "unique-\(suffix)")
        }
        payload.merge(overrides) { $1 }
        let (status, json) = try await send("POST", "/api/\(entity.plural)", token: token, body: .object(payload))
        guard status == 201, let id = json["id"]?.stringValue else {
            throw ScaffoldProbeFailure("POST /api/\(entity.plural) answered \(status): \(String(decoding: (try? JSONEncoder().encode(json)) ?? Data(), as: UTF8.self).prefix(300))")
        }
        return id
    }

    /// A role of the spec allowed `action` on `entity` (scope all preferred).
    func role(allowing action: CRUDAction, on entity: String) -> String? {
        let candidates = plan.spec.roles.filter { role in role.permissions.contains { $0.entity == entity && $0.actions.contains(action) } }
        return (candidates.first { role in role.permissions.contains { $0.entity == entity && $0.scope == .all } } ?? candidates.first)?.name
    }
}

/// A probe of the generated app that did not behave as the spec says.
struct ScaffoldProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
