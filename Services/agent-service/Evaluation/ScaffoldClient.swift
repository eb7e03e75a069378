import Foundation
import Shared

/// Talks to a generated app running on loopback or on a Unix socket, as its users would: JSON over HTTP with
/// bearer tokens of the app's own key, never a token or header of the mesh.
struct ScaffoldClient: Sendable {
    /// Most levels of rows one create may have to make first (parents of parents …).
    static let maximumNesting = 8

    /// An `HTTPClient.external` client.
    let http: HTTPClient
    let baseURL: String
    let plan: ScaffoldPlan
    let jwtSecret: String
    /// The evaluation's deadline: no request outlives it.
    let deadline: Deadline
    /// The app's Unix socket when it runs without a network (then `baseURL` gives only the
    /// `Host` header).
    var unixSocketPath: String? = nil

    /// A token of the app for a user, tenant and role.
    func token(user: String, tenant: UUID, role: String) -> String {
        let now = Date().timeIntervalSince1970
        return JWT(secret: jwtSecret, issuer: "", audience: "").sign(JWTClaims(sub: user, tid: tenant.lowercaseText, role: role, exp: now + 600, iat: now), exactly: true)
    }

    /// A token of the app for a user.
    func token(for user: ScaffoldUser) -> String {
        token(user: user.sub, tenant: user.tenant, role: user.role)
    }

    /// Sends a request; returns status and JSON body.
    func send(_ method: String, _ path: String, token: String?, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let data = try body.map { try JSONEncoder().encode($0) }
        let response = try await http.send(HTTPClientRequest(method: method, url: baseURL + path, headers: headers, body: data, isIdempotent: false, unixSocketPath: unixSocketPath), deadline: .after(.seconds(15)).earliest(deadline))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    /// Creates a row of `entity` as `user`; returns its id. The rows it must reference are made
    /// first, each by a role allowed to create them. The row is owned by `owner` when given, and
    /// always by the user when the user's role may only create its own rows: its owner field is
    /// that sub (a string, or the id of the owner's row), or the parent its owner path goes
    /// through is made for that owner. The path is the user's role's own where it may only
    /// create its own rows, else the entity's owner path; `path` replaces it (a parent made for a
    /// child's path is owned along the rest of that path; a row owned along another role's path).
    func create(_ entity: EntitySpec, as user: ScaffoldUser, ownedBy owner: String? = nil, along path: [String]? = nil, overrides: [String: JSONValue] = [:], depth: Int = 0) async throws -> String {
        guard depth <= Self.maximumNesting else {
            throw ScaffoldProbeFailure("creating a \(entity.name) needs rows nested more than \(Self.maximumNesting) levels deep")
        }
        let ownCreate = scope(of: user.role, .create, on: entity.name) == .own
        let owner = ownCreate ? user.sub : owner
        let segments = path ?? (ownCreate ? plan.spec.ownerPath(of: user.role, on: entity) : entity.ownerPath)?.segments ?? []
        let ownField = entity.ownerPath.flatMap { $0.goesThroughParent ? nil : $0.first }
        var payload = ScaffoldRenderModel.samplePayload(entity)
        for field in entity.fields where field.type == .reference {
            guard let target = field.references.flatMap(plan.spec.entity(named:)) else { continue }
            let key = "\(field.name)_id"
            if let owner, field.name == segments.first {
                payload[key] = .string(segments.count == 1 ? owner : try await create(
                    target, as: try await creator(of: target, tenant: user.tenant, owner: owner, depth: depth + 1),
                    ownedBy: owner, along: Array(segments.dropFirst()), depth: depth + 1
                ))
            } else if field.required || field.name == ownField {
                // A reference owner the API would fill from the sub needs a row the sub may not name.
                payload[key] = .string(try await create(target, as: try await creator(of: target, tenant: user.tenant, owner: nil, depth: depth + 1), depth: depth + 1))
            }
        }
        if let owner, segments.count == 1, !entity.fields.contains(where: { $0.name == segments[0] && $0.type == .reference }) {
            payload[segments[0]] = .string(owner)
        }
        for field in entity.fields where field.unique && (field.type == .string || field.type == .text || field.type == .email) {
            let suffix = UUID().uuidString.prefix(8).lowercased()
            payload[field.name] = .string(field.type == .email ? "u\(suffix)@example.com" : "unique-\(suffix)")
        }
        payload.merge(overrides) { $1 }
        let (status, json) = try await send("POST", "/api/\(entity.plural)", token: token(for: user), body: .object(payload))
        guard status == 201, let id = json["id"]?.stringValue else {
            throw ScaffoldProbeFailure("POST /api/\(entity.plural) as \(user.role) answered \(status): \(String(decoding: (try? JSONEncoder().encode(json)) ?? Data(), as: UTF8.self).prefix(300))", status: depth == 0 ? status : nil)
        }
        return id
    }

    /// What the app answers when `user` creates a row of `entity` (rows it needs made by roles
    /// allowed to): the status, whatever it is.
    func attemptCreate(_ entity: EntitySpec, as user: ScaffoldUser) async throws -> Int {
        do {
            _ = try await create(entity, as: user)
            return 201
        } catch let failure as ScaffoldProbeFailure {
            guard let status = failure.status else { throw failure }
            return status
        }
    }

    /// Who creates a row of `entity` that another row needs: a role allowed to (scope all
    /// preferred). A role that may only create its own rows acts as the row's owner: `owner`,
    /// or a user who can own such rows.
    func creator(of entity: EntitySpec, tenant: UUID, owner: String?, depth: Int = 0) async throws -> ScaffoldUser {
        guard let role = role(allowing: .create, on: entity.name) else {
            throw ScaffoldProbeFailure("no role may create a \(entity.name), which the probe needs")
        }
        guard scope(of: role, .create, on: entity.name) == .own else { return ScaffoldUser(sub: "golden-\(role)", tenant: tenant, role: role) }
        if let owner { return ScaffoldUser(sub: owner, tenant: tenant, role: role) }
        let sub = try await owningSub("golden-\(role)", of: entity, along: plan.spec.ownerPath(of: role, on: entity), tenant: tenant, depth: depth)
        return ScaffoldUser(sub: sub, tenant: tenant, role: role)
    }

    /// A user of `role` to create rows of `entity` with: where the role may only create its own
    /// rows, one who can own them (see `owningSub`); otherwise `name`.
    func user(_ name: String, role: String, tenant: UUID, creating entity: EntitySpec) async throws -> ScaffoldUser {
        guard scope(of: role, .create, on: entity.name) == .own else { return ScaffoldUser(sub: name, tenant: tenant, role: role) }
        let sub = try await owningSub(name, of: entity, along: plan.spec.ownerPath(of: role, on: entity), tenant: tenant)
        return ScaffoldUser(sub: sub, tenant: tenant, role: role)
    }

    /// A user id that can own rows of `entity` along `path` (a role's owner path): where the
    /// owner is a row (the path ends in a reference, e.g. to a patient), the id of a new row of
    /// that entity; otherwise `name`.
    func owningSub(_ name: String, of entity: EntitySpec, along path: OwnerPath?, tenant: UUID, depth: Int = 0) async throws -> String {
        guard let owners = plan.spec.ownerRowEntity(of: entity, along: path) else { return name }
        return try await create(owners, as: try await creator(of: owners, tenant: tenant, owner: nil, depth: depth + 1), depth: depth + 1)
    }

    /// The row scope `role` has for `action` on `entity` over all its permissions for it (`all`
    /// wins over `own`, as the app decides); nil when none grants the action.
    func scope(of role: String, _ action: CRUDAction, on entity: String) -> RoleSpec.Scope? {
        let scopes = plan.spec.roles.filter { $0.name == role }.flatMap(\.permissions)
            .filter { $0.entity == entity && $0.actions.contains(action) }.map(\.scope)
        return scopes.contains(.all) ? .all : scopes.first
    }

    /// A role of the spec allowed `action` on `entity` (scope all preferred).
    func role(allowing action: CRUDAction, on entity: String) -> String? {
        let candidates = plan.spec.roles.map(\.name).filter { scope(of: $0, action, on: entity) != nil }
        return candidates.first { scope(of: $0, action, on: entity) == .all } ?? candidates.first
    }
}

/// A probe of the generated app that did not behave as the spec says.
struct ScaffoldProbeFailure: Error, CustomStringConvertible {
    let description: String
    /// The status of the request that failed, when it was the one asked for (not one made to
    /// prepare it).
    let status: Int?

    init(_ description: String, status: Int? = nil) {
        self.description = description
        self.status = status
    }
}
